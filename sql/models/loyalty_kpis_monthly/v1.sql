with

completed_orders as (
    select
        customer_id,
        order_month,
        net_value
    from int_orders_completed_v1
),

retention_monthly as (
    select
        month,
        churn_rate
    from retention_monthly_v1
),

params as (
    select as_of_date from run_params
),

first_months as (
    select
        customer_id,
        min(order_month) as first_month
    from completed_orders
    group by customer_id
),

months as (
    select
        cast(month_series.month as date) as month,
        last_day(cast(month_series.month as date)) > params.as_of_date as is_partial_period
    from (select min(first_month) as first_cohort_month from first_months) as bounds
    cross join params
    cross join unnest(
        generate_series(bounds.first_cohort_month, cast(date_trunc('month', params.as_of_date) as date), interval 1 month)
    ) as month_series (month)
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
        first_month as month,
        count(*) as new_customers
    from first_months
    group by first_month
),

-- A customer counts in the trailing window of month m (the 12 months ending with m) while
-- m is within 11 months after one of their active months. Rather than expanding every
-- active month into 12 rows, each customer's coverage is cut into disjoint month intervals
-- and counted with +1 where an interval starts and -1 after it ends (a running sum below).
customer_months_with_previous as (
    select
        customer_id,
        order_month,
        orders,
        lag(order_month) over (partition by customer_id order by order_month) as previous_order_month
    from customer_months
),

-- In the window: months [order_month, order_month + 11], minus what the previous active month already covered.
-- Repeat (>= 2 orders in the window): from order_month until the window loses this month (if it has >= 2 orders)
-- or the previous active month (if that is within 11 months).
customer_coverage as (
    select
        customer_id,
        order_month,
        greatest(order_month, coalesce(previous_order_month + interval 12 month, order_month)) as in_window_from,
        order_month + interval 11 month as in_window_until,
        case
            when orders >= 2 then order_month + interval 11 month
            when previous_order_month + interval 11 month >= order_month then previous_order_month + interval 11 month
        end as repeat_until
    from customer_months_with_previous
),

customer_repeat_coverage as (
    select
        customer_id,
        greatest(
            order_month,
            coalesce(
                max(repeat_until) over (
                    partition by customer_id order by order_month rows between unbounded preceding and 1 preceding
                ) + interval 1 month,
                order_month
            )
        ) as repeat_from,
        repeat_until
    from customer_coverage
    where repeat_until is not null
),

coverage_changes as (
    select cast(in_window_from as date) as month, 1 as customers_change, 0 as repeat_customers_change
    from customer_coverage
    union all
    select cast(in_window_until + interval 1 month as date), -1, 0
    from customer_coverage
    union all
    select cast(repeat_from as date), 0, 1
    from customer_repeat_coverage
    where repeat_from <= repeat_until
    union all
    select cast(repeat_until + interval 1 month as date), 0, -1
    from customer_repeat_coverage
    where repeat_from <= repeat_until
),

coverage_changes_per_month as (
    select
        month,
        sum(customers_change) as customers_change,
        sum(repeat_customers_change) as repeat_customers_change
    from coverage_changes
    group by month
),

trailing_12m_totals as (
    select
        months.month,
        sum(coalesce(coverage_changes_per_month.customers_change, 0)) over (
            order by months.month rows between unbounded preceding and current row
        ) as customers_12m,
        sum(coalesce(coverage_changes_per_month.repeat_customers_change, 0)) over (
            order by months.month rows between unbounded preceding and current row
        ) as repeat_customers_12m
    from months
    left join coverage_changes_per_month
        on months.month = coverage_changes_per_month.month
),

trailing_12m_sums as (
    select
        months.month,
        sum(month_totals.orders) as orders_12m,
        sum(month_totals.revenue) as revenue_12m
    from months
    inner join month_totals
        on month_totals.month > months.month - interval 12 month
        and month_totals.month <= months.month
    group by months.month
),

trailing_12m_churn as (
    select
        months.month,
        avg(retention_monthly.churn_rate) as avg_monthly_churn_12m
    from months
    inner join retention_monthly
        on retention_monthly.month > months.month - interval 12 month
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
        coalesce(trailing_12m_totals.customers_12m, 0) as customers_12m,
        coalesce(trailing_12m_totals.repeat_customers_12m, 0) as repeat_customers_12m,
        coalesce(trailing_12m_sums.orders_12m, 0) as orders_12m,
        coalesce(trailing_12m_sums.revenue_12m, 0) as revenue_12m,
        trailing_12m_churn.avg_monthly_churn_12m,
        months.is_partial_period
    from months
    left join month_totals
        on months.month = month_totals.month
    left join new_customer_counts
        on months.month = new_customer_counts.month
    left join trailing_12m_totals
        on months.month = trailing_12m_totals.month
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
