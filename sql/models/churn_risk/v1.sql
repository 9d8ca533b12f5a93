with

predictions as (
    select
        customer_id,
        frequency,
        recency_days,
        t_days,
        p_alive
    from clv_predictions_v1
),

params as (
    select churn_window_days from run_params
),

fit as (
    select
        time_unit_days,
        r,
        alpha
    from clv_model_v1
),

churn_risk as (
    select
        predictions.customer_id,
        predictions.p_alive,
        predictions.t_days - predictions.recency_days as days_since_last_order,
        -- the posterior mean purchase rate is (r + x) / (alpha + T) per time unit
        fit.time_unit_days * (fit.alpha + cast(predictions.t_days as double) / fit.time_unit_days)
            / (fit.r + predictions.frequency) as expected_days_to_next_purchase,
        case
            when predictions.t_days - predictions.recency_days <= {{ recent_purchase_days }} then 'active'
            when predictions.p_alive is null then 'unknown'
            -- BG/NBD takes every one-time buyer to be alive: band them by the churn window instead
            when predictions.frequency = 0 and predictions.t_days - predictions.recency_days <= params.churn_window_days then 'at_risk'
            when predictions.frequency = 0 then 'likely_lost'
            when predictions.p_alive >= {{ active_p_alive }} then 'active'
            when predictions.p_alive >= {{ lost_p_alive }} then 'at_risk'
            else 'likely_lost'
        end as risk_band
    from predictions
    cross join fit
    cross join params
)

select * from churn_risk
