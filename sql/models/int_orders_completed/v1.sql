with

orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        amount,
        refunded_amount,
        status
    from stg_orders
),

params as (
    select as_of_date from run_params
),

completed_orders as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        cast(orders.ordered_at as date) as order_date,
        cast(date_trunc('month', orders.ordered_at) as date) as order_month,
        orders.amount - orders.refunded_amount as net_value
    from orders
    cross join params
    where orders.status = 'completed'
        and cast(orders.ordered_at as date) <= params.as_of_date
)

select * from completed_orders
