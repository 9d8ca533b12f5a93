with

customer_cohorts as (
    select
        customer_id,
        cohort_month
    from customer_summary_v1
    where cohort_month is not null
),

completed_orders as (
    select
        customer_id,
        order_month,
        net_value
    from int_orders_completed_v1
),

params as (
    select
        cast(date_trunc('month', as_of_date) as date) as as_of_month,
        last_day(as_of_date) <> as_of_date as as_of_month_is_partial
    from run_params
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_size
    from customer_cohorts
    group by cohort_month
),

cohort_periods as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_size,
        cast(periods.period_month as date) as period_month
    from cohort_sizes
    cross join params
    cross join unnest(generate_series(cohort_sizes.cohort_month, params.as_of_month, interval 1 month)) as periods (period_month)
),

cohort_activity as (
    select
        customer_cohorts.cohort_month,
        completed_orders.order_month as period_month,
        count(distinct completed_orders.customer_id) as active_customers,
        sum(completed_orders.net_value) as revenue
    from completed_orders
    inner join customer_cohorts
        on completed_orders.customer_id = customer_cohorts.customer_id
    group by customer_cohorts.cohort_month, completed_orders.order_month
),

cohort_periods_joined_to_activity as (
    select
        cohort_periods.cohort_month,
        date_diff('month', cohort_periods.cohort_month, cohort_periods.period_month) as period_number,
        cohort_periods.period_month,
        cohort_periods.cohort_size,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        coalesce(cohort_activity.revenue, 0) as revenue
    from cohort_periods
    left join cohort_activity
        on cohort_periods.cohort_month = cohort_activity.cohort_month
        and cohort_periods.period_month = cohort_activity.period_month
),

cohort_retention as (
    select
        cohort_periods_joined_to_activity.cohort_month,
        cohort_periods_joined_to_activity.period_number,
        cohort_periods_joined_to_activity.period_month,
        cohort_periods_joined_to_activity.cohort_size,
        cohort_periods_joined_to_activity.active_customers,
        cast(cohort_periods_joined_to_activity.active_customers as double)
            / cohort_periods_joined_to_activity.cohort_size as retention_rate,
        cohort_periods_joined_to_activity.revenue,
        -- in cents, so that a half cent rounds up exactly
        round(
            sum(cohort_periods_joined_to_activity.revenue) over (
                partition by cohort_periods_joined_to_activity.cohort_month
                order by cohort_periods_joined_to_activity.period_number
                rows between unbounded preceding and current row
            ) * 100 / cohort_periods_joined_to_activity.cohort_size
        ) / 100 as cumulative_revenue_per_customer,
        cohort_periods_joined_to_activity.period_month = params.as_of_month
            and params.as_of_month_is_partial as is_partial_period
    from cohort_periods_joined_to_activity
    cross join params
)

select * from cohort_retention
