with

memberships as (
    select
        customer_id,
        program,
        program_type,
        joined_at,
        left_at
    from stg_program_memberships
),

completed_orders as (
    select
        customer_id,
        order_month,
        net_value
    from int_orders_completed_v1
),

trailing_12m_customers as (
    select
        month,
        customers_12m,
        repeat_customers_12m
    from int_trailing_12m_customers_v1
),

loyalty_kpis_monthly as (
    select
        month,
        orders_12m,
        revenue_12m
    from loyalty_kpis_monthly_v1
),

params as (
    select as_of_date from run_params
),

-- memberships by date; one joined after the as-of date is not counted
membership_dates as (
    select
        memberships.customer_id,
        memberships.program,
        memberships.program_type,
        cast(memberships.joined_at as date) as joined_date,
        cast(memberships.left_at as date) as left_date
    from memberships
    cross join params
    where cast(memberships.joined_at as date) <= params.as_of_date
),

-- a program's type: the most common one among its memberships (ties: alphabetical first)
program_type_counts as (
    select
        program,
        program_type,
        count(*) as memberships
    from membership_dates
    group by program, program_type
),

program_types as (
    select
        program,
        program_type
    from (
        select
            program,
            program_type,
            row_number() over (partition by program order by memberships desc, program_type) as type_rank
        from program_type_counts
    ) as ranked
    where type_rank = 1
),

program_first_months as (
    select
        program,
        cast(date_trunc('month', min(joined_date)) as date) as first_month
    from membership_dates
    group by program
),

-- from the first month of any membership to the as-of month
months as (
    select
        cast(month_series.month as date) as month,
        least(last_day(cast(month_series.month as date)), params.as_of_date) as last_day_counted,
        last_day(cast(month_series.month as date)) > params.as_of_date as is_partial_period
    from (select min(first_month) as first_month from program_first_months) as bounds
    cross join params
    cross join unnest(
        generate_series(bounds.first_month, cast(date_trunc('month', params.as_of_date) as date), interval '1' month)
    ) as month_series (month)
),

-- each program from the month of its first membership on
program_months as (
    select
        months.month,
        months.last_day_counted,
        months.is_partial_period,
        program_first_months.program
    from months
    inner join program_first_months
        on months.month >= program_first_months.first_month
),

members_on_last_day as (
    select distinct
        program_months.month,
        program_months.program,
        membership_dates.customer_id
    from program_months
    inner join membership_dates
        on membership_dates.program = program_months.program
        and membership_dates.joined_date <= program_months.last_day_counted
        and (membership_dates.left_date is null or membership_dates.left_date > program_months.last_day_counted)
),

member_counts as (
    select
        month,
        program,
        count(*) as members_end
    from members_on_last_day
    group by month, program
),

join_counts as (
    select
        program_months.month,
        program_months.program,
        count(distinct membership_dates.customer_id) as new_members
    from program_months
    inner join membership_dates
        on membership_dates.program = program_months.program
        and membership_dates.joined_date >= program_months.month
        and membership_dates.joined_date <= program_months.last_day_counted
    group by program_months.month, program_months.program
),

leave_counts as (
    select
        program_months.month,
        program_months.program,
        count(distinct membership_dates.customer_id) as left_members
    from program_months
    inner join membership_dates
        on membership_dates.program = program_months.program
        and membership_dates.left_date >= program_months.month
        and membership_dates.left_date <= program_months.last_day_counted
    group by program_months.month, program_months.program
),

