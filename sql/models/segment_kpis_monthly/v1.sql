with

customer_attributes as (
    select
        customer_id,
        cohort_month,
        acquisition_channel,
        segment,
        country
    from int_customer_segments_v1
),

completed_orders as (
    select
        customer_id,
        order_date,
        order_month,
        net_value
    from int_orders_completed_v1
),

all_months as (
    select
        month,
        last_day_counted,
        is_partial_period
    from int_months_v1
),

clv_predictions as (
    select
        customer_id,
        clv_12m
    from clv_predictions_v1
),

params as (
    select churn_window_days from run_params
),

-- from the first cohort month (of all customers), as loyalty_kpis_monthly
months as (
    select
        month,
        last_day_counted,
        is_partial_period
    from all_months
    where month >= (select min(cohort_month) from customer_attributes)
),

-- the month's own figures (loyalty_kpis_monthly)
customer_months as (
    select
        customer_id,
        order_month,
        count(*) as orders,
        sum(net_value) as revenue
    from completed_orders
    group by customer_id, order_month
),

-- live sets (retention_monthly), from the month after the first cohort month; f = month, l = last_day_counted
customer_order_dates as (
    select distinct
        customer_id,
        order_date
    from completed_orders
),

month_bounds as (
    select
        months.month,
        months.month as first_day,
        months.last_day_counted,
        params.churn_window_days
    from months
    cross join params
    where months.month > (select min(cohort_month) from customer_attributes)
),

customer_liveness_per_month as (
    select
        month_bounds.month,
        customer_order_dates.customer_id,
        bool_or(
            customer_order_dates.order_date between month_bounds.first_day - month_bounds.churn_window_days
            and month_bounds.first_day - 1
        ) as is_live_at_start,
        bool_or(
            customer_order_dates.order_date between month_bounds.last_day_counted - month_bounds.churn_window_days + 1
            and month_bounds.last_day_counted
        ) as is_live_at_end
    from month_bounds
    inner join customer_order_dates
        on customer_order_dates.order_date >= month_bounds.first_day - month_bounds.churn_window_days
        and customer_order_dates.order_date <= month_bounds.last_day_counted
    group by month_bounds.month, customer_order_dates.customer_id
),

