with

completed_orders as (
    select
        customer_id,
        order_date,
        order_month,
        net_value
    from int_orders_completed_v1
),

params as (
    select
        as_of_date,
        cast(date_trunc('month', as_of_date) as date) as as_of_month,
        churn_window_days
    from run_params
),

customer_months as (
    select
        customer_id,
        order_month,
        count(*) as orders,
        sum(net_value) as revenue,
        max(order_date) as last_order_date
    from completed_orders
    group by customer_id, order_month
),

customer_months_with_neighbours as (
    select
        customer_id,
        order_month,
        orders,
        revenue,
        last_order_date,
        first_value(order_month) over customer_history as cohort_month,
        lag(order_month) over customer_history as previous_order_month,
        lag(last_order_date) over customer_history as previous_last_order_date,
        lead(order_month) over customer_history as next_order_month
    from customer_months
    window customer_history as (partition by customer_id order by order_month)
),

-- The liveness of retention_monthly (live on d: an order dated in [d − W + 1, d]) in month terms. Between
-- this active month and the next one, the customer's latest order is last_order_date (x), so they are
-- live at the end of m (on l) while l ≤ x + W − 1, and live at the start of m (on f − 1) while f ≤ x + W.
customer_months_with_liveness as (
    select
        customer_months_with_neighbours.*,
        -- the last month whose l is within the window of x: the as-of month if its l (the as-of date) is,
        -- else the month before the one holding x + W (each earlier month's l is its last day)
        case
            when customer_months_with_neighbours.last_order_date + params.churn_window_days - 1 >= params.as_of_date
                then params.as_of_month
            else cast(date_trunc('month', customer_months_with_neighbours.last_order_date + params.churn_window_days) - interval '1' month as date)
        end as live_end_until_window,
        least(cast(date_trunc('month', customer_months_with_neighbours.last_order_date + params.churn_window_days) as date), params.as_of_month)
            as live_start_until_window,
        cast(date_trunc('month', customer_months_with_neighbours.previous_last_order_date + params.churn_window_days) as date)
            as previous_live_start_until_window
    from customer_months_with_neighbours
    cross join params
),

-- the trailing window T (the 12 months ending with m): in T while m is within 11 months after an active
-- month, minus what the previous active month already covered; repeat (>= 2 orders in T) until T loses
-- this month (if it has >= 2 orders) or the previous active month (if that is within 11 months)
customer_months_with_coverage as (
    select
        *,
        cast(greatest(order_month, coalesce(previous_order_month + interval '12' month, order_month)) as date) as in_window_from,
        cast(order_month + interval '11' month as date) as in_window_until,
        cast(case
            when orders >= 2 then order_month + interval '11' month
            when previous_order_month + interval '11' month >= order_month then previous_order_month + interval '11' month
        end as date) as repeat_until
    from customer_months_with_liveness
),

customer_months_with_sets as (
    select
        customer_id,
        order_month,
        cohort_month,
        orders,
        revenue,
        last_order_date,
        previous_order_month,
        next_order_month,
        in_window_from,
        in_window_until,
        cast(case when repeat_until is not null then greatest(
            order_month,
            coalesce(
                max(repeat_until) over (
                    partition by customer_id order by order_month rows between unbounded preceding and 1 preceding
                ) + interval '1' month,
                order_month
            )
        ) end as date) as repeat_from,
        repeat_until,
        cast(order_month + interval '1' month as date) as live_start_from,
        least(next_order_month, live_start_until_window) as live_start_until,
        order_month as live_end_from,
        least(cast(next_order_month - interval '1' month as date), live_end_until_window) as live_end_until,
        cast(order_month + interval '1' month as date) as retained_from,
        least(cast(next_order_month - interval '1' month as date), live_end_until_window) as retained_until,
        -- back after a gap: live on f − 1 by the previous active month's last order, live on l by this month's
        coalesce(order_month <= previous_live_start_until_window and order_month <= live_end_until_window, false)
            as is_retained_in_month
    from customer_months_with_coverage
)

select * from customer_months_with_sets
