with

responses as (
    select
        survey,
        score,
        cast(date_trunc('month', responded_at) as date) as month
    from stg_survey_responses
    where cast(responded_at as date) <= (select as_of_date from run_params)
),

params as (
    select as_of_date from run_params
),

months as (
    select
        cast(month_series.month as date) as month,
        last_day(cast(month_series.month as date)) > params.as_of_date as is_partial_period
    from (select min(month) as first_month from responses) as bounds
    cross join params
    cross join unnest(
        generate_series(bounds.first_month, cast(date_trunc('month', params.as_of_date) as date), interval 1 month)
    ) as month_series (month)
),

month_scores as (
    select
        month,
        count(*) filter (where survey = 'nps') as nps_responses,
        count(*) filter (where survey = 'nps' and score >= 9) as promoters,
        count(*) filter (where survey = 'nps' and score <= 6) as detractors,
        count(*) filter (where survey = 'csat') as csat_responses,
        count(*) filter (where survey = 'csat' and score >= 4) as satisfied,
        count(*) filter (where survey = 'ces') as ces_responses,
        avg(score) filter (where survey = 'ces') as ces
    from responses
    group by month
),

survey_scores_monthly as (
    select
        months.month,
        case when month_scores.nps_responses > 0
            then 100.0 * (month_scores.promoters - month_scores.detractors) / month_scores.nps_responses
        end as nps,
        coalesce(month_scores.nps_responses, 0) as nps_responses,
        case when month_scores.csat_responses > 0
            then cast(month_scores.satisfied as double) / month_scores.csat_responses
        end as csat,
        coalesce(month_scores.csat_responses, 0) as csat_responses,
        month_scores.ces,
        coalesce(month_scores.ces_responses, 0) as ces_responses,
        months.is_partial_period
    from months
    left join month_scores
        on months.month = month_scores.month
)

select * from survey_scores_monthly
