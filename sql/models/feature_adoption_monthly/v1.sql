with

product_events as (
    select
        customer_id,
        event_name,
        occurred_at
    from stg_events
),

engagement as (
    select
        month,
        monthly_active_customers,
        is_partial_period
    from engagement_monthly_v1
),

params as (
    select as_of_date from run_params
),

key_features as (
    select distinct feature
    from unnest({{ key_features }}) as listed (feature)
),

feature_events as (
    select
        product_events.customer_id,
        product_events.event_name as feature,
        cast(date_trunc('month', product_events.occurred_at) as date) as month
    from product_events
    cross join params
    where cast(product_events.occurred_at as date) <= params.as_of_date
        and product_events.event_name in (select feature from key_features)
),

monthly_adopters as (
    select
        month,
        feature,
        count(distinct customer_id) as adopters
    from feature_events
    group by month, feature
),

feature_adoption_monthly as (
    select
        engagement.month,
        key_features.feature,
        engagement.monthly_active_customers,
        coalesce(monthly_adopters.adopters, 0) as adopters,
        cast(coalesce(monthly_adopters.adopters, 0) as double) / nullif(engagement.monthly_active_customers, 0) as adoption_rate,
        engagement.is_partial_period
    from engagement
    cross join key_features
    left join monthly_adopters
        on engagement.month = monthly_adopters.month
        and key_features.feature = monthly_adopters.feature
)

select * from feature_adoption_monthly
