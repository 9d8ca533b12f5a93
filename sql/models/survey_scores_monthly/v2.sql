with

survey_responses as (
    select
        survey,
        score,
        responded_at
    from stg_survey_responses
),

survey_scores_v1 as (
    select
        month,
        nps,
        nps_responses,
        csat,
        csat_responses,
        ces,
        ces_responses,
        is_partial_period
    from survey_scores_monthly_v1
),

params as (
    select as_of_date from run_params
),

nps_groups as (
    select
        cast(date_trunc('month', survey_responses.responded_at) as date) as month,
        count(*) filter (where survey_responses.score >= 9) as promoters,
        count(*) filter (where survey_responses.score between 7 and 8) as passives,
        count(*) filter (where survey_responses.score <= 6) as detractors
    from survey_responses
    cross join params
    where survey_responses.survey = 'nps'
        and cast(survey_responses.responded_at as date) <= params.as_of_date
    group by 1
),

survey_scores_monthly as (
    select
        survey_scores_v1.month,
        survey_scores_v1.nps,
        survey_scores_v1.nps_responses,
        coalesce(nps_groups.promoters, 0) as nps_promoters,
        coalesce(nps_groups.passives, 0) as nps_passives,
        coalesce(nps_groups.detractors, 0) as nps_detractors,
        survey_scores_v1.csat,
        survey_scores_v1.csat_responses,
        survey_scores_v1.ces,
        survey_scores_v1.ces_responses,
        survey_scores_v1.is_partial_period
    from survey_scores_v1
    left join nps_groups
        on survey_scores_v1.month = nps_groups.month
)

select * from survey_scores_monthly
