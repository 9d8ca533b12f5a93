with

completed_orders as (
    select
        customer_id,
        order_month,
        net_value
    from int_orders_completed_v1
),

first_orders as (
    select cohort_month
    from int_customer_first_orders_v1
),

retention_monthly as (
    select
        month,
        churn_rate
    from retention_monthly_v1
),

trailing_12m_customers as (
    select
        month,
        customers_12m,
        repeat_customers_12m
    from int_trailing_12m_customers_v1
),

all_months as (
    select
        month,
        is_partial_period
    from int_months_v1
),

-- from the first cohort month
months as (
    select
        month,
        is_partial_period
    from all_months
    where month >= (select min(cohort_month) from first_orders)
),

customer_months as (
    select
        customer_id,
        order_month,
        count(*) as orders,
        sum(net_value) as revenue
    from completed_orders
    group by customer_id, order_month
),

month_totals as (
    select
        order_month as month,
        count(*) as active_customers,
        sum(orders) as orders,
        sum(revenue) as revenue
    from customer_months
    group by order_month
),

new_customer_counts as (
    select
        cohort_month as month,
        count(*) as new_customers
    from first_orders
    group by cohort_month
),

trailing_12m_sums as (
    select
        months.month,
        sum(month_totals.orders) as orders_12m,
        sum(month_totals.revenue) as revenue_12m
    from months
    inner join month_totals
        on month_totals.month > months.month - interval '12' month
        and month_totals.month <= months.month
    group by months.month
),

trailing_12m_churn as (
    select
        months.month,
        avg(retention_monthly.churn_rate) as avg_monthly_churn_12m
    from months
    inner join retention_monthly
        on retention_monthly.month > months.month - interval '12' month
        and retention_monthly.month <= months.month
    where retention_monthly.churn_rate is not null
    group by months.month
),

months_joined_to_totals as (
    select
        months.month,
        coalesce(month_totals.active_customers, 0) as active_customers,
        coalesce(new_customer_counts.new_customers, 0) as new_customers,
        coalesce(month_totals.orders, 0) as orders,
        coalesce(month_totals.revenue, 0) as revenue,
        coalesce(trailing_12m_customers.customers_12m, 0) as customers_12m,
        coalesce(trailing_12m_customers.repeat_customers_12m, 0) as repeat_customers_12m,
        coalesce(trailing_12m_sums.orders_12m, 0) as orders_12m,
        coalesce(trailing_12m_sums.revenue_12m, 0) as revenue_12m,
        trailing_12m_churn.avg_monthly_churn_12m,
        months.is_partial_period
    from months
    left join month_totals
        on months.month = month_totals.month
    left join new_customer_counts
        on months.month = new_customer_counts.month
    left join trailing_12m_customers
        on months.month = trailing_12m_customers.month
    left join trailing_12m_sums
        on months.month = trailing_12m_sums.month
    left join trailing_12m_churn
        on months.month = trailing_12m_churn.month
),

loyalty_kpis_monthly as (
    select
        month,
        active_customers,
        new_customers,
        orders,
        revenue,
        -- money averages in cents, so that a half cent rounds up exactly
        case when orders > 0 then round(revenue * 100 / orders) / 100 end as avg_order_value,
        customers_12m,
        orders_12m,
        revenue_12m,
        case when customers_12m > 0
            then cast(repeat_customers_12m as double) / customers_12m
        end as repeat_purchase_rate_12m,
        case when customers_12m > 0
            then cast(orders_12m as double) / customers_12m
        end as purchase_frequency_12m,
        case when orders_12m > 0 then round(revenue_12m * 100 / orders_12m) / 100 end as avg_order_value_12m,
        avg_monthly_churn_12m,
        case when avg_monthly_churn_12m > 0
            then 1 / (12 * avg_monthly_churn_12m)
        end as expected_lifespan_years,
        -- avg order value × purchase frequency = revenue_12m / customers_12m, kept unrounded
        case when customers_12m > 0 and avg_monthly_churn_12m > 0
            then cast(revenue_12m as double) / customers_12m / (12 * avg_monthly_churn_12m)
        end as clv_formula,
        is_partial_period
    from months_joined_to_totals
)

select * from loyalty_kpis_monthly