-- the completed orders of customers with a membership, by month: only they are expanded into
-- the windows below (the totals over everyone come from loyalty_kpis_monthly's tables)
member_customer_months as (
    select
        completed_orders.customer_id,
        completed_orders.order_month,
        count(*) as orders,
        sum(completed_orders.net_value) as revenue
    from completed_orders
    where completed_orders.customer_id in (select membership_dates.customer_id from membership_dates)
    group by completed_orders.customer_id, completed_orders.order_month
),

-- each member of the customers_12m set of m (loyalty_kpis_monthly): orders and revenue in T
customers_12m as (
    select
        months.month,
        member_customer_months.customer_id,
        sum(member_customer_months.orders) as orders_12m,
        sum(member_customer_months.revenue) as revenue_12m
    from months
    inner join member_customer_months
        on member_customer_months.order_month > months.month - interval '12' month
        and member_customer_months.order_month <= months.month
    group by months.month, member_customer_months.customer_id
),

-- customers_12m of loyalty_kpis_monthly, with its repeat customers, orders and revenue in T
customers_12m_totals as (
    select
        trailing_12m_customers.month,
        trailing_12m_customers.customers_12m,
        trailing_12m_customers.repeat_customers_12m,
        loyalty_kpis_monthly.orders_12m,
        loyalty_kpis_monthly.revenue_12m
    from trailing_12m_customers
    inner join loyalty_kpis_monthly
        on trailing_12m_customers.month = loyalty_kpis_monthly.month
),

member_totals as (
    select
        members_on_last_day.month,
        members_on_last_day.program,
        count(*) as customers_12m,
        count(*) filter (where customers_12m.orders_12m >= 2) as repeat_customers_12m,
        sum(customers_12m.orders_12m) as orders_12m,
        sum(customers_12m.revenue_12m) as revenue_12m
    from members_on_last_day
    inner join customers_12m
        on customers_12m.month = members_on_last_day.month
        and customers_12m.customer_id = members_on_last_day.customer_id
    group by members_on_last_day.month, members_on_last_day.program
),

program_months_joined as (
    select
        program_months.month,
        program_months.program,
        program_types.program_type,
        coalesce(member_counts.members_end, 0) as members_end,
        coalesce(join_counts.new_members, 0) as new_members,
        coalesce(leave_counts.left_members, 0) as left_members,
        coalesce(customers_12m_totals.customers_12m, 0) as customers_12m,
        coalesce(member_totals.customers_12m, 0) as member_customers_12m,
        coalesce(member_totals.repeat_customers_12m, 0) as member_repeat_customers_12m,
        coalesce(member_totals.orders_12m, 0) as member_orders_12m,
        coalesce(member_totals.revenue_12m, 0) as member_revenue_12m,
        coalesce(customers_12m_totals.customers_12m, 0) - coalesce(member_totals.customers_12m, 0) as non_member_customers_12m,
        coalesce(customers_12m_totals.repeat_customers_12m, 0) - coalesce(member_totals.repeat_customers_12m, 0) as non_member_repeat_customers_12m,
        coalesce(customers_12m_totals.orders_12m, 0) - coalesce(member_totals.orders_12m, 0) as non_member_orders_12m,
        coalesce(customers_12m_totals.revenue_12m, 0) - coalesce(member_totals.revenue_12m, 0) as non_member_revenue_12m,
        program_months.is_partial_period
    from program_months
    inner join program_types
        on program_months.program = program_types.program
    left join member_counts
        on program_months.month = member_counts.month
        and program_months.program = member_counts.program
    left join join_counts
        on program_months.month = join_counts.month
        and program_months.program = join_counts.program
    left join leave_counts
        on program_months.month = leave_counts.month
        and program_months.program = leave_counts.program
    left join customers_12m_totals
        on program_months.month = customers_12m_totals.month
    left join member_totals
        on program_months.month = member_totals.month
        and program_months.program = member_totals.program
),

program_participation_monthly as (
    select
        month,
        program,
        program_type,
        members_end,
        new_members,
        left_members,
        case when customers_12m > 0
            then cast(member_customers_12m as double) / customers_12m
        end as participation_rate,
        case when member_customers_12m > 0
            then cast(member_repeat_customers_12m as double) / member_customers_12m
        end as member_repeat_purchase_rate_12m,
        case when non_member_customers_12m > 0
            then cast(non_member_repeat_customers_12m as double) / non_member_customers_12m
        end as non_member_repeat_purchase_rate_12m,
        -- money averages in cents, so that a half cent rounds up exactly
        case when member_orders_12m > 0
            then round(member_revenue_12m * 100 / member_orders_12m) / 100
        end as member_avg_order_value_12m,
        case when non_member_orders_12m > 0
            then round(non_member_revenue_12m * 100 / non_member_orders_12m) / 100
        end as non_member_avg_order_value_12m,
        is_partial_period
    from program_months_joined
)

select * from program_participation_monthly
