import type { DuckDBSession } from '../core/duckdb.js';

// One query per chart, over the published tables registered as views (published-tables.ts).
// Every function returns undefined when its table is not published, so its section is left out.
// Aggregation happens here in SQL; the page only lays the rows out.

export type Row = Record<string, unknown>;

/** The view names a section reads, e.g. 'cohort_retention_v1'. */
export const ReportTables = {
  scorecard: 'loyalty_scorecard_monthly_v1',
  cohorts: 'cohort_retention_v1',
  retention: 'retention_monthly_v1',
  kpis: 'loyalty_kpis_monthly_v1',
  mrr: 'mrr_monthly_v1',
  surveys: 'survey_scores_monthly_v1',
  /** v2 adds the NPS answer groups; read instead of v1 when published. */
  surveysWithGroups: 'survey_scores_monthly_v2',
  engagement: 'engagement_monthly_v1',
  predictions: 'clv_predictions_v1',
  backtest: 'clv_backtest_v1',
  churnRisk: 'churn_risk_v1',
} as const;

/** Scorecard columns shown as tiles, in this order. */
export const SCORECARD_METRICS = [
  'retention_rate',
  'churn_rate',
  'repeat_purchase_rate_12m',
  'purchase_frequency_12m',
  'avg_order_value_12m',
  'clv_formula',
  'mrr',
  'net_revenue_retention',
  'gross_revenue_retention',
  'nps',
  'csat',
  'ces',
  'dau_mau',
  'referral_rate',
  'crc',
] as const;

const month = (column: string) => `strftime(${column}, '%Y-%m')`;

async function ifPublished<T>(tables: ReadonlySet<string>, names: readonly string[], query: () => Promise<T>): Promise<T | undefined> {
  return names.every((name) => tables.has(name)) ? await query() : undefined;
}

export interface ScorecardTile {
  readonly metric: string;
  /** The latest complete month, 'YYYY-MM'. */
  readonly month: string;
  readonly value: number | null;
  readonly previous: number | null;
  readonly year_ago: number | null;
  /** Up to 24 months ending with `month`, oldest first (null where the metric had no value). */
  readonly spark: (number | null)[];
  readonly spark_months: string[];
}

export interface Scorecard {
  readonly month: string;
  /** The partial month after it, if the table has one ('YYYY-MM'). */
  readonly partial_month: string | null;
  readonly tiles: ScorecardTile[];
}

/** Each scorecard metric in the latest complete month, the month before, the same month a year before, and 24 months of it. */
export async function scorecardSection(db: DuckDBSession, tables: ReadonlySet<string>): Promise<Scorecard | undefined> {
  const table = ReportTables.scorecard;
  return await ifPublished(tables, [table], async () => {
    const columns = SCORECARD_METRICS.map((metric) => `${metric}::double as ${metric}`).join(', ');
    const rows = await db.rows(`
      with latest as (select max(month) as m from ${table} where not is_partial_period),
      wide as (select month, ${columns} from ${table}),
      long as (from wide unpivot include nulls (v for metric in (${SCORECARD_METRICS.join(', ')})))
      select metric, ${month('latest.m')} as month,
        (select ${month('max(month)')} from ${table} where is_partial_period and month > latest.m) as partial_month,
        any_value(v) filter (where month = latest.m) as value,
        any_value(v) filter (where month = latest.m - interval 1 month) as previous,
        any_value(v) filter (where month = latest.m - interval 12 month) as year_ago,
        list(v order by month) filter (where month > latest.m - interval 24 month) as spark,
        list(${month('month')} order by month) filter (where month > latest.m - interval 24 month) as spark_months
      from long, latest
      where month <= latest.m
      group by metric, latest.m`);
    if (rows.length === 0 || rows[0]!.month === null) return undefined;
    const order = (metric: unknown) => SCORECARD_METRICS.indexOf(metric as (typeof SCORECARD_METRICS)[number]);
    const tiles = (rows as unknown as ScorecardTile[]).sort((a, b) => order(a.metric) - order(b.metric));
    return { month: tiles[0]!.month, partial_month: (rows[0]!.partial_month as string | null) ?? null, tiles };
  });
}

