with

customers as (
    select customer_id
    from stg_customers
),

retention_costs as (
    select
        month,
        amount
    from stg_retention_costs
),

customer_summary as (
    select
        cohort_month,
        is_referred
    from customer_summary_v1
),

retention_monthly as (
    select
        month,
        retention_rate,
        churn_rate,
        retained_customers
    from retention_monthly_v1
),

loyalty_kpis_monthly as (
    select
        month,
        repeat_purchase_rate_12m,
        purchase_frequency_12m,
        avg_order_value_12m,
        clv_formula
    from loyalty_kpis_monthly_v1
),

mrr_monthly as (
    select
        month,
        mrr,
        net_revenue_retention,
        gross_revenue_retention
    from mrr_monthly_v1
),

survey_scores_monthly as (
    select
        month,
        nps,
        csat,
        ces
    from survey_scores_monthly_v1
),

engagement_monthly as (
    select
        month,
        dau_mau
    from engagement_monthly_v1
),

all_months as (
    select
        month,
        is_partial_period
    from int_months_v1
),

params as (
    select as_of_date from run_params
),

-- an export that was never dropped leaves its staging view empty: its metrics are NULL, not 0
dataset_presence as (
    select
        exists (select 1 from customers) as has_customers,
        exists (select 1 from retention_costs) as has_retention_costs
),

retention_costs_up_to_as_of as (
    select
        retention_costs.month,
        retention_costs.amount
    from retention_costs
    cross join params
    where retention_costs.month <= params.as_of_date
),

first_months as (
    select min(month) as first_month from loyalty_kpis_monthly
    union all
    select min(month) from mrr_monthly
    union all
    select min(month) from survey_scores_monthly
    union all
    select min(month) from engagement_monthly
    union all
    select min(month) from retention_costs_up_to_as_of
),

-- from the first month of any data
months as (
    select
        month,
        is_partial_period
    from all_months
    where month >= (select min(first_month) from first_months)
),

referrals as (
    select
        cohort_month as month,
        count(*) as new_customers,
        count(*) filter (where is_referred) as referred_new_customers
    from customer_summary
    where cohort_month is not null
    group by cohort_month
),

monthly_retention_costs as (
    select
        month,
        sum(amount) as retention_cost
    from retention_costs_up_to_as_of
    group by month
),

months_joined_to_metrics as (
    select
        months.month,
        retention_monthly.retention_rate,
        retention_monthly.churn_rate,
        loyalty_kpis_monthly.repeat_purchase_rate_12m,
        loyalty_kpis_monthly.purchase_frequency_12m,
        loyalty_kpis_monthly.avg_order_value_12m,
        loyalty_kpis_monthly.clv_formula,
        mrr_monthly.mrr,
        mrr_monthly.net_revenue_retention,
        mrr_monthly.gross_revenue_retention,
        survey_scores_monthly.nps,
        survey_scores_monthly.csat,
        survey_scores_monthly.ces,
        engagement_monthly.dau_mau,
        case when dataset_presence.has_customers and referrals.new_customers > 0
            then cast(referrals.referred_new_customers as double) / referrals.new_customers
        end as referral_rate,
        case when dataset_presence.has_retention_costs
            then coalesce(monthly_retention_costs.retention_cost, 0)
        end as retention_cost,
        retention_monthly.retained_customers,
        months.is_partial_period
    from months
    cross join dataset_presence
    left join retention_monthly
        on months.month = retention_monthly.month
    left join loyalty_kpis_monthly
        on months.month = loyalty_kpis_monthly.month
    left join mrr_monthly
        on months.month = mrr_monthly.month
    left join survey_scores_monthly
        on months.month = survey_scores_monthly.month
    left join engagement_monthly
        on months.month = engagement_monthly.month
    left join referrals
        on months.month = referrals.month
    left join monthly_retention_costs
        on months.month = monthly_retention_costs.month
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
        -- in cents, so that a half cent rounds up exactly
        case when retained_customers > 0 then round(retention_cost * 100 / retained_customers) / 100 end as crc,
        is_partial_period
    from months_joined_to_metrics
)

select * from loyalty_scorecard_monthly
