with

completed_orders as (
    select
        customer_id,
        order_date
    from int_orders_completed_v1
),

first_orders as (
    select
        first_order_date,
        cohort_month
    from int_customer_first_orders_v1
),

months as (
    select
        month,
        last_day_counted,
        is_partial_period
    from int_months_v1
),

params as (
    select churn_window_days from run_params
),

customer_order_dates as (
    select distinct
        customer_id,
        order_date
    from completed_orders
),

-- from the month after the first cohort month
month_bounds as (
    select
        months.month,
        months.month as first_day,
        months.last_day_counted,
        params.churn_window_days,
        months.is_partial_period
    from months
    cross join params
    where months.month > (select min(cohort_month) from first_orders)
),

customer_liveness_per_month as (
    select
        month_bounds.month,
        customer_order_dates.customer_id,
        bool_or(
            customer_order_dates.order_date between month_bounds.first_day - month_bounds.churn_window_days
            and month_bounds.first_day - 1
        ) as is_live_at_start,
        bool_or(
            customer_order_dates.order_date between month_bounds.last_day_counted - month_bounds.churn_window_days + 1
            and month_bounds.last_day_counted
        ) as is_live_at_end
    from month_bounds
    inner join customer_order_dates
        on customer_order_dates.order_date >= month_bounds.first_day - month_bounds.churn_window_days
        and customer_order_dates.order_date <= month_bounds.last_day_counted
    group by month_bounds.month, customer_order_dates.customer_id
),

live_counts as (
    select
        month,
        count(*) filter (where is_live_at_start) as customers_start,
        count(*) filter (where is_live_at_end) as customers_end,
        count(*) filter (where is_live_at_start and is_live_at_end) as retained_customers
    from customer_liveness_per_month
    group by month
),

new_customer_counts as (
    select
        month_bounds.month,
        count(*) as new_customers
    from month_bounds
    inner join first_orders
        on first_orders.first_order_date between month_bounds.first_day and month_bounds.last_day_counted
    group by month_bounds.month
),

month_bounds_joined_to_counts as (
    select
        month_bounds.month,
        coalesce(live_counts.customers_start, 0) as customers_start,
        coalesce(live_counts.customers_end, 0) as customers_end,
        coalesce(new_customer_counts.new_customers, 0) as new_customers,
        coalesce(live_counts.retained_customers, 0) as retained_customers,
        month_bounds.churn_window_days,
        month_bounds.is_partial_period
    from month_bounds
    left join live_counts
        on month_bounds.month = live_counts.month
    left join new_customer_counts
        on month_bounds.month = new_customer_counts.month
),

retention_monthly as (
    select
        month,
        customers_start,
        customers_end,
        new_customers,
        retained_customers,
        customers_start - retained_customers as lost_customers,
        customers_end - new_customers - retained_customers as reactivated_customers,
        case when customers_start > 0
            then cast(customers_end - new_customers as double) / customers_start
        end as retention_rate,
        case when customers_start > 0
            then cast(customers_start - retained_customers as double) / customers_start
        end as churn_rate,
        churn_window_days,
        is_partial_period
    from month_bounds_joined_to_counts
)

select * from retention_monthly
