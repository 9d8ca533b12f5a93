with

completed_orders as (
    select
        customer_id,
        ordered_at
    from int_orders_completed_v1
),

first_orders as (
    select
        customer_id,
        min(ordered_at) as first_order_at
    from completed_orders
    group by customer_id
),

customer_first_orders as (
    select
        customer_id,
        first_order_at,
        cast(first_order_at as date) as first_order_date,
        cast(date_trunc('month', first_order_at) as date) as cohort_month
    from first_orders
)

select * from customer_first_orders
