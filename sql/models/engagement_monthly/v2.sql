with

product_events as (
    select
        customer_id,
        event_name,
        occurred_at,
        session_id,
        duration_seconds
    from stg_events
),

engagement_v1 as (
    select
        month,
        monthly_active_customers,
        avg_daily_active_customers,
        days_counted,
        dau_mau,
        is_partial_period
    from engagement_monthly_v1
),

params as (
    select as_of_date from run_params
),

events as (
    select
        product_events.customer_id,
        product_events.event_name,
        product_events.occurred_at,
        cast(product_events.occurred_at as date) as event_date,
        product_events.session_id,
        product_events.duration_seconds
    from product_events
    cross join params
    where cast(product_events.occurred_at as date) <= params.as_of_date
),

-- Events without a session_id: a new session where the gap to the customer's previous such event is longer than the setting
gap_flagged as (
    select
        customer_id,
        occurred_at,
        duration_seconds,
        case
            when lag(occurred_at) over (partition by customer_id order by occurred_at) is null then 1
            when date_diff('microsecond', lag(occurred_at) over (partition by customer_id order by occurred_at), occurred_at)
                > cast({{ session_gap_minutes }} as double) * 60000000 then 1
            else 0
        end as starts_session
    from events
    where session_id is null
),

session_events as (
    select
        customer_id,
        'id:' || session_id as session_key,
        occurred_at,
        duration_seconds
    from events
    where session_id is not null
    union all
    select
        customer_id,
        -- the default frame counts events at the same time together: they share a session whatever their order
        'gap:' || cast(sum(starts_session) over (partition by customer_id order by occurred_at) as varchar) as session_key,
        occurred_at,
        duration_seconds
    from gap_flagged
),

sessions as (
    select
        customer_id,
        session_key,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as events,
        count(duration_seconds) as events_with_duration,
        sum(duration_seconds) as duration_seconds
    from session_events
    group by customer_id, session_key
),

-- Lengths in whole microseconds (durations have 2 decimals): exact sums, the same whatever order a parallel sum takes
session_lengths as (
    select
        cast(date_trunc('month', started_at) as date) as month,
        case
            when events_with_duration = events then cast(duration_seconds * 1000000 as bigint)
            else date_diff('microsecond', started_at, ended_at)
        end as microseconds
    from sessions
),

monthly_sessions as (
    select
        month,
        count(*) as sessions,
        cast(sum(microseconds) as double) / 60000000 as session_minutes
    from session_lengths
    group by month
),

monthly_events as (
    select
        cast(date_trunc('month', event_date) as date) as month,
        count(*) as events,
        count(*) filter (where event_name = {{ login_event }}) as logins
    from events
    group by cast(date_trunc('month', event_date) as date)
),

customer_days as (
    select distinct
        customer_id,
        event_date
    from events
),

monthly_active_days as (
    select
        cast(date_trunc('month', event_date) as date) as month,
        count(*) as active_days
    from customer_days
    group by cast(date_trunc('month', event_date) as date)
),

engagement_monthly as (
    select
        engagement_v1.month,
        engagement_v1.monthly_active_customers,
        engagement_v1.avg_daily_active_customers,
        engagement_v1.days_counted,
        engagement_v1.dau_mau,
        coalesce(monthly_events.events, 0) as events,
        cast(monthly_events.events as double) / nullif(engagement_v1.monthly_active_customers, 0) as events_per_active_user,
        cast(monthly_events.logins as double) / nullif(engagement_v1.monthly_active_customers, 0) as logins_per_active_user,
        coalesce(monthly_sessions.sessions, 0) as sessions,
        cast(coalesce(monthly_sessions.sessions, 0) as double)
            / nullif(engagement_v1.monthly_active_customers, 0) as sessions_per_active_user,
        monthly_sessions.session_minutes / monthly_sessions.sessions as avg_session_minutes,
        coalesce(monthly_sessions.session_minutes, 0) / nullif(monthly_active_days.active_days, 0) as minutes_per_active_day,
        engagement_v1.is_partial_period
    from engagement_v1
    left join monthly_events
        on engagement_v1.month = monthly_events.month
    left join monthly_sessions
        on engagement_v1.month = monthly_sessions.month
    left join monthly_active_days
        on engagement_v1.month = monthly_active_days.month
)

select * from engagement_monthly
