-- The 100 customers with the highest revenue to date, with recency
select
    customer_id,
    cohort_month,
    orders,
    revenue,
    avg_order_value,
    recency_days
from customer_summary
order by revenue desc, customer_id
limit 100
