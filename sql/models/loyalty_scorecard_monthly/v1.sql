with

params as (
    select as_of_date from run_params
),

retention_costs as (
    select
        month,
        amount
    from stg_retention_costs
    where month <= (select as_of_date from run_params)
),

has_customers as (
    select count(*) > 0 as has_customers from available_datasets where dataset = 'customers'
),

has_retention_costs as (
    select count(*) > 0 as has_retention_costs from available_datasets where dataset = 'retention_costs'
),

first_months as (
    select min(month) as first_month from loyalty_kpis_monthly_v1
    union all
    select min(month) from mrr_monthly_v1
    union all
    select min(month) from survey_scores_monthly_v1
    union all
    select min(month) from engagement_monthly_v1
    union all
    select min(month) from retention_costs
),

months as (
    select
        cast(month_series.month as date) as month,
        last_day(cast(month_series.month as date)) > params.as_of_date as is_partial_period
    from (select min(first_month) as first_month from first_months) as bounds
    cross join params
    cross join unnest(
        generate_series(bounds.first_month, cast(date_trunc('month', params.as_of_date) as date), interval 1 month)
    ) as month_series (month)
),

referrals as (
    select
        cohort_month as month,
        count(*) as new_customers,
        count(*) filter (where is_referred) as referred_new_customers
    from customer_summary_v1
    where cohort_month is not null
    group by cohort_month
),

monthly_retention_costs as (
    select
        month,
        sum(amount) as retention_cost
    from retention_costs
    group by month
),

scorecard as (
    select
        months.month,
        retention_monthly_v1.retention_rate,
        retention_monthly_v1.churn_rate,
        loyalty_kpis_monthly_v1.repeat_purchase_rate_12m,
        loyalty_kpis_monthly_v1.purchase_frequency_12m,
        loyalty_kpis_monthly_v1.avg_order_value_12m,
        loyalty_kpis_monthly_v1.clv_formula,
        mrr_monthly_v1.mrr,
        mrr_monthly_v1.net_revenue_retention,
        mrr_monthly_v1.gross_revenue_retention,
        survey_scores_monthly_v1.nps,
        survey_scores_monthly_v1.csat,
        survey_scores_monthly_v1.ces,
        engagement_monthly_v1.dau_mau,
        case when has_customers.has_customers and referrals.new_customers > 0
            then cast(referrals.referred_new_customers as double) / referrals.new_customers
        end as referral_rate,
        case when has_retention_costs.has_retention_costs
            then coalesce(monthly_retention_costs.retention_cost, 0)
        end as retention_cost,
        retention_monthly_v1.retained_customers,
        months.is_partial_period
    from months
    cross join has_customers
    cross join has_retention_costs
    left join retention_monthly_v1 on months.month = retention_monthly_v1.month
    left join loyalty_kpis_monthly_v1 on months.month = loyalty_kpis_monthly_v1.month
    left join mrr_monthly_v1 on months.month = mrr_monthly_v1.month
    left join survey_scores_monthly_v1 on months.month = survey_scores_monthly_v1.month
    left join engagement_monthly_v1 on months.month = engagement_monthly_v1.month
    left join referrals on months.month = referrals.month
    left join monthly_retention_costs on months.month = monthly_retention_costs.month
)

select
    * exclude (retained_customers, is_partial_period),
    case when retained_customers > 0 then round(retention_cost * 100 / retained_customers) / 100 end as crc,
    is_partial_period
from scorecard
