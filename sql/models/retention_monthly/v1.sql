with

customer_months as (
    select
        order_month,
        cohort_month,
        live_start_before,
        live_end_before,
        is_retained_in_month
    from int_customer_months_v1
),

months as (
    select
        month,
        is_partial_period
    from int_months_v1
),

params as (
    select churn_window_days from run_params
),

-- from the month after the first cohort month
month_bounds as (
    select
        months.month,
        params.churn_window_days,
        months.is_partial_period
    from months
    cross join params
    where months.month > (select min(cohort_month) from customer_months)
),

-- Each live set is a union of one range of months per active month (int_customer_months): +1 where
-- a range starts, −1 where it ends; a month's set size is the running sum. Live on l from the active
-- month on; live on f − 1, and both, from the month after (both also in the active month itself when
-- is_retained_in_month). A customer's first order date is in [f, l] of m exactly when m is their
-- cohort month (none is after the as-of date).
active_month_counts as (
    select
        order_month,
        last_day(order_month) + 1 as month_after,
        count(*) filter (where live_end_before > order_month) as live_end_ranges,
        count(*) filter (where live_start_before > last_day(order_month) + 1) as live_start_ranges,
        count(*) filter (where live_end_before > last_day(order_month) + 1) as retained_ranges,
        count(*) filter (where is_retained_in_month) as retained_in_month,
        count(*) filter (where order_month = cohort_month) as new_customers
    from customer_months
    group by order_month
),

set_changes as (
    select order_month as month, 0 as customers_start, live_end_ranges as customers_end, retained_in_month as retained_customers, new_customers
    from active_month_counts
    union all
    select month_after, live_start_ranges, 0, retained_ranges - retained_in_month, 0
    from active_month_counts
    union all
    select live_start_before, -count(*), 0, 0, 0
    from customer_months
    where live_start_before > last_day(order_month) + 1
    group by live_start_before
    union all
    select
        live_end_before,
        0,
        -count(*) filter (where live_end_before > order_month),
        -count(*) filter (where live_end_before > last_day(order_month) + 1),
        0
    from customer_months
    group by live_end_before
),

set_changes_per_month as (
    select
        month,
        sum(customers_start) as customers_start_change,
        sum(customers_end) as customers_end_change,
        sum(retained_customers) as retained_customers_change,
        sum(new_customers) as new_customers
    from set_changes
    group by month
),

-- running sums over every month from the first cohort month (ranges start there at the earliest)
set_sizes as (
    select
        months.month,
        sum(coalesce(set_changes_per_month.customers_start_change, 0)) over month_history as customers_start,
        sum(coalesce(set_changes_per_month.customers_end_change, 0)) over month_history as customers_end,
        sum(coalesce(set_changes_per_month.retained_customers_change, 0)) over month_history as retained_customers,
        coalesce(set_changes_per_month.new_customers, 0) as new_customers
    from months
    left join set_changes_per_month
        on months.month = set_changes_per_month.month
    window month_history as (order by months.month rows between unbounded preceding and current row)
),

month_bounds_joined_to_counts as (
    select
        month_bounds.month,
        set_sizes.customers_start,
        set_sizes.customers_end,
        set_sizes.new_customers,
        set_sizes.retained_customers,
        month_bounds.churn_window_days,
        month_bounds.is_partial_period
    from month_bounds
    inner join set_sizes
        on month_bounds.month = set_sizes.month
),

retention_monthly as (
    select
        month,
        customers_start,
        customers_end,
        new_customers,
        retained_customers,
        customers_start - retained_customers as lost_customers,
        customers_end - new_customers - retained_customers as reactivated_customers,
        case when customers_start > 0
            then cast(customers_end - new_customers as double) / customers_start
        end as retention_rate,
        case when customers_start > 0
            then cast(customers_start - retained_customers as double) / customers_start
        end as churn_rate,
        churn_window_days,
        is_partial_period
    from month_bounds_joined_to_counts
)

select * from retention_monthly
