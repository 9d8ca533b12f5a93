with

subscriptions as (
    select
        customer_id,
        mrr,
        cast(started_at as date) as start_date,
        cast(ended_at as date) as end_date
    from stg_subscriptions
),

all_months as (
    select
        month,
        last_day_counted,
        is_partial_period
    from int_months_v1
),

-- from the month of the first subscription start; a subscription counts on the month's last day counted
months as (
    select
        month,
        last_day_counted as snapshot_date,
        is_partial_period
    from all_months
    where month >= (select cast(date_trunc('month', min(start_date)) as date) from subscriptions)
),

customer_mrr as (
    select
        months.month,
        subscriptions.customer_id,
        sum(subscriptions.mrr) as mrr
    from months
    inner join subscriptions
        on subscriptions.start_date <= months.snapshot_date
        and (subscriptions.end_date is null or subscriptions.end_date > months.snapshot_date)
    group by months.month, subscriptions.customer_id
    having sum(subscriptions.mrr) > 0
),

first_paid_months as (
    select
        customer_id,
        min(month) as first_paid_month
    from customer_mrr
    group by customer_id
),

-- every customer-month with MRR now or in the month before
customer_movements as (
    select
        cast(coalesce(current_month.month, previous_month.month + interval '1' month) as date) as month,
        coalesce(current_month.customer_id, previous_month.customer_id) as customer_id,
        coalesce(current_month.mrr, 0) as mrr,
        coalesce(previous_month.mrr, 0) as previous_mrr
    from customer_mrr as current_month
    full outer join customer_mrr as previous_month
        on current_month.customer_id = previous_month.customer_id
        and current_month.month = previous_month.month + interval '1' month
),

classified_movements as (
    select
        customer_movements.month,
        customer_movements.mrr,
        customer_movements.previous_mrr,
        case when customer_movements.previous_mrr = 0 and customer_movements.month = first_paid_months.first_paid_month
            then customer_movements.mrr else 0 end as new_mrr,
        case when customer_movements.previous_mrr = 0 and customer_movements.month > first_paid_months.first_paid_month
            then customer_movements.mrr else 0 end as reactivation_mrr,
        case when customer_movements.previous_mrr > 0 and customer_movements.mrr > customer_movements.previous_mrr
            then customer_movements.mrr - customer_movements.previous_mrr else 0 end as expansion_mrr,
        case when customer_movements.previous_mrr > 0 and customer_movements.mrr > 0 and customer_movements.mrr < customer_movements.previous_mrr
            then customer_movements.previous_mrr - customer_movements.mrr else 0 end as contraction_mrr,
        case when customer_movements.previous_mrr > 0 and customer_movements.mrr = 0
            then customer_movements.previous_mrr else 0 end as churned_mrr,
        customer_movements.previous_mrr > 0 and customer_movements.mrr = 0 as has_churned
    from customer_movements
    inner join first_paid_months
        on customer_movements.customer_id = first_paid_months.customer_id
),

month_totals as (
    select
        month,
        sum(mrr) as mrr,
        count(*) filter (where mrr > 0) as paying_customers,
        sum(previous_mrr) as starting_mrr,
        count(*) filter (where previous_mrr > 0) as starting_customers,
        sum(new_mrr) as new_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        count(*) filter (where has_churned) as churned_customers
    from classified_movements
    group by month
),

mrr_monthly as (
    select
        months.month,
        coalesce(month_totals.mrr, 0) as mrr,
        coalesce(month_totals.paying_customers, 0) as paying_customers,
        case when month_totals.paying_customers > 0
            then round(month_totals.mrr * 100 / month_totals.paying_customers) / 100
        end as arpa,
        coalesce(month_totals.new_mrr, 0) as new_mrr,
        coalesce(month_totals.expansion_mrr, 0) as expansion_mrr,
        coalesce(month_totals.contraction_mrr, 0) as contraction_mrr,
        coalesce(month_totals.churned_mrr, 0) as churned_mrr,
        coalesce(month_totals.reactivation_mrr, 0) as reactivation_mrr,
        case when month_totals.starting_customers > 0
            then cast(month_totals.churned_customers as double) / month_totals.starting_customers
        end as customer_churn_rate,
        case when month_totals.starting_mrr > 0
            then cast(month_totals.starting_mrr - month_totals.churned_mrr - month_totals.contraction_mrr as double)
                / cast(month_totals.starting_mrr as double)
        end as gross_revenue_retention,
        case when month_totals.starting_mrr > 0
            then cast(month_totals.starting_mrr - month_totals.churned_mrr - month_totals.contraction_mrr + month_totals.expansion_mrr as double)
                / cast(month_totals.starting_mrr as double)
        end as net_revenue_retention,
        months.is_partial_period
    from months
    left join month_totals
        on months.month = month_totals.month
)

select * from mrr_monthly
