with

customers as (
    select
        customer_id,
        acquisition_channel,
        segment,
        country
    from stg_customers
),

first_orders as (
    select
        customer_id,
        cohort_month
    from int_customer_first_orders_v1
),

-- staging holds one row per customer_id (the latest export wins); a blank value is no value
customer_segments as (
    select
        first_orders.customer_id,
        first_orders.cohort_month,
        coalesce(nullif(trim(customers.acquisition_channel), ''), '(none)') as acquisition_channel,
        coalesce(nullif(trim(customers.segment), ''), '(none)') as segment,
        coalesce(nullif(trim(customers.country), ''), '(none)') as country
    from first_orders
    left join customers
        on first_orders.customer_id = customers.customer_id
),

-- the segment models group by it: one integer instead of three strings, a hash of them (cheaper than
-- numbering the combinations and joining the numbers back); the data test one_combination_id_per_combination
-- fails the run if two combinations ever share one
customer_segments_numbered as (
    select
        customer_id,
        cohort_month,
        acquisition_channel,
        segment,
        country,
        cast(hash(acquisition_channel, segment, country) >> 1 as bigint) as combination_id
    from customer_segments
)

select * from customer_segments_numbered
