with

product_events as (
    select
        customer_id,
        occurred_at
    from stg_events
),

all_months as (
    select
        month,
        days_counted,
        is_partial_period
    from int_months_v1
),

params as (
    select as_of_date from run_params
),

events as (
    select
        product_events.customer_id,
        cast(product_events.occurred_at as date) as event_date
    from product_events
    cross join params
    where cast(product_events.occurred_at as date) <= params.as_of_date
),

-- from the month of the first event
months as (
    select
        month,
        days_counted,
        is_partial_period
    from all_months
    where month >= (select cast(date_trunc('month', min(event_date)) as date) from events)
),

daily_active as (
    select
        cast(date_trunc('month', event_date) as date) as month,
        event_date,
        count(distinct customer_id) as active_customers
    from events
    group by event_date
),

monthly_active as (
    select
        cast(date_trunc('month', event_date) as date) as month,
        count(distinct customer_id) as active_customers
    from events
    group by cast(date_trunc('month', event_date) as date)
),

daily_totals as (
    select
        month,
        sum(active_customers) as active_customer_days
    from daily_active
    group by month
),

engagement_monthly as (
    select
        months.month,
        coalesce(monthly_active.active_customers, 0) as monthly_active_customers,
        cast(coalesce(daily_totals.active_customer_days, 0) as double) / months.days_counted as avg_daily_active_customers,
        months.days_counted,
        case when monthly_active.active_customers > 0
            then cast(daily_totals.active_customer_days as double) / months.days_counted / monthly_active.active_customers
        end as dau_mau,
        months.is_partial_period
    from months
    left join monthly_active
        on months.month = monthly_active.month
    left join daily_totals
        on months.month = daily_totals.month
)

select * from engagement_monthly
