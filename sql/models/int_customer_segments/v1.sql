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

-- the segment models group by it: one small integer instead of three strings (numbered once per
-- distinct combination, then joined back: cheaper than ranking every customer)
combinations as (
    select
        acquisition_channel,
        segment,
        country,
        row_number() over (order by acquisition_channel, segment, country) as combination_id
    from (select distinct acquisition_channel, segment, country from customer_segments) as distinct_combinations
),

customer_segments_numbered as (
    select
        customer_segments.customer_id,
        customer_segments.cohort_month,
        customer_segments.acquisition_channel,
        customer_segments.segment,
        customer_segments.country,
        combinations.combination_id
    from customer_segments
    inner join combinations
        on customer_segments.acquisition_channel = combinations.acquisition_channel
        and customer_segments.segment = combinations.segment
        and customer_segments.country = combinations.country
)

select * from customer_segments_numbered
