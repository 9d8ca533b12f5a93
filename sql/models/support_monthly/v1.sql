with

tickets as (
    select
        customer_id,
        opened_at,
        is_complaint,
        resolved_at
    from stg_support_tickets
),

loyalty_kpis_monthly as (
    select
        month,
        active_customers
    from loyalty_kpis_monthly_v1
),

params as (
    select as_of_date from run_params
),

-- tickets by date; one opened after the as-of date is not counted
ticket_dates as (
    select
        tickets.customer_id,
        tickets.opened_at,
        cast(tickets.opened_at as date) as opened_date,
        cast(date_trunc('month', tickets.opened_at) as date) as opened_month,
        tickets.is_complaint,
        -- resolved by the as-of date: hours from opening to resolution, else NULL
        case when cast(tickets.resolved_at as date) <= params.as_of_date
            then (epoch_ms(tickets.resolved_at) - epoch_ms(tickets.opened_at)) / 3600000.0
        end as resolution_hours
    from tickets
    cross join params
    where cast(tickets.opened_at as date) <= params.as_of_date
),

-- from the month of the first ticket to the as-of month
months as (
    select
        cast(month_series.month as date) as month,
        least(last_day(cast(month_series.month as date)), params.as_of_date) as last_day_counted,
        last_day(cast(month_series.month as date)) > params.as_of_date as is_partial_period
    from (select min(opened_month) as first_month from ticket_dates) as bounds
    cross join params
    cross join unnest(
        generate_series(bounds.first_month, cast(date_trunc('month', params.as_of_date) as date), interval '1' month)
    ) as month_series (month)
),

month_tickets as (
    select
        opened_month as month,
        count(*) as tickets,
        count(*) filter (where is_complaint) as complaints,
        count(distinct customer_id) filter (where is_complaint) as complaining_customers,
        median(resolution_hours) as median_resolution_hours
    from ticket_dates
    group by opened_month
),

-- customers with ≥ 2 complaints opened in the 90 days ending on l
complaints_in_90_days as (
    select
        months.month,
        ticket_dates.customer_id
    from months
    inner join ticket_dates
        on ticket_dates.opened_date > months.last_day_counted - interval '90' day
        and ticket_dates.opened_date <= months.last_day_counted
    where ticket_dates.is_complaint
        and ticket_dates.customer_id is not null
    group by months.month, ticket_dates.customer_id
    having count(*) >= 2
),

repeat_complainer_counts as (
    select
        month,
        count(*) as repeat_complainers
    from complaints_in_90_days
    group by month
),

months_joined as (
    select
        months.month,
        coalesce(month_tickets.tickets, 0) as tickets,
        coalesce(month_tickets.complaints, 0) as complaints,
        coalesce(month_tickets.complaining_customers, 0) as complaining_customers,
        coalesce(repeat_complainer_counts.repeat_complainers, 0) as repeat_complainers,
        coalesce(loyalty_kpis_monthly.active_customers, 0) as active_customers,
        month_tickets.median_resolution_hours,
        months.is_partial_period
    from months
    left join month_tickets
        on months.month = month_tickets.month
    left join repeat_complainer_counts
        on months.month = repeat_complainer_counts.month
    left join loyalty_kpis_monthly
        on months.month = loyalty_kpis_monthly.month
),

support_monthly as (
    select
        month,
        tickets,
        complaints,
        complaining_customers,
        repeat_complainers,
        case when active_customers > 0
            then cast(complaining_customers as double) / active_customers
        end as complaint_rate,
        median_resolution_hours,
        is_partial_period
    from months_joined
)

select * from support_monthly
