with

churn_risk_v1 as (
    select
        customer_id,
        p_alive,
        days_since_last_order,
        expected_days_to_next_purchase,
        risk_band
    from churn_risk_v1
),

completed_orders as (
    select
        customer_id,
        order_date,
        net_value
    from int_orders_completed_v1
),

tickets as (
    select
        customer_id,
        opened_at,
        is_complaint
    from stg_support_tickets
),

survey_responses as (
    select
        response_id,
        customer_id,
        survey,
        score,
        responded_at
    from stg_survey_responses
),

params as (
    select as_of_date from run_params
),

-- net value in the 90 days ending on the as-of date, and in the 90 days before those
spend_windows as (
    select
        completed_orders.customer_id,
        coalesce(sum(completed_orders.net_value) filter (
            where completed_orders.order_date > params.as_of_date - interval '90' day
        ), 0) as recent_net_value,
        coalesce(sum(completed_orders.net_value) filter (
            where completed_orders.order_date <= params.as_of_date - interval '90' day
        ), 0) as earlier_net_value
    from completed_orders
    cross join params
    where completed_orders.order_date > params.as_of_date - interval '180' day
        and completed_orders.order_date <= params.as_of_date
    group by completed_orders.customer_id
),

repeat_complainers as (
    select tickets.customer_id
    from tickets
    cross join params
    where tickets.is_complaint
        and cast(tickets.opened_at as date) > params.as_of_date - interval '90' day
        and cast(tickets.opened_at as date) <= params.as_of_date
    group by tickets.customer_id
    having count(*) >= 2
),

latest_nps_answers as (
    select
        survey_responses.customer_id,
        cast(survey_responses.responded_at as date) as responded_date,
        survey_responses.score
    from survey_responses
    cross join params
    where survey_responses.survey = 'nps'
        and survey_responses.customer_id is not null
        and cast(survey_responses.responded_at as date) <= params.as_of_date
    qualify row_number() over (
        partition by survey_responses.customer_id
        order by survey_responses.responded_at desc, survey_responses.response_id desc
    ) = 1
),

detractors as (
    select latest_nps_answers.customer_id
    from latest_nps_answers
    cross join params
    where latest_nps_answers.score <= 6
        and latest_nps_answers.responded_date > params.as_of_date - interval '365' day
),

customer_signals as (
    select
        churn_risk_v1.*,
        coalesce(spend_windows.earlier_net_value > 0
            and spend_windows.recent_net_value < 0.5 * spend_windows.earlier_net_value, false) as has_declining_spend,
        detractors.customer_id is not null as is_detractor,
        coalesce(churn_risk_v1.days_since_last_order > 2 * churn_risk_v1.expected_days_to_next_purchase, false) as is_overdue,
        repeat_complainers.customer_id is not null as has_repeat_complaints
    from churn_risk_v1
    left join spend_windows
        on churn_risk_v1.customer_id = spend_windows.customer_id
    left join detractors
        on churn_risk_v1.customer_id = detractors.customer_id
    left join repeat_complainers
        on churn_risk_v1.customer_id = repeat_complainers.customer_id
),

churn_risk as (
    select
        customer_id,
        p_alive,
        days_since_last_order,
        expected_days_to_next_purchase,
        risk_band,
        -- listed in alphabetical order
        concat_ws(',',
            case when has_declining_spend then 'declining_spend' end,
            case when is_detractor then 'detractor' end,
            case when is_overdue then 'overdue' end,
            case when has_repeat_complaints then 'repeat_complaints' end
        ) as signals
    from customer_signals
)

select * from churn_risk
