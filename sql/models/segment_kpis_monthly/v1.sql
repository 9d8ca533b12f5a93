with

-- read twice, so "not materialized": DuckDB would otherwise first copy a row per customer, which
-- costs more than reading the table again
customer_attributes as not materialized (
    select
        customer_id,
        cohort_month,
        acquisition_channel,
        segment,
        country,
        combination_id
    from int_customer_segments_v1
),

combination_months as (
    select
        combination_id,
        cohort_month,
        order_month,
        in_window_from,
        in_window_before,
        repeat_from,
        repeat_before,
        live_start_before,
        live_end_before,
        is_retained_in_month,
        customers,
        orders,
        revenue
    from int_combination_months_v1
),

all_months as (
    select
        month,
        is_partial_period
    from int_months_v1
),

clv_predictions as (
    select
        customer_id,
        clv_12m
    from clv_predictions_v1
),

-- from the first cohort month (of all customers), as loyalty_kpis_monthly
months as (
    select
        month,
        is_partial_period
    from all_months
    where month >= (select min(cohort_month) from combination_months)
),

-- Every count and sum below is additive over customers, so it is taken per combination of the three
-- attributes (int_combination_months), then rolled up to each dimension (small tables).
combinations as (
    select
        combination_id,
        min(acquisition_channel) as acquisition_channel,
        min(segment) as segment,
        min(country) as country
    from customer_attributes
    group by combination_id
),

-- The month's own figures (loyalty_kpis_monthly), and the changes of the customer sets whose sizes
-- are running sums over the months (int_customer_months: one range of months per active month,
-- +1 where it starts, −1 where it ends): live on l from the active month on; live on f − 1, and both,
-- from the month after (both also in the active month itself when is_retained_in_month)
-- (retention_monthly); in T and repeat in T (int_trailing_12m_customers). A first completed order in
-- the month is both loyalty_kpis_monthly's new customer and retention_monthly's CN (none is after the
-- as-of date).
combination_active_months as (
    select
        combination_id,
        order_month,
        last_day(order_month) + 1 as month_after,
        sum(customers) as active_customers,
        coalesce(sum(customers) filter (where order_month = cohort_month), 0) as new_customers,
        sum(orders) as orders,
        sum(revenue) as revenue,
        coalesce(sum(customers) filter (where live_end_before > order_month), 0) as live_end_ranges,
        coalesce(sum(customers) filter (where live_start_before > last_day(order_month) + 1), 0) as live_start_ranges,
        coalesce(sum(customers) filter (where live_end_before > last_day(order_month) + 1), 0) as retained_ranges,
        coalesce(sum(customers) filter (where is_retained_in_month), 0) as retained_in_month
    from combination_months
    group by combination_id, order_month
),

combination_changes as (
    select
        combination_id,
        order_month as month,
        active_customers,
        new_customers,
        orders,
        revenue,
        0 as customers_start_change,
        live_end_ranges as customers_end_change,
        retained_in_month as retained_customers_change,
        0 as customers_12m_change,
        0 as repeat_customers_12m_change
    from combination_active_months
    union all
    select combination_id, month_after, 0, 0, 0, 0, live_start_ranges, 0, retained_ranges - retained_in_month, 0, 0
    from combination_active_months
    union all
    select combination_id, live_start_before, 0, 0, 0, 0, -sum(customers), 0, 0, 0, 0
    from combination_months
    where live_start_before > last_day(order_month) + 1
    group by combination_id, live_start_before
    union all
    select
        combination_id,
        live_end_before,
        0,
        0,
        0,
        0,
        0,
        -coalesce(sum(customers) filter (where live_end_before > order_month), 0),
        -coalesce(sum(customers) filter (where live_end_before > last_day(order_month) + 1), 0),
        0,
        0
    from combination_months
    group by combination_id, live_end_before
    union all
    select combination_id, in_window_from, 0, 0, 0, 0, 0, 0, 0, sum(customers), 0
    from combination_months
    group by combination_id, in_window_from
    union all
    select combination_id, in_window_before, 0, 0, 0, 0, 0, 0, 0, -sum(customers), 0
    from combination_months
    group by combination_id, in_window_before
    union all
    select combination_id, repeat_from, 0, 0, 0, 0, 0, 0, 0, 0, sum(customers)
    from combination_months
    group by combination_id, repeat_from
    union all
    select combination_id, repeat_before, 0, 0, 0, 0, 0, 0, 0, 0, -sum(customers)
    from combination_months
    group by combination_id, repeat_before
),

combination_month_changes as (
    select
        combination_id,
        month,
        sum(active_customers) as active_customers,
        sum(new_customers) as new_customers,
        sum(orders) as orders,
        sum(revenue) as revenue,
        sum(customers_start_change) as customers_start_change,
        sum(customers_end_change) as customers_end_change,
        sum(retained_customers_change) as retained_customers_change,
        sum(customers_12m_change) as customers_12m_change,
        sum(repeat_customers_12m_change) as repeat_customers_12m_change
    from combination_changes
    group by combination_id, month
),

