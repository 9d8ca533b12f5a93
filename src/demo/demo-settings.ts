/**
 * The demo lake's loyaltylake.yml: the settings a real lake would set, so that the demo shows
 * what they drive (feature adoption, margin-adjusted CLV, KPI targets with one of them missed).
 */
export const DEMO_SETTINGS = `# The demo lake's settings (docs: README, "The lake's settings file"). Edit and run again.
# Product events counted as key features in feature_adoption_monthly.
key_features: [search, view_rewards, redeem_points]
# Share of revenue kept after the cost of goods: loyalty_scorecard_monthly v2's clv_margin.
gross_margin: 0.4
# KPI targets: evaluated every month in kpi_targets_monthly; the latest complete month's misses
# are listed by the console and the manifest (and, deployed, sent to EventBridge).
targets:
  - metric: loyalty_scorecard_monthly.churn_rate
    comparator: at_most
    value: 0.12
  - metric: loyalty_kpis_monthly.repeat_purchase_rate_12m
    comparator: at_least
    value: 0.45
  - metric: survey_scores_monthly.nps
    comparator: at_least
    value: 30
  - metric: segment_kpis_monthly.retention_rate
    dimension: acquisition_channel
    segment_value: paid_search
    comparator: at_least
    value: 0.85
`;
