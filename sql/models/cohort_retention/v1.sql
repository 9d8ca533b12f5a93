with

customer_months as (
    select
        order_month,
        cohort_month,
        revenue
    from int_customer_months_v1
),

months as (
    select
        month,
        is_partial_period
    from int_months_v1
),

-- a customer's cohort month is their first active month
cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_size
    from customer_months
    where order_month = cohort_month
    group by cohort_month
),

cohort_periods as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_size,
        months.month as period_month,
        months.is_partial_period
    from cohort_sizes
    inner join months
        on months.month >= cohort_sizes.cohort_month
),

-- one row per customer and active month
cohort_activity as (
    select
        cohort_month,
        order_month as period_month,
        count(*) as active_customers,
        sum(revenue) as revenue
    from customer_months
    group by cohort_month, order_month
),

cohort_periods_joined_to_activity as (
    select
        cohort_periods.cohort_month,
        date_diff('month', cohort_periods.cohort_month, cohort_periods.period_month) as period_number,
        cohort_periods.period_month,
        cohort_periods.cohort_size,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        coalesce(cohort_activity.revenue, 0) as revenue,
        cohort_periods.is_partial_period
    from cohort_periods
    left join cohort_activity
        on cohort_periods.cohort_month = cohort_activity.cohort_month
        and cohort_periods.period_month = cohort_activity.period_month
),

cohort_retention as (
    select
        cohort_month,
        period_number,
        period_month,
        cohort_size,
        active_customers,
        cast(active_customers as double) / cohort_size as retention_rate,
        revenue,
        -- in cents, so that a half cent rounds up exactly
        round(
            sum(revenue) over (
                partition by cohort_month
                order by period_number
                rows between unbounded preceding and current row
            ) * 100 / cohort_size
        ) / 100 as cumulative_revenue_per_customer,
        is_partial_period
    from cohort_periods_joined_to_activity
)

select * from cohort_retention
