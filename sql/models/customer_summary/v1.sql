with

customers as (
    select
        customer_id,
        created_at,
        acquisition_channel,
        referred_by
    from stg_customers
),

orders as (
    select
        customer_id,
        ordered_at
    from stg_orders
),

completed_orders as (
    select
        customer_id,
        ordered_at,
        net_value
    from int_orders_completed_v1
),

first_orders as (
    select
        customer_id,
        first_order_at,
        first_order_date,
        cohort_month
    from int_customer_first_orders_v1
),

params as (
    select as_of_date from run_params
),

known_customers as (
    select customers.customer_id
    from customers
    cross join params
    where cast(customers.created_at as date) <= params.as_of_date
    union
    select orders.customer_id
    from orders
    cross join params
    where cast(orders.ordered_at as date) <= params.as_of_date
),

completed_orders_per_customer as (
    select
        customer_id,
        max(ordered_at) as last_order_at,
        count(*) as orders,
        sum(net_value) as revenue
    from completed_orders
    group by customer_id
),

customer_summary as (
    select
        known_customers.customer_id,
        first_orders.cohort_month,
        first_orders.first_order_at,
        completed_orders_per_customer.last_order_at,
        coalesce(completed_orders_per_customer.orders, 0) as orders,
        coalesce(completed_orders_per_customer.revenue, 0) as revenue,
        -- in cents, so that a half cent rounds up exactly (a decimal divided by an integer is a double)
        round(completed_orders_per_customer.revenue * 100 / completed_orders_per_customer.orders) / 100 as avg_order_value,
        date_diff(
            'day',
            first_orders.first_order_date,
            cast(completed_orders_per_customer.last_order_at as date)
        ) as lifespan_days,
        date_diff('day', cast(completed_orders_per_customer.last_order_at as date), params.as_of_date) as recency_days,
        customers.acquisition_channel,
        case when customers.customer_id is not null then customers.referred_by is not null end as is_referred
    from known_customers
    cross join params
    left join completed_orders_per_customer
        on known_customers.customer_id = completed_orders_per_customer.customer_id
    left join first_orders
        on known_customers.customer_id = first_orders.customer_id
    left join customers
        on known_customers.customer_id = customers.customer_id
)

select * from customer_summary
