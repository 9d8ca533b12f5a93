-- Monthly churn and retention (churn window in churn_window_days), newest first
select
    month,
    customers_start,
    lost_customers,
    round(churn_rate, 3) as churn_rate,
    round(retention_rate, 3) as retention_rate,
    churn_window_days,
    is_partial_period
from retention_monthly
order by month desc
limit 24
