with

memberships as (
    select
        customer_id,
        joined_at,
        left_at
    from stg_program_memberships
),

scorecard_v1 as (
    select * from loyalty_scorecard_monthly_v1
),

engagement_monthly as (
    select
        month,
        events_per_active_user,
        sessions_per_active_user,
        avg_session_minutes
    from engagement_monthly_v2
),

support_monthly as (
    select
        month,
        complaint_rate
    from support_monthly_v1
),

completed_orders as (
    select
        customer_id,
        order_month
    from int_orders_completed_v1
),

trailing_12m_customers as (
    select
        month,
        customers_12m
    from int_trailing_12m_customers_v1
),

params as (
    select as_of_date from run_params
),

-- an export that was never dropped leaves its staging view empty: participation is NULL, not 0
dataset_presence as (
    select exists (select 1 from memberships) as has_memberships
),

months as (
    select
        scorecard_v1.month,
        least(last_day(scorecard_v1.month), params.as_of_date) as last_day_counted
    from scorecard_v1
    cross join params
),

membership_dates as (
    select
        memberships.customer_id,
        cast(memberships.joined_at as date) as joined_date,
        cast(memberships.left_at as date) as left_date
    from memberships
    cross join params
    where cast(memberships.joined_at as date) <= params.as_of_date
),

-- members of any program on l, each customer once
members_on_last_day as (
    select distinct
        months.month,
        membership_dates.customer_id
    from months
    inner join membership_dates
        on membership_dates.joined_date <= months.last_day_counted
        and (membership_dates.left_date is null or membership_dates.left_date > months.last_day_counted)
),

-- the members among the customers_12m set (a completed order in the 12 months ending with m)
member_customers_12m as (
    select
        members_on_last_day.month,
        count(distinct members_on_last_day.customer_id) as members_12m
    from members_on_last_day
    inner join completed_orders
        on completed_orders.customer_id = members_on_last_day.customer_id
        and completed_orders.order_month > members_on_last_day.month - interval '12' month
        and completed_orders.order_month <= members_on_last_day.month
    group by members_on_last_day.month
),

scorecard_joined as (
    select
        scorecard_v1.*,
        engagement_monthly.events_per_active_user,
        engagement_monthly.sessions_per_active_user,
        engagement_monthly.avg_session_minutes,
        case when dataset_presence.has_memberships and trailing_12m_customers.customers_12m > 0
            then cast(coalesce(member_customers_12m.members_12m, 0) as double) / trailing_12m_customers.customers_12m
        end as participation_rate,
        support_monthly.complaint_rate
    from scorecard_v1
    cross join dataset_presence
    left join engagement_monthly
        on scorecard_v1.month = engagement_monthly.month
    left join support_monthly
        on scorecard_v1.month = support_monthly.month
    left join trailing_12m_customers
        on scorecard_v1.month = trailing_12m_customers.month
    left join member_customers_12m
        on scorecard_v1.month = member_customers_12m.month
),

loyalty_scorecard_monthly as (
    select
        month,
        retention_rate,
        churn_rate,
        repeat_purchase_rate_12m,
        purchase_frequency_12m,
        avg_order_value_12m,
        clv_formula,
        mrr,
        net_revenue_retention,
        gross_revenue_retention,
        nps,
        csat,
        ces,
        dau_mau,
        referral_rate,
        retention_cost,
        crc,
        events_per_active_user,
        sessions_per_active_user,
        avg_session_minutes,
        participation_rate,
        complaint_rate,
        case when crc <> 0 then cast(clv_formula as double) / cast(crc as double) end as clv_to_crc_ratio,
        round(clv_formula * cast({{ gross_margin }} as decimal(18,6)), 2) as clv_margin,
        is_partial_period
    from scorecard_joined
)

select * from loyalty_scorecard_monthly