/** Every cohort × period cell: share active and cumulative revenue per customer, with the cohort's size. */
export async function cohortsSection(db: DuckDBSession, tables: ReadonlySet<string>): Promise<Row[] | undefined> {
  const table = ReportTables.cohorts;
  return await ifPublished(tables, [table], () =>
    db.rows(`
      select ${month('cohort_month')} as cohort, period_number::integer as period, ${month('period_month')} as month,
        cohort_size::integer as cohort_size, active_customers::integer as active_customers,
        retention_rate::double as retention_rate,
        cumulative_revenue_per_customer::double as cumulative_revenue_per_customer, is_partial_period as partial
      from ${table} order by cohort_month, period_number`),
  );
}

/** Monthly retention, churn and the customers behind them; the churn window is the same on every row. */
export async function retentionSection(db: DuckDBSession, tables: ReadonlySet<string>): Promise<Row[] | undefined> {
  const table = ReportTables.retention;
  return await ifPublished(tables, [table], () =>
    db.rows(`
      select ${month('month')} as month, retention_rate::double as retention_rate, churn_rate::double as churn_rate,
        customers_start::integer as customers_start, customers_end::integer as customers_end,
        new_customers::integer as new_customers, retained_customers::integer as retained_customers,
        lost_customers::integer as lost_customers, reactivated_customers::integer as reactivated_customers,
        churn_window_days::integer as churn_window_days, is_partial_period as partial
      from ${table} order by month`),
  );
}

/** Monthly orders, revenue, AOV, repeat purchase rate, purchase frequency and textbook CLV. */
export async function revenueSection(db: DuckDBSession, tables: ReadonlySet<string>): Promise<Row[] | undefined> {
  const table = ReportTables.kpis;
  return await ifPublished(tables, [table], () =>
    db.rows(`
      select ${month('month')} as month, orders::integer as orders, revenue::double as revenue,
        avg_order_value::double as avg_order_value, active_customers::integer as active_customers,
        new_customers::integer as new_customers, repeat_purchase_rate_12m::double as repeat_purchase_rate_12m,
        purchase_frequency_12m::double as purchase_frequency_12m, clv_formula::double as clv_formula,
        is_partial_period as partial
      from ${table} order by month`),
  );
}

/** Monthly MRR, its movements (losses negative, as drawn below the axis), NRR and GRR. */
export async function subscriptionsSection(db: DuckDBSession, tables: ReadonlySet<string>): Promise<Row[] | undefined> {
  const table = ReportTables.mrr;
  return await ifPublished(tables, [table], () =>
    db.rows(`
      select ${month('month')} as month, mrr::double as mrr, paying_customers::integer as paying_customers,
        new_mrr::double as new_mrr, expansion_mrr::double as expansion_mrr, reactivation_mrr::double as reactivation_mrr,
        -contraction_mrr::double as contraction_mrr, -churned_mrr::double as churned_mrr,
        net_revenue_retention::double as net_revenue_retention, gross_revenue_retention::double as gross_revenue_retention,
        is_partial_period as partial
      from ${table} order by month`),
  );
}

export interface VoiceOfCustomer {
  /** The table the survey rows come from (v2 when published: it has the NPS answer groups). */
  readonly survey_table?: string;
  readonly surveys?: Row[];
  readonly engagement?: Row[];
}

/** NPS, CSAT and CES with their response counts, and engagement (DAU/MAU), each when published. */
export async function voiceSection(db: DuckDBSession, tables: ReadonlySet<string>): Promise<VoiceOfCustomer | undefined> {
  const withGroups = tables.has(ReportTables.surveysWithGroups);
  const groups = withGroups
    ? 'nps_promoters::integer as nps_promoters, nps_passives::integer as nps_passives, nps_detractors::integer as nps_detractors,'
    : '';
  const surveys = await ifPublished(tables, [withGroups ? ReportTables.surveysWithGroups : ReportTables.surveys], () =>
    db.rows(`
      select ${month('month')} as month, nps::double as nps, nps_responses::integer as nps_responses, ${groups}
        csat::double as csat, csat_responses::integer as csat_responses, ces::double as ces,
        ces_responses::integer as ces_responses, is_partial_period as partial
      from ${withGroups ? ReportTables.surveysWithGroups : ReportTables.surveys} order by month`),
  );
  const engagement = await ifPublished(tables, [ReportTables.engagement], () =>
    db.rows(`
      select ${month('month')} as month, monthly_active_customers::integer as monthly_active_customers,
        avg_daily_active_customers::double as avg_daily_active_customers, dau_mau::double as dau_mau,
        is_partial_period as partial
      from ${ReportTables.engagement} order by month`),
  );
  const survey_table = surveys && (withGroups ? ReportTables.surveysWithGroups : ReportTables.surveys);
  return surveys || engagement ? { survey_table, surveys, engagement } : undefined;
}

