with

completed_orders as (
    select
        customer_id,
        order_month
    from int_orders_completed_v1
),

months as (
    select month
    from int_months_v1
),

customer_months as (
    select
        customer_id,
        order_month,
        count(*) as orders
    from completed_orders
    group by customer_id, order_month
),

-- from the first cohort month
window_months as (
    select month
    from months
    where month >= (select min(order_month) from customer_months)
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
        greatest(order_month, coalesce(previous_order_month + interval '12' month, order_month)) as in_window_from,
        order_month + interval '11' month as in_window_until,
        case
            when orders >= 2 then order_month + interval '11' month
            when previous_order_month + interval '11' month >= order_month then previous_order_month + interval '11' month
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
                ) + interval '1' month,
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
    select cast(in_window_until + interval '1' month as date), -1, 0
    from customer_coverage
    union all
    select cast(repeat_from as date), 0, 1
    from customer_repeat_coverage
    where repeat_from <= repeat_until
    union all
    select cast(repeat_until + interval '1' month as date), 0, -1
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

trailing_12m_customers as (
    select
        window_months.month,
        sum(coalesce(coverage_changes_per_month.customers_change, 0)) over (
            order by window_months.month rows between unbounded preceding and current row
        ) as customers_12m,
        sum(coalesce(coverage_changes_per_month.repeat_customers_change, 0)) over (
            order by window_months.month rows between unbounded preceding and current row
        ) as repeat_customers_12m
    from window_months
    left join coverage_changes_per_month
        on window_months.month = coverage_changes_per_month.month
)

select * from trailing_12m_customers
