with

customers as (
    select
        customer_id,
        acquisition_channel,
        segment,
        country
    from stg_customers
),

first_orders as (
    select
        customer_id,
        first_order_date,
        cohort_month
    from int_customer_first_orders_v1
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

-- staging holds one row per customer_id (the latest export wins); a blank value is no value
first_orders_joined_to_customers as (
    select
        first_orders.customer_id,
        nullif(trim(customers.acquisition_channel), '') as acquisition_channel,
        nullif(trim(customers.segment), '') as segment,
        nullif(trim(customers.country), '') as country
    from first_orders
    left join customers
        on first_orders.customer_id = customers.customer_id
),

-- one row per customer with a cohort and dimension; no value (or not in the export) is '(none)'
customer_segments as (
    select customer_id, 'all' as dimension, 'all' as segment_value
    from first_orders_joined_to_customers
    union all
    select customer_id, 'acquisition_channel', coalesce(acquisition_channel, '(none)')
    from first_orders_joined_to_customers
    union all
    select customer_id, 'segment', coalesce(segment, '(none)')
    from first_orders_joined_to_customers
    union all
    select customer_id, 'country', coalesce(country, '(none)')
    from first_orders_joined_to_customers
),

segments as (
    select distinct
        dimension,
        segment_value
    from customer_segments
),

-- from the first cohort month (of all customers), as loyalty_kpis_monthly
months as (
    select
        month,
        last_day_counted,
        is_partial_period
    from all_months
    where month >= (select min(cohort_month) from first_orders)
),

segment_months as (
    select
        segments.dimension,
        segments.segment_value,
        months.month,
        months.is_partial_period
    from segments
    cross join months
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

month_totals as (
    select
        customer_segments.dimension,
        customer_segments.segment_value,
        customer_months.order_month as month,
        count(*) as active_customers,
        sum(customer_months.orders) as orders,
        sum(customer_months.revenue) as revenue
    from customer_months
    inner join customer_segments
        on customer_months.customer_id = customer_segments.customer_id
    group by customer_segments.dimension, customer_segments.segment_value, customer_months.order_month
),

new_customer_counts as (
    select
        customer_segments.dimension,
        customer_segments.segment_value,
        first_orders.cohort_month as month,
        count(*) as new_customers
    from first_orders
    inner join customer_segments
        on first_orders.customer_id = customer_segments.customer_id
    group by customer_segments.dimension, customer_segments.segment_value, first_orders.cohort_month
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
    where months.month > (select min(cohort_month) from first_orders)
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

live_counts as (
    select
        customer_segments.dimension,
        customer_segments.segment_value,
        customer_liveness_per_month.month,
        count(*) filter (where customer_liveness_per_month.is_live_at_start) as customers_start,
        count(*) filter (where customer_liveness_per_month.is_live_at_end) as customers_end,
        count(*) filter (
            where customer_liveness_per_month.is_live_at_start and customer_liveness_per_month.is_live_at_end
        ) as retained_customers
    from customer_liveness_per_month
    inner join customer_segments
        on customer_liveness_per_month.customer_id = customer_segments.customer_id
    group by customer_segments.dimension, customer_segments.segment_value, customer_liveness_per_month.month
),

-- retention_monthly's CN: first completed order dated in [f, l]
retention_new_customer_counts as (
    select
        customer_segments.dimension,
        customer_segments.segment_value,
        month_bounds.month,
        count(*) as new_customers
    from month_bounds
    inner join first_orders
        on first_orders.first_order_date between month_bounds.first_day and month_bounds.last_day_counted
    inner join customer_segments
        on first_orders.customer_id = customer_segments.customer_id
    group by customer_segments.dimension, customer_segments.segment_value, month_bounds.month
),

segment_retention as (
    select
        segment_months.dimension,
        segment_months.segment_value,
        segment_months.month,
        coalesce(live_counts.customers_start, 0) as customers_start,
        coalesce(live_counts.customers_end, 0) as customers_end,
        coalesce(retention_new_customer_counts.new_customers, 0) as new_customers,
        coalesce(live_counts.retained_customers, 0) as retained_customers
    from segment_months
    inner join month_bounds
        on segment_months.month = month_bounds.month
    left join live_counts
        on segment_months.dimension = live_counts.dimension
        and segment_months.segment_value = live_counts.segment_value
        and segment_months.month = live_counts.month
    left join retention_new_customer_counts
        on segment_months.dimension = retention_new_customer_counts.dimension
        and segment_months.segment_value = retention_new_customer_counts.segment_value
        and segment_months.month = retention_new_customer_counts.month
),

segment_retention_rates as (
    select
        dimension,
        segment_value,
        month,
        customers_start,
        customers_end,
        case when customers_start > 0
            then cast(customers_end - new_customers as double) / customers_start
        end as retention_rate,
        case when customers_start > 0
            then cast(customers_start - retained_customers as double) / customers_start
        end as churn_rate
    from segment_retention
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

coverage_changes_per_segment_month as (
    select
        customer_segments.dimension,
        customer_segments.segment_value,
        coverage_changes.month,
        sum(coverage_changes.customers_change) as customers_change,
        sum(coverage_changes.repeat_customers_change) as repeat_customers_change
    from coverage_changes
    inner join customer_segments
        on coverage_changes.customer_id = customer_segments.customer_id
    group by customer_segments.dimension, customer_segments.segment_value, coverage_changes.month
),

segment_months_with_totals as (
    select
        segment_months.dimension,
        segment_months.segment_value,
        segment_months.month,
        coalesce(month_totals.active_customers, 0) as active_customers,
        coalesce(new_customer_counts.new_customers, 0) as new_customers,
        coalesce(month_totals.orders, 0) as orders,
        coalesce(month_totals.revenue, 0) as revenue,
        coalesce(coverage_changes_per_segment_month.customers_change, 0) as customers_change,
        coalesce(coverage_changes_per_segment_month.repeat_customers_change, 0) as repeat_customers_change,
        segment_months.is_partial_period
    from segment_months
    left join month_totals
        on segment_months.dimension = month_totals.dimension
        and segment_months.segment_value = month_totals.segment_value
        and segment_months.month = month_totals.month
    left join new_customer_counts
        on segment_months.dimension = new_customer_counts.dimension
        and segment_months.segment_value = new_customer_counts.segment_value
        and segment_months.month = new_customer_counts.month
    left join coverage_changes_per_segment_month
        on segment_months.dimension = coverage_changes_per_segment_month.dimension
        and segment_months.segment_value = coverage_changes_per_segment_month.segment_value
        and segment_months.month = coverage_changes_per_segment_month.month
),

segment_months_joined_to_retention as (
    select
        segment_months_with_totals.dimension,
        segment_months_with_totals.segment_value,
        segment_months_with_totals.month,
        segment_months_with_totals.active_customers,
        segment_months_with_totals.new_customers,
        segment_months_with_totals.orders,
        segment_months_with_totals.revenue,
        segment_retention_rates.customers_start,
        segment_retention_rates.customers_end,
        segment_retention_rates.retention_rate,
        segment_retention_rates.churn_rate,
        segment_months_with_totals.customers_change,
        segment_months_with_totals.repeat_customers_change,
        segment_months_with_totals.is_partial_period
    from segment_months_with_totals
    left join segment_retention_rates
        on segment_months_with_totals.dimension = segment_retention_rates.dimension
        and segment_months_with_totals.segment_value = segment_retention_rates.segment_value
        and segment_months_with_totals.month = segment_retention_rates.month
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

segment_predicted_clv as (
    select
        customer_segments.dimension,
        customer_segments.segment_value,
        avg(clv_predictions.clv_12m) as avg_predicted_clv_12m
    from clv_predictions
    inner join customer_segments
        on clv_predictions.customer_id = customer_segments.customer_id
    group by customer_segments.dimension, customer_segments.segment_value
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