/** Upper bounds of the predicted-CLV bins (the last bin is open). */
export const CLV_BIN_EDGES = [1, 5, 10, 25, 50, 100, 250, 500, 1000] as const;
/** Repeat purchases 0 … 9 each, then 10 or more. */
export const MATRIX_MAX_FREQUENCY = 10;
/** Recency (age at the last purchase) in bins of this many days. */
export const MATRIX_RECENCY_DAYS = 90;
/** The win-back list is capped, so the page stays small. */
export const WIN_BACK_LIMIT = 500;

export interface Predictive {
  readonly clv_distribution?: Row[];
  readonly matrix?: Row[];
  readonly backtest?: Row[];
  readonly risk_bands?: Row[];
  readonly win_back?: { readonly customers: Row[]; readonly total: number; readonly limit: number };
}

function clvBin(column: string): string {
  const cases = CLV_BIN_EDGES.map((edge, i) => `when ${column} < ${edge} then ${i}`).join(' ');
  return `case ${cases} else ${CLV_BIN_EDGES.length} end`;
}

/** CLV distribution, frequency × recency matrix, backtest calibration, risk bands and the win-back list. */
export async function predictiveSection(db: DuckDBSession, tables: ReadonlySet<string>): Promise<Predictive | undefined> {
  const predictions = ReportTables.predictions;
  const risk = ReportTables.churnRisk;
  const clv_distribution = await ifPublished(tables, [predictions], () =>
    db.rows(`
      with binned as (select ${clvBin('clv_12m')} as bin, clv_12m from ${predictions} where clv_12m is not null)
      select bin::integer as bin, count(*)::integer as customers, sum(clv_12m)::double as clv_12m
      from binned group by bin order by bin`),
  );
  const matrix = await ifPublished(tables, [predictions], () =>
    db.rows(`
      select least(frequency, ${MATRIX_MAX_FREQUENCY})::integer as frequency,
        (floor(recency_days / ${MATRIX_RECENCY_DAYS}) * ${MATRIX_RECENCY_DAYS})::integer as recency_from,
        count(*)::integer as customers,
        avg(expected_purchases_12m)::double as expected_purchases_12m, avg(p_alive)::double as p_alive
      from ${predictions} where expected_purchases_12m is not null
      group by all order by frequency, recency_from`),
  );
  const backtest = await ifPublished(tables, [ReportTables.backtest], () =>
    db.rows(`
      select frequency_group, customers::integer as customers, actual_repeat_purchases::integer as actual_repeat_purchases,
        predicted_repeat_purchases::double as predicted_repeat_purchases, relative_error::double as relative_error,
        strftime(calibration_end, '%Y-%m-%d') as calibration_end, holdout_days::integer as holdout_days, converged
      from ${ReportTables.backtest}
      order by frequency_group = 'all', try_cast(rtrim(frequency_group, '+') as integer), frequency_group`),
  );
  const risk_bands = await ifPublished(tables, [risk, predictions], () =>
    db.rows(`
      select risk_band, count(*)::integer as customers, coalesce(sum(p.clv_12m), 0)::double as clv_12m
      from ${risk} r left join ${predictions} p using (customer_id)
      group by risk_band
      order by list_position(['active', 'at_risk', 'likely_lost', 'unknown'], risk_band), risk_band`),
  );
  const win_back = await ifPublished(tables, [risk, predictions], async () => {
    const customers = await db.rows(`
      select customer_id, r.p_alive::double as p_alive, r.days_since_last_order::integer as days_since_last_order,
        p.frequency::integer as repeat_purchases, p.clv_12m::double as clv_12m,
        r.expected_days_to_next_purchase::double as expected_days_to_next_purchase,
        count(*) over ()::integer as total
      from ${risk} r join ${predictions} p using (customer_id)
      where r.risk_band = 'at_risk'
      order by p.clv_12m desc nulls last, customer_id
      limit ${WIN_BACK_LIMIT}`);
    const total = (customers[0]?.total as number | undefined) ?? 0;
    for (const row of customers) delete row.total;
    return { customers, total, limit: WIN_BACK_LIMIT };
  });
  const parts = { clv_distribution, matrix, backtest, risk_bands, win_back };
  return Object.values(parts).some((part) => part !== undefined) ? parts : undefined;
}
