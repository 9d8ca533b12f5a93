with

customer_combinations as (
    select
        customer_id,
        combination_id
    from int_customer_segments_v1
),

customer_months as (
    select
        customer_id,
        order_month,
        cohort_month,
        orders,
        revenue,
        in_window_from,
        in_window_before,
        repeat_from,
        repeat_before,
        live_start_before,
        live_end_before,
        is_retained_in_month
    from int_customer_months_v1
),

combination_months as (
    select
        customer_combinations.combination_id,
        customer_months.cohort_month,
        customer_months.order_month,
        customer_months.in_window_from,
        customer_months.in_window_before,
        -- no repeat range: the empty one, [order_month, order_month)
        coalesce(customer_months.repeat_from, customer_months.order_month) as repeat_from,
        coalesce(customer_months.repeat_before, customer_months.order_month) as repeat_before,
        customer_months.live_start_before,
        customer_months.live_end_before,
        customer_months.is_retained_in_month,
        count(*) as customers,
        sum(customer_months.orders) as orders,
        sum(customer_months.revenue) as revenue
    from customer_months
    inner join customer_combinations
        on customer_months.customer_id = customer_combinations.customer_id
    group by all
)

select * from combination_months
