with

customer_months as (
    select
        order_month,
        in_window_from,
        in_window_before,
        repeat_from,
        repeat_before
    from int_customer_months_v1
),

months as (
    select month
    from int_months_v1
),

-- from the first cohort month
window_months as (
    select month
    from months
    where month >= (select min(order_month) from customer_months)
),

-- A customer counts in the trailing window of month m (the 12 months ending with m) while m is
-- within 11 months after one of their active months. Rather than expanding every active month into
-- 12 rows, each customer's coverage is cut into disjoint month ranges (int_customer_months) and
-- counted with +1 where a range starts and -1 where it ends (a running sum below).
coverage_changes as (
    select in_window_from as month, 1 as customers_change, 0 as repeat_customers_change
    from customer_months
    union all
    select in_window_before, -1, 0
    from customer_months
    union all
    select repeat_from, 0, 1
    from customer_months
    where repeat_from is not null
    union all
    select repeat_before, 0, -1
    from customer_months
    where repeat_from is not null
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
