with

orders as (
    select ordered_at
    from stg_orders
),

subscriptions as (
    select started_at
    from stg_subscriptions
),

survey_responses as (
    select responded_at
    from stg_survey_responses
),

events as (
    select occurred_at
    from stg_events
),

retention_costs as (
    select month
    from stg_retention_costs
),

params as (
    select as_of_date from run_params
),

first_months_per_input as (
    select cast(date_trunc('month', min(ordered_at)) as date) as first_month from orders
    union all
    select cast(date_trunc('month', min(started_at)) as date) from subscriptions
    union all
    select cast(date_trunc('month', min(responded_at)) as date) from survey_responses
    union all
    select cast(date_trunc('month', min(occurred_at)) as date) from events
    union all
    select min(month) from retention_costs
),

month_starts as (
    select cast(month_series.month as date) as month
    from (select min(first_month) as first_month from first_months_per_input) as bounds
    cross join params
    cross join unnest(
        generate_series(bounds.first_month, cast(date_trunc('month', params.as_of_date) as date), interval '1' month)
    ) as month_series (month)
),

months as (
    select
        month_starts.month,
        least(last_day(month_starts.month), params.as_of_date) as last_day_counted,
        date_diff('day', month_starts.month, least(last_day(month_starts.month), params.as_of_date)) + 1 as days_counted,
        last_day(month_starts.month) > params.as_of_date as is_partial_period
    from month_starts
    cross join params
)

select * from months
