-- Share of each cohort active k months after its first order, last 12 cohorts
select
    cohort_month,
    period_number,
    cohort_size,
    round(retention_rate, 3) as retention_rate,
    is_partial_period
from cohort_retention
where cohort_month >= (select max(cohort_month) - interval '11' month from cohort_retention)
order by cohort_month, period_number