-- trailing window T (int_trailing_12m_customers' coverage intervals, per customer, then per segment):
-- a customer is in T of m while m is within 11 months after one of their active months; repeat
-- (>= 2 orders in T) from an active month with >= 2 orders, or one within 11 months of the previous
customer_months_with_previous as (
    select
        customer_id,
        order_month,
        orders,
        lag(order_month) over (partition by customer_id order by order_month) as previous_order_month
    from customer_months
),

customer_coverage as (
    select
        customer_id,
        order_month,
        greatest(order_month, coalesce(previous_order_month + interval '12' month, order_month)) as in_window_from,
        order_month + interval '11' month as in_window_until,
        case
            when orders >= 2 then order_month + interval '11' month
            when previous_order_month + interval '11' month >= order_month then previous_order_month + interval '11' month
        end as repeat_until
    from customer_months_with_previous
),

customer_repeat_coverage as (
    select
        customer_id,
        greatest(
            order_month,
            coalesce(
                max(repeat_until) over (
                    partition by customer_id order by order_month rows between unbounded preceding and 1 preceding
                ) + interval '1' month,
                order_month
            )
        ) as repeat_from,
        repeat_until
    from customer_coverage
    where repeat_until is not null
),

coverage_changes as (
    select customer_id, cast(in_window_from as date) as month, 1 as customers_change, 0 as repeat_customers_change
    from customer_coverage
    union all
    select customer_id, cast(in_window_until + interval '1' month as date), -1, 0
    from customer_coverage
    union all
    select customer_id, cast(repeat_from as date), 0, 1
    from customer_repeat_coverage
    where repeat_from <= repeat_until
    union all
    select customer_id, cast(repeat_until + interval '1' month as date), 0, -1
    from customer_repeat_coverage
    where repeat_from <= repeat_until
),

-- Every count and sum below is additive over customers, so it is first aggregated per combination of
-- the three attributes (one join per customer fact), then rolled up to each dimension (small tables).
combination_facts as (
    select
        customer_attributes.acquisition_channel,
        customer_attributes.segment,
        customer_attributes.country,
        customer_months.order_month as month,
        count(*) as active_customers,
        0 as new_customers,
        sum(customer_months.orders) as orders,
        sum(customer_months.revenue) as revenue,
        0 as customers_start,
        0 as customers_end,
        0 as retained_customers,
        0 as customers_change,
        0 as repeat_customers_change
    from customer_months
    inner join customer_attributes
        on customer_months.customer_id = customer_attributes.customer_id
    group by all
    union all
    -- first completed order in the month: loyalty_kpis_monthly's new customers, and retention_monthly's
    -- CN (first order dated in [f, l]: the same customers, as no completed order is after the as-of date)
    select acquisition_channel, segment, country, cohort_month, 0, count(*), 0, 0, 0, 0, 0, 0, 0
    from customer_attributes
    group by all
    union all
    select
        customer_attributes.acquisition_channel,
        customer_attributes.segment,
        customer_attributes.country,
        customer_liveness_per_month.month,
        0,
        0,
        0,
        0,
        count(*) filter (where customer_liveness_per_month.is_live_at_start),
        count(*) filter (where customer_liveness_per_month.is_live_at_end),
        count(*) filter (where customer_liveness_per_month.is_live_at_start and customer_liveness_per_month.is_live_at_end),
        0,
        0
    from customer_liveness_per_month
    inner join customer_attributes
        on customer_liveness_per_month.customer_id = customer_attributes.customer_id
    group by all
    union all
    select
        customer_attributes.acquisition_channel,
        customer_attributes.segment,
        customer_attributes.country,
        coverage_changes.month,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        sum(coverage_changes.customers_change),
        sum(coverage_changes.repeat_customers_change)
    from coverage_changes
    inner join customer_attributes
        on coverage_changes.customer_id = customer_attributes.customer_id
    group by all
),

combination_month_facts as (
    select
        acquisition_channel,
        segment,
        country,
        month,
        sum(active_customers) as active_customers,
        sum(new_customers) as new_customers,
        sum(orders) as orders,
        sum(revenue) as revenue,
        sum(customers_start) as customers_start,
        sum(customers_end) as customers_end,
        sum(retained_customers) as retained_customers,
        sum(customers_change) as customers_change,
        sum(repeat_customers_change) as repeat_customers_change
    from combination_facts
    group by acquisition_channel, segment, country, month
),

segment_month_facts as (
    select
        dimensions.dimension,
        case dimensions.dimension
            when 'all' then 'all'
            when 'acquisition_channel' then combination_month_facts.acquisition_channel
            when 'segment' then combination_month_facts.segment
            else combination_month_facts.country
        end as segment_value,
        combination_month_facts.month,
        sum(combination_month_facts.active_customers) as active_customers,
        sum(combination_month_facts.new_customers) as new_customers,
        sum(combination_month_facts.orders) as orders,
        sum(combination_month_facts.revenue) as revenue,
        sum(combination_month_facts.customers_start) as customers_start,
        sum(combination_month_facts.customers_end) as customers_end,
        sum(combination_month_facts.retained_customers) as retained_customers,
        sum(combination_month_facts.customers_change) as customers_change,
        sum(combination_month_facts.repeat_customers_change) as repeat_customers_change
    from combination_month_facts
    cross join (values ('all'), ('acquisition_channel'), ('segment'), ('country')) as dimensions (dimension)
    group by all
),

-- every value a customer with a cohort has (from the customers, not from the facts above, so that
-- the facts are computed once)
segments as (
    select distinct
        dimensions.dimension,
        case dimensions.dimension
            when 'all' then 'all'
            when 'acquisition_channel' then customer_attributes.acquisition_channel
            when 'segment' then customer_attributes.segment
            else customer_attributes.country
        end as segment_value
    from customer_attributes
    cross join (values ('all'), ('acquisition_channel'), ('segment'), ('country')) as dimensions (dimension)
),

segment_months as (
    select
        segments.dimension,
        segments.segment_value,
        months.month,
        months.month > (select min(cohort_month) from customer_attributes) as has_retention,
        months.is_partial_period
    from segments
    cross join months
),

segment_months_with_totals as (
    select
        segment_months.dimension,
        segment_months.segment_value,
        segment_months.month,
        coalesce(segment_month_facts.active_customers, 0) as active_customers,
        coalesce(segment_month_facts.new_customers, 0) as new_customers,
        coalesce(segment_month_facts.orders, 0) as orders,
        coalesce(segment_month_facts.revenue, 0) as revenue,
        -- retention_monthly has no row for the first cohort month
        case when segment_months.has_retention then coalesce(segment_month_facts.customers_start, 0) end as customers_start,
        case when segment_months.has_retention then coalesce(segment_month_facts.customers_end, 0) end as customers_end,
        coalesce(segment_month_facts.retained_customers, 0) as retained_customers,
        coalesce(segment_month_facts.customers_change, 0) as customers_change,
        coalesce(segment_month_facts.repeat_customers_change, 0) as repeat_customers_change,
        segment_months.is_partial_period
    from segment_months
    left join segment_month_facts
        on segment_months.dimension = segment_month_facts.dimension
        and segment_months.segment_value = segment_month_facts.segment_value
        and segment_months.month = segment_month_facts.month
),

-- retention_monthly's formulas within the segment
segment_months_joined_to_retention as (
    select
        dimension,
        segment_value,
        month,
        active_customers,
        new_customers,
        orders,
        revenue,
        customers_start,
        customers_end,
        case when customers_start > 0
            then cast(customers_end - new_customers as double) / customers_start
        end as retention_rate,
        case when customers_start > 0
            then cast(customers_start - retained_customers as double) / customers_start
        end as churn_rate,
        customers_change,
        repeat_customers_change,
        is_partial_period
    from segment_months_with_totals
),

-- the months of a segment are the whole spine, one row per month, so 12 rows = the 12 months of T
trailing_12m as (
    select
        dimension,
        segment_value,
        month,
        active_customers,
        new_customers,
        orders,
        revenue,
        customers_start,
        customers_end,
        retention_rate,
        churn_rate,
        sum(customers_change) over segment_history as customers_12m,
        sum(repeat_customers_change) over segment_history as repeat_customers_12m,
        sum(orders) over trailing_window as orders_12m,
        sum(revenue) over trailing_window as revenue_12m,
        avg(churn_rate) over trailing_window as avg_monthly_churn_12m,
        is_partial_period
    from segment_months_joined_to_retention
    window
        segment_history as (
            partition by dimension, segment_value order by month rows between unbounded preceding and current row
        ),
        trailing_window as (
            partition by dimension, segment_value order by month rows between 11 preceding and current row
        )
),

combination_predicted_clv as (
    select
        customer_attributes.acquisition_channel,
        customer_attributes.segment,
        customer_attributes.country,
        -- summed as exact decimals, so the mean has the same bits whatever order the rows come in
        sum(cast(clv_predictions.clv_12m as decimal(38, 9))) as clv_12m_sum,
        count(clv_predictions.clv_12m) as clv_12m_count
    from clv_predictions
    inner join customer_attributes
        on clv_predictions.customer_id = customer_attributes.customer_id
    group by all
),

segment_predicted_clv as (
    select
        dimensions.dimension,
        case dimensions.dimension
            when 'all' then 'all'
            when 'acquisition_channel' then combination_predicted_clv.acquisition_channel
            when 'segment' then combination_predicted_clv.segment
            else combination_predicted_clv.country
        end as segment_value,
        cast(sum(combination_predicted_clv.clv_12m_sum) as double) / nullif(sum(combination_predicted_clv.clv_12m_count), 0) as avg_predicted_clv_12m
    from combination_predicted_clv
    cross join (values ('all'), ('acquisition_channel'), ('segment'), ('country')) as dimensions (dimension)
    group by all
),

segment_kpis_monthly as (
    select
        trailing_12m.dimension,
        trailing_12m.segment_value,
        trailing_12m.month,
        trailing_12m.active_customers,
        trailing_12m.new_customers,
        trailing_12m.orders,
        trailing_12m.revenue,
        trailing_12m.customers_start,
        trailing_12m.customers_end,
        trailing_12m.retention_rate,
        trailing_12m.churn_rate,
        trailing_12m.customers_12m,
        case when trailing_12m.customers_12m > 0
            then cast(trailing_12m.repeat_customers_12m as double) / trailing_12m.customers_12m
        end as repeat_purchase_rate_12m,
        case when trailing_12m.customers_12m > 0
            then cast(trailing_12m.orders_12m as double) / trailing_12m.customers_12m
        end as purchase_frequency_12m,
        -- money averages in cents, so that a half cent rounds up exactly
        case when trailing_12m.orders_12m > 0
            then round(trailing_12m.revenue_12m * 100 / trailing_12m.orders_12m) / 100
        end as avg_order_value_12m,
        -- avg order value × purchase frequency = revenue_12m / customers_12m, kept unrounded
        case when trailing_12m.customers_12m > 0 and trailing_12m.avg_monthly_churn_12m > 0
            then cast(trailing_12m.revenue_12m as double) / trailing_12m.customers_12m / (12 * trailing_12m.avg_monthly_churn_12m)
        end as clv_formula,
        case when trailing_12m.month = (select max(month) from months)
            then segment_predicted_clv.avg_predicted_clv_12m
        end as avg_predicted_clv_12m,
        trailing_12m.is_partial_period
    from trailing_12m
    left join segment_predicted_clv
        on trailing_12m.dimension = segment_predicted_clv.dimension
        and trailing_12m.segment_value = segment_predicted_clv.segment_value
)

select * from segment_kpis_monthly