segment_month_changes as (
    select
        dimensions.dimension,
        case dimensions.dimension
            when 'all' then 'all'
            when 'acquisition_channel' then combinations.acquisition_channel
            when 'segment' then combinations.segment
            else combinations.country
        end as segment_value,
        combination_month_changes.month,
        sum(combination_month_changes.active_customers) as active_customers,
        sum(combination_month_changes.new_customers) as new_customers,
        sum(combination_month_changes.orders) as orders,
        sum(combination_month_changes.revenue) as revenue,
        sum(combination_month_changes.customers_start_change) as customers_start_change,
        sum(combination_month_changes.customers_end_change) as customers_end_change,
        sum(combination_month_changes.retained_customers_change) as retained_customers_change,
        sum(combination_month_changes.customers_12m_change) as customers_12m_change,
        sum(combination_month_changes.repeat_customers_12m_change) as repeat_customers_12m_change
    from combination_month_changes
    inner join combinations
        on combination_month_changes.combination_id = combinations.combination_id
    cross join (values ('all'), ('acquisition_channel'), ('segment'), ('country')) as dimensions (dimension)
    group by all
),

-- every value a customer with a cohort has
segments as (
    select distinct
        dimensions.dimension,
        case dimensions.dimension
            when 'all' then 'all'
            when 'acquisition_channel' then combinations.acquisition_channel
            when 'segment' then combinations.segment
            else combinations.country
        end as segment_value
    from combinations
    cross join (values ('all'), ('acquisition_channel'), ('segment'), ('country')) as dimensions (dimension)
),

segment_months as (
    select
        segments.dimension,
        segments.segment_value,
        months.month,
        months.month > (select min(cohort_month) from combination_months) as has_retention,
        months.is_partial_period
    from segments
    cross join months
),

-- the months of a segment are the whole spine from the first cohort month, where every range starts at
-- the earliest: a set's size is the running sum of its changes
segment_month_sets as (
    select
        segment_months.dimension,
        segment_months.segment_value,
        segment_months.month,
        segment_months.has_retention,
        coalesce(segment_month_changes.active_customers, 0) as active_customers,
        coalesce(segment_month_changes.new_customers, 0) as new_customers,
        coalesce(segment_month_changes.orders, 0) as orders,
        coalesce(segment_month_changes.revenue, 0) as revenue,
        sum(coalesce(segment_month_changes.customers_start_change, 0)) over segment_history as customers_start,
        sum(coalesce(segment_month_changes.customers_end_change, 0)) over segment_history as customers_end,
        sum(coalesce(segment_month_changes.retained_customers_change, 0)) over segment_history as retained_customers,
        sum(coalesce(segment_month_changes.customers_12m_change, 0)) over segment_history as customers_12m,
        sum(coalesce(segment_month_changes.repeat_customers_12m_change, 0)) over segment_history as repeat_customers_12m,
        segment_months.is_partial_period
    from segment_months
    left join segment_month_changes
        on segment_months.dimension = segment_month_changes.dimension
        and segment_months.segment_value = segment_month_changes.segment_value
        and segment_months.month = segment_month_changes.month
    window segment_history as (
        partition by segment_months.dimension, segment_months.segment_value
        order by segment_months.month rows between unbounded preceding and current row
    )
),

-- retention_monthly's formulas within the segment; it has no row for the first cohort month
segment_months_joined_to_retention as (
    select
        dimension,
        segment_value,
        month,
        active_customers,
        new_customers,
        orders,
        revenue,
        case when has_retention then customers_start end as customers_start,
        case when has_retention then customers_end end as customers_end,
        case when has_retention and customers_start > 0
            then cast(customers_end - new_customers as double) / customers_start
        end as retention_rate,
        case when has_retention and customers_start > 0
            then cast(customers_start - retained_customers as double) / customers_start
        end as churn_rate,
        customers_12m,
        repeat_customers_12m,
        is_partial_period
    from segment_month_sets
),

-- one row per month of the spine, so 12 rows = the 12 months of T
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
        customers_12m,
        repeat_customers_12m,
        sum(orders) over trailing_window as orders_12m,
        sum(revenue) over trailing_window as revenue_12m,
        avg(churn_rate) over trailing_window as avg_monthly_churn_12m,
        is_partial_period
    from segment_months_joined_to_retention
    window trailing_window as (
        partition by dimension, segment_value order by month rows between 11 preceding and current row
    )
),

combination_predicted_clv as (
    select
        customer_attributes.combination_id,
        -- summed as exact decimals, so the mean has the same bits whatever order the rows come in
        sum(cast(clv_predictions.clv_12m as decimal(38, 9))) as clv_12m_sum,
        count(clv_predictions.clv_12m) as clv_12m_count
    from clv_predictions
    inner join customer_attributes
        on clv_predictions.customer_id = customer_attributes.customer_id
    group by customer_attributes.combination_id
),

segment_predicted_clv as (
    select
        dimensions.dimension,
        case dimensions.dimension
            when 'all' then 'all'
            when 'acquisition_channel' then combinations.acquisition_channel
            when 'segment' then combinations.segment
            else combinations.country
        end as segment_value,
        cast(sum(combination_predicted_clv.clv_12m_sum) as double) / nullif(sum(combination_predicted_clv.clv_12m_count), 0) as avg_predicted_clv_12m
    from combination_predicted_clv
    inner join combinations
        on combination_predicted_clv.combination_id = combinations.combination_id
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
