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
        -- the first day of the month after the as-of month
        last_day(as_of_date) + 1 as after_as_of_month,
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

-- Month arithmetic on dates (a month is the date of its first day): the month after m is
-- last_day(m) + 1, m + 12 months is make_date(year(m) + 1, month(m), 1), and the month holding a
-- date d is d − (day(d) − 1); cheaper than adding intervals, which goes through timestamps.
--
-- Live on d (retention_monthly): an order dated in [d − W + 1, d]. Between this active month and the
-- next one, the customer's latest order is x = last_order_date. They are live at the start of m (on
-- f − 1) while f ≤ x + W: up to the month holding x + W. They are live at the end of m (on l) while
-- l ≤ x + W − 1: every month up to the as-of month if the as-of date is within W days of x (the
-- as-of month's l), else the months before the one holding x + W (whose last day is beyond it).
customer_months_with_window_ends as (
    select
        customer_months_with_neighbours.*,
        last_day(least(
            customer_months_with_neighbours.next_order_month,
            customer_months_with_neighbours.last_order_date + params.churn_window_days,
            params.as_of_date
        )) + 1 as live_start_before,
        least(
            customer_months_with_neighbours.next_order_month,
            case
                when customer_months_with_neighbours.last_order_date + params.churn_window_days > params.as_of_date
                    then params.after_as_of_month
                else customer_months_with_neighbours.last_order_date + params.churn_window_days
                    - cast(day(customer_months_with_neighbours.last_order_date + params.churn_window_days) - 1 as integer)
            end
        ) as live_end_before,
        coalesce(
            customer_months_with_neighbours.order_month <= customer_months_with_neighbours.previous_last_order_date + params.churn_window_days,
            false
        ) as is_live_at_month_start
    from customer_months_with_neighbours
    cross join params
),

-- The trailing window T (the 12 months ending with m): in T while m is within 11 months after an active
-- month, minus what the previous active month already covered. Repeat (>= 2 orders in T) until T loses
-- this month (if it has >= 2 orders) or the previous active month (if that is within 11 months); cut
-- at the next active month, whose own repeat range then covers at least as far (its previous active
-- month is this one, within 11 months), so the ranges are disjoint without losing a month.
customer_months_with_sets as (
    select
        customer_id,
        order_month,
        cohort_month,
        orders,
        revenue,
        greatest(order_month, make_date(year(previous_order_month) + 1, month(previous_order_month), 1)) as in_window_from,
        make_date(year(order_month) + 1, month(order_month), 1) as in_window_before,
        case
            when orders >= 2 or make_date(year(previous_order_month) + 1, month(previous_order_month), 1) > order_month
                then order_month
        end as repeat_from,
        case
            when orders >= 2
                then least(next_order_month, make_date(year(order_month) + 1, month(order_month), 1))
            when make_date(year(previous_order_month) + 1, month(previous_order_month), 1) > order_month
                then least(next_order_month, make_date(year(previous_order_month) + 1, month(previous_order_month), 1))
        end as repeat_before,
        live_start_before,
        live_end_before,
        -- back after a gap: live on f − 1 by the previous active month's last order, live on l by this month's
        is_live_at_month_start and order_month < live_end_before as is_retained_in_month
    from customer_months_with_window_ends
)

select * from customer_months_with_sets
