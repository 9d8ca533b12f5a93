with

survey_responses as (
    select
        survey,
        score,
        responded_at
    from stg_survey_responses
),

all_months as (
    select
        month,
        is_partial_period
    from int_months_v1
),

params as (
    select as_of_date from run_params
),

responses as (
    select
        survey_responses.survey,
        survey_responses.score,
        cast(date_trunc('month', survey_responses.responded_at) as date) as month
    from survey_responses
    cross join params
    where cast(survey_responses.responded_at as date) <= params.as_of_date
),

-- from the month of the first response
months as (
    select
        month,
        is_partial_period
    from all_months
    where month >= (select min(month) from responses)
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
