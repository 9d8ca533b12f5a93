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
        customers,
        revenue
    from int_combination_months_v1
),

months as (
    select
        month,
        is_partial_period
    from int_months_v1
),

-- Counts and sums are additive over customers: first per combination of the three attributes
-- (int_customer_segments numbers them; int_combination_months counts by them), then rolled up to
-- each dimension (small tables)
combinations as (
    select
        combination_id,
        min(acquisition_channel) as acquisition_channel,
        min(segment) as segment,
        min(country) as country
    from customer_attributes
    group by combination_id
),

combination_cohort_sizes as (
    select
        combination_id,
        cohort_month,
        count(*) as cohort_size
    from customer_attributes
    group by combination_id, cohort_month
),

combination_cohort_activity as (
    select
        combination_id,
        cohort_month,
        order_month as period_month,
        sum(customers) as active_customers,
        sum(revenue) as revenue
    from combination_months
    group by combination_id, cohort_month, order_month
),

cohort_sizes as (
    select
        dimensions.dimension,
        case dimensions.dimension
            when 'all' then 'all'
            when 'acquisition_channel' then combinations.acquisition_channel
            when 'segment' then combinations.segment
            else combinations.country
        end as segment_value,
        combination_cohort_sizes.cohort_month,
        sum(combination_cohort_sizes.cohort_size) as cohort_size
    from combination_cohort_sizes
    inner join combinations
        on combination_cohort_sizes.combination_id = combinations.combination_id
    cross join (values ('all'), ('acquisition_channel'), ('segment'), ('country')) as dimensions (dimension)
    group by all
),

-- one grouping set per dimension (no attribute is NULL, so grouping() tells the sets apart)
cohort_activity as (
    select
        case
            when grouping(combinations.acquisition_channel) = 0 then 'acquisition_channel'
            when grouping(combinations.segment) = 0 then 'segment'
            when grouping(combinations.country) = 0 then 'country'
            else 'all'
        end as dimension,
        coalesce(combinations.acquisition_channel, combinations.segment, combinations.country, 'all') as segment_value,
        combination_cohort_activity.cohort_month,
        combination_cohort_activity.period_month,
        sum(combination_cohort_activity.active_customers) as active_customers,
        sum(combination_cohort_activity.revenue) as revenue
    from combination_cohort_activity
    inner join combinations
        on combination_cohort_activity.combination_id = combinations.combination_id
    group by grouping sets (
        (combination_cohort_activity.cohort_month, combination_cohort_activity.period_month),
        (combinations.acquisition_channel, combination_cohort_activity.cohort_month, combination_cohort_activity.period_month),
        (combinations.segment, combination_cohort_activity.cohort_month, combination_cohort_activity.period_month),
        (combinations.country, combination_cohort_activity.cohort_month, combination_cohort_activity.period_month)
    )
),

cohort_periods as (
    select
        cohort_sizes.dimension,
        cohort_sizes.segment_value,
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_size,
        months.month as period_month,
        months.is_partial_period
    from cohort_sizes
    inner join months
        on months.month >= cohort_sizes.cohort_month
),

cohort_periods_joined_to_activity as (
    select
        cohort_periods.dimension,
        cohort_periods.segment_value,
        cohort_periods.cohort_month,
        date_diff('month', cohort_periods.cohort_month, cohort_periods.period_month) as period_number,
        cohort_periods.period_month,
        cohort_periods.cohort_size,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        coalesce(cohort_activity.revenue, 0) as revenue,
        cohort_periods.is_partial_period
    from cohort_periods
    left join cohort_activity
        on cohort_periods.dimension = cohort_activity.dimension
        and cohort_periods.segment_value = cohort_activity.segment_value
        and cohort_periods.cohort_month = cohort_activity.cohort_month
        and cohort_periods.period_month = cohort_activity.period_month
),

cohort_retention_by_segment as (
    select
        dimension,
        segment_value,
        cohort_month,
        period_number,
        period_month,
        cohort_size,
        active_customers,
        cast(active_customers as double) / cohort_size as retention_rate,
        revenue,
        -- in cents, so that a half cent rounds up exactly (as cohort_retention)
        round(
            sum(revenue) over (
                partition by dimension, segment_value, cohort_month
                order by period_number
                rows between unbounded preceding and current row
            ) * 100 / cohort_size
        ) / 100 as cumulative_revenue_per_customer,
        is_partial_period
    from cohort_periods_joined_to_activity
)

select * from cohort_retention_by_segment
