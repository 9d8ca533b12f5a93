// Each section's query against small hand-made tables; expected values worked out by hand beside them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import {
  cohortsSection,
  predictiveSection,
  retentionSection,
  revenueSection,
  SCORECARD_METRICS,
  scorecardSection,
  subscriptionsSection,
  voiceSection,
  WIN_BACK_LIMIT,
} from '../../src/report/sections.js';
import { SEGMENT_VALUES_SHOWN, segmentsSection } from '../../src/report/segments-section.js';
import { targetsSection } from '../../src/report/targets-section.js';
import { tempDir } from '../helpers/temp-lake.js';

let db: DuckDBSession;
beforeEach(async () => {
  db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
});
afterEach(() => db.closeSync());

/** Creates the tables and returns the set of their names, as registerPublishedTables does. */
async function tables(...statements: string[]): Promise<Set<string>> {
  for (const sql of statements) await db.run(sql);
  return new Set((await db.rows('select table_name from information_schema.tables')).map((r) => r.table_name as string));
}

describe('scorecardSection', () => {
  // 2024-01 … 2025-02 complete (i = 0 … 13), 2025-03 partial (i = 14).
  // retention_rate = 0.50 + i/100, mrr = 100 + 10 i, nps NULL in 2025-01 only; every other metric NULL.
  const scorecard = `create table loyalty_scorecard_monthly_v1 as
    select (date '2024-01-01' + to_months(i))::date as month,
      0.50 + i / 100 as retention_rate,
      (100 + 10 * i)::decimal(18,2) as mrr,
      case when i = 12 then null else 10.0 * i end as nps,
      ${SCORECARD_METRICS.filter((m) => !['retention_rate', 'mrr', 'nps'].includes(m)).map((m) => `null::double as ${m}`).join(', ')},
      i = 14 as is_partial_period
    from range(15) t(i)`;

  it('takes the latest complete month, the month before and the same month a year before', async () => {
    const result = await scorecardSection(db, await tables(scorecard));
    expect(result?.month).toBe('2025-02');
    expect(result?.partial_month).toBe('2025-03');
    expect(result?.tiles.map((t) => t.metric)).toEqual([...SCORECARD_METRICS]);
    const tile = (metric: string) => result!.tiles.find((t) => t.metric === metric)!;
    // 2025-02 is i = 13: 0.63; 2025-01 (i = 12): 0.62; 2024-02 (i = 1): 0.51
    expect(tile('retention_rate')).toMatchObject({ value: 0.63, previous: 0.62, year_ago: 0.51 });
    // mrr 100 + 130 = 230; 220; 110
    expect(tile('mrr')).toMatchObject({ value: 230, previous: 220, year_ago: 110 });
    // nps: 130; 2025-01 is NULL; 2024-02 is 10
    expect(tile('nps')).toMatchObject({ value: 130, previous: null, year_ago: 10 });
    expect(tile('churn_rate')).toMatchObject({ value: null, previous: null, year_ago: null });
  });

  it('draws the sparkline from the complete months only, oldest first, with gaps kept', async () => {
    const result = await scorecardSection(db, await tables(scorecard));
    const nps = result!.tiles.find((t) => t.metric === 'nps')!;
    // 14 complete months (fewer than 24 exist); the partial 2025-03 is left out
    expect(nps.spark_months).toHaveLength(14);
    expect(nps.spark_months[0]).toBe('2024-01');
    expect(nps.spark_months.at(-1)).toBe('2025-02');
    expect(nps.spark.slice(11)).toEqual([110, null, 130]);
  });

  it('keeps 24 months at most', async () => {
    const long = scorecard.replace('range(15)', 'range(30)').replace('i = 14 as', 'false as');
    const result = await scorecardSection(db, await tables(long));
    // 30 complete months 2024-01 … 2026-06; the last 24 start at 2024-07
    expect(result?.month).toBe('2026-06');
    expect(result!.tiles[0]!.spark_months[0]).toBe('2024-07');
    expect(result!.tiles[0]!.spark).toHaveLength(24);
  });

  it('is left out without its table', async () => {
    expect(await scorecardSection(db, await tables())).toBeUndefined();
  });
});

describe('cohortsSection', () => {
  it('returns every cell with its cohort size, both measures and the partial flag, by cohort then period', async () => {
    const t = await tables(`create table cohort_retention_v1 as select * from (values
      (date '2024-02-01', 0, date '2024-02-01', 5, 5, 1.0, 50.00::decimal(18,2), 10.00::decimal(18,2), true),
      (date '2024-01-01', 1, date '2024-02-01', 4, 1, 0.25, 20.00::decimal(18,2), 15.00::decimal(18,2), true),
      (date '2024-01-01', 0, date '2024-01-01', 4, 4, 1.0, 40.00::decimal(18,2), 10.00::decimal(18,2), false)
    ) v(cohort_month, period_number, period_month, cohort_size, active_customers, retention_rate, revenue, cumulative_revenue_per_customer, is_partial_period)`);
    expect(await cohortsSection(db, t)).toEqual([
      { cohort: '2024-01', period: 0, month: '2024-01', cohort_size: 4, active_customers: 4, retention_rate: 1, cumulative_revenue_per_customer: 10, partial: false },
      { cohort: '2024-01', period: 1, month: '2024-02', cohort_size: 4, active_customers: 1, retention_rate: 0.25, cumulative_revenue_per_customer: 15, partial: true },
      { cohort: '2024-02', period: 0, month: '2024-02', cohort_size: 5, active_customers: 5, retention_rate: 1, cumulative_revenue_per_customer: 10, partial: true },
    ]);
  });
});

describe('retentionSection, revenueSection and subscriptionsSection', () => {
  it('return the monthly rows as numbers, losses of MRR negative', async () => {
    const t = await tables(
      `create table retention_monthly_v1 as select date '2024-02-01' as month, 10::bigint as customers_start, 12::bigint as customers_end,
         3::bigint as new_customers, 8::bigint as retained_customers, 2::bigint as lost_customers, 1::bigint as reactivated_customers,
         0.8 as retention_rate, 0.2 as churn_rate, 90::bigint as churn_window_days, false as is_partial_period`,
      `create table loyalty_kpis_monthly_v1 as select date '2024-02-01' as month, 5::bigint as active_customers, 3::bigint as new_customers,
         8::bigint as orders, 400.00::decimal(18,2) as revenue, 50.00::decimal(18,2) as avg_order_value, 0.4 as repeat_purchase_rate_12m,
         1.6 as purchase_frequency_12m, null::decimal(18,2) as clv_formula, true as is_partial_period`,
      `create table mrr_monthly_v1 as select date '2024-02-01' as month, 120.00::decimal(18,2) as mrr, 4::bigint as paying_customers,
         30.00::decimal(18,2) as new_mrr, 5.00::decimal(18,2) as expansion_mrr, 2.50::decimal(18,2) as contraction_mrr,
         10.00::decimal(18,2) as churned_mrr, 0.00::decimal(18,2) as reactivation_mrr, 0.95 as net_revenue_retention,
         0.9 as gross_revenue_retention, false as is_partial_period`,
    );
    expect(await retentionSection(db, t)).toEqual([
      { month: '2024-02', retention_rate: 0.8, churn_rate: 0.2, customers_start: 10, customers_end: 12, new_customers: 3, retained_customers: 8,
        lost_customers: 2, reactivated_customers: 1, churn_window_days: 90, partial: false },
    ]);
    expect(await revenueSection(db, t)).toEqual([
      { month: '2024-02', orders: 8, revenue: 400, avg_order_value: 50, active_customers: 5, new_customers: 3, repeat_purchase_rate_12m: 0.4,
        purchase_frequency_12m: 1.6, clv_formula: null, partial: true },
    ]);
    expect(await subscriptionsSection(db, t)).toEqual([
      { month: '2024-02', mrr: 120, paying_customers: 4, new_mrr: 30, expansion_mrr: 5, reactivation_mrr: 0, contraction_mrr: -2.5,
        churned_mrr: -10, net_revenue_retention: 0.95, gross_revenue_retention: 0.9, partial: false },
    ]);
  });

  it('are left out without their tables', async () => {
    const t = await tables();
    expect([await retentionSection(db, t), await revenueSection(db, t), await subscriptionsSection(db, t)]).toEqual([undefined, undefined, undefined]);
  });
});

describe('voiceSection', () => {
  const surveys = `create table survey_scores_monthly_v1 as select date '2025-05-01' as month, 25.0 as nps, 8::bigint as nps_responses,
    0.75 as csat, 4::bigint as csat_responses, 5.5 as ces, 2::bigint as ces_responses, false as is_partial_period`;

  it('has the surveys with their response counts, and no engagement when that table is missing', async () => {
    expect(await voiceSection(db, await tables(surveys))).toEqual({
      survey_table: 'survey_scores_monthly_v1',
      surveys: [{ month: '2025-05', nps: 25, nps_responses: 8, csat: 0.75, csat_responses: 4, ces: 5.5, ces_responses: 2, partial: false }],
      engagement: undefined,
    });
  });

  it('reads v2, with the NPS answer groups, when it is published', async () => {
    // 8 answers: 4 promoters, 2 passives, 2 detractors → nps 100 × (4 − 2) / 8 = 25
    const v2 = `create table survey_scores_monthly_v2 as select date '2025-05-01' as month, 25.0 as nps, 8::bigint as nps_responses,
      4::bigint as nps_promoters, 2::bigint as nps_passives, 2::bigint as nps_detractors,
      0.75 as csat, 4::bigint as csat_responses, 5.5 as ces, 2::bigint as ces_responses, false as is_partial_period`;
    const section = await voiceSection(db, await tables(surveys, v2));
    expect(section?.survey_table).toBe('survey_scores_monthly_v2');
    expect(section?.surveys).toEqual([
      { month: '2025-05', nps: 25, nps_responses: 8, nps_promoters: 4, nps_passives: 2, nps_detractors: 2, csat: 0.75, csat_responses: 4, ces: 5.5, ces_responses: 2, partial: false },
    ]);
  });

  it('has engagement alone, and is left out with neither table', async () => {
    expect(await voiceSection(db, await tables())).toBeUndefined();
    const t = await tables(`create table engagement_monthly_v1 as select date '2026-08-01' as month, 200::bigint as monthly_active_customers,
      50.0 as avg_daily_active_customers, 31::bigint as days_counted, 0.25 as dau_mau, true as is_partial_period`);
    expect(await voiceSection(db, t)).toEqual({
      survey_table: undefined,
      surveys: undefined,
      engagement: [{ month: '2026-08', monthly_active_customers: 200, avg_daily_active_customers: 50, dau_mau: 0.25, partial: true }],
    });
  });
});

describe('predictiveSection', () => {
  // customer, frequency, recency_days, p_alive, expected_purchases_12m, clv_12m
  const predictions = `create table clv_predictions_v1 as select * from (values
    ('a', 0::bigint, 0::bigint, 1.0, 0.2, 0.5),
    ('b', 1, 95, 0.8, 1.0, 3.0),
    ('c', 2, 100, 0.6, 2.0, 7.0),
    ('d', 12, 179, 0.4, 4.0, 7.0),
    ('e', 15, 180, 0.9, 6.0, 2000.0),
    ('f', 0, 0, null, null, null)
  ) v(customer_id, frequency, recency_days, p_alive, expected_purchases_12m, clv_12m)`;
  const risk = `create table churn_risk_v1 as select * from (values
    ('a', 1.0, 10::bigint, 5.0, 'active'),
    ('b', 0.8, 200, 50.0, 'at_risk'),
    ('c', 0.6, 210, 60.0, 'at_risk'),
    ('d', 0.4, 400, 70.0, 'likely_lost'),
    ('e', 0.9, 30, 8.0, 'active'),
    ('f', null, 1000, null, 'unknown')
  ) v(customer_id, p_alive, days_since_last_order, expected_days_to_next_purchase, risk_band)`;

  it('bins predicted CLV: below 1, 1–5, 5–10, …, 1000 and more', async () => {
    const result = await predictiveSection(db, await tables(predictions));
    // a 0.5 → bin 0; b 3 → bin 1 (1–5); c, d 7 → bin 2 (5–10); e 2000 → bin 9 (≥ 1000); f has none
    expect(result?.clv_distribution).toEqual([
      { bin: 0, customers: 1, clv_12m: 0.5 },
      { bin: 1, customers: 1, clv_12m: 3 },
      { bin: 2, customers: 2, clv_12m: 14 },
      { bin: 9, customers: 1, clv_12m: 2000 },
    ]);
  });

  it('averages expected purchases and P(alive) per frequency (10+ together) and 90-day recency band', async () => {
    const result = await predictiveSection(db, await tables(predictions));
    // a (0, 0–89); b (1, 90–179); c (2, 90–179); d (12 → 10, 90–179) and e (15 → 10, 180–269) apart; f has no prediction
    expect(result?.matrix).toEqual([
      { frequency: 0, recency_from: 0, customers: 1, expected_purchases_12m: 0.2, p_alive: 1 },
      { frequency: 1, recency_from: 90, customers: 1, expected_purchases_12m: 1, p_alive: 0.8 },
      { frequency: 2, recency_from: 90, customers: 1, expected_purchases_12m: 2, p_alive: 0.6 },
      { frequency: 10, recency_from: 90, customers: 1, expected_purchases_12m: 4, p_alive: 0.4 },
      { frequency: 10, recency_from: 180, customers: 1, expected_purchases_12m: 6, p_alive: 0.9 },
    ]);
  });

  it('counts customers and predicted CLV per risk band, and lists the at-risk ones by predicted CLV', async () => {
    const result = await predictiveSection(db, await tables(predictions, risk));
    // active: a 0.5 + e 2000; at_risk: b 3 + c 7; likely_lost: d 7; unknown: f (no CLV → 0)
    expect(result?.risk_bands).toEqual([
      { risk_band: 'active', customers: 2, clv_12m: 2000.5 },
      { risk_band: 'at_risk', customers: 2, clv_12m: 10 },
      { risk_band: 'likely_lost', customers: 1, clv_12m: 7 },
      { risk_band: 'unknown', customers: 1, clv_12m: 0 },
    ]);
    expect(result?.win_back).toEqual({
      total: 2,
      limit: WIN_BACK_LIMIT,
      customers: [
        { customer_id: 'c', p_alive: 0.6, days_since_last_order: 210, repeat_purchases: 2, clv_12m: 7, expected_days_to_next_purchase: 60 },
        { customer_id: 'b', p_alive: 0.8, days_since_last_order: 200, repeat_purchases: 1, clv_12m: 3, expected_days_to_next_purchase: 50 },
      ],
    });
  });

  it('caps the win-back list and still tells how many are at risk', async () => {
    const t = await tables(
      `create table clv_predictions_v1 as select 'c' || i as customer_id, 1::bigint as frequency, 10::bigint as recency_days,
         0.5 as p_alive, 1.0 as expected_purchases_12m, i::double as clv_12m from range(600) t(i)`,
      `create table churn_risk_v1 as select 'c' || i as customer_id, 0.5 as p_alive, 100::bigint as days_since_last_order,
         30.0 as expected_days_to_next_purchase, 'at_risk' as risk_band from range(600) t(i)`,
    );
    const winBack = (await predictiveSection(db, t))?.win_back;
    expect(winBack?.total).toBe(600);
    expect(winBack?.customers).toHaveLength(500);
    // highest CLV first: c599 (599) … c100 (100)
    expect(winBack?.customers[0]).toMatchObject({ customer_id: 'c599', clv_12m: 599 });
    expect(winBack?.customers.at(-1)).toMatchObject({ customer_id: 'c100', clv_12m: 100 });
  });

  it('orders the backtest groups by purchase count, the total last', async () => {
    const t = await tables(`create table clv_backtest_v1 as select * from (values
      ('all', 10::bigint, 12::bigint, 11.5, -0.0417, date '2026-05-02', 182::bigint, true),
      ('7+', 2, 8, 7.0, -0.125, date '2026-05-02', 182, true),
      ('1', 3, 3, 3.5, 0.1667, date '2026-05-02', 182, true),
      ('0', 5, 1, 1.0, 0.0, date '2026-05-02', 182, true)
    ) v(frequency_group, customers, actual_repeat_purchases, predicted_repeat_purchases, relative_error, calibration_end, holdout_days, converged)`);
    const backtest = (await predictiveSection(db, t))?.backtest;
    expect(backtest?.map((r) => r.frequency_group)).toEqual(['0', '1', '7+', 'all']);
    expect(backtest?.at(-1)).toEqual({ frequency_group: 'all', customers: 10, actual_repeat_purchases: 12, predicted_repeat_purchases: 11.5,
      relative_error: -0.0417, calibration_end: '2026-05-02', holdout_days: 182, converged: true });
    expect((await predictiveSection(db, t))?.clv_distribution).toBeUndefined();
  });

  it('is left out without any of its tables', async () => {
    expect(await predictiveSection(db, await tables())).toBeUndefined();
  });
});

describe('targetsSection', () => {
  const targets = `create table kpi_targets_monthly_v1 as select * from (values
    ('retention_monthly.churn_rate', null, null, date '2025-01-01', 0.04, 'at_most', 0.05, true, false),
    ('retention_monthly.churn_rate', null, null, date '2025-02-01', 0.07, 'at_most', 0.05, false, false),
    ('retention_monthly.churn_rate', null, null, date '2025-03-01', 0.01, 'at_most', 0.05, true, true),
    ('segment_kpis_monthly.retention_rate', 'country', 'DE', date '2025-02-01', null, 'at_least', 0.8, null, false)
  ) v(target, dimension, segment_value, month, value, comparator, threshold, is_met, is_partial_period)`;

  it("gives each target's latest complete month (a partial month is left out) with the column a tile shows", async () => {
    expect(await targetsSection(db, await tables(targets))).toEqual([
      // 2025-03 is partial: 2025-02 is the latest complete month, and it was missed
      { target: 'retention_monthly.churn_rate', column_name: 'churn_rate', dimension: null, segment_value: null, month: '2025-02', value: 0.07, comparator: 'at_most', threshold: 0.05, is_met: false },
      { target: 'segment_kpis_monthly.retention_rate', column_name: 'retention_rate', dimension: 'country', segment_value: 'DE', month: '2025-02', value: null, comparator: 'at_least', threshold: 0.8, is_met: null },
    ]);
  });

  it('is left out without targets', async () => {
    expect(await targetsSection(db, await tables())).toBeUndefined();
    expect(await targetsSection(db, await tables(`${targets} where false`))).toBeUndefined();
  });
});

describe('segmentsSection', () => {
  const kpiColumns = `active_customers, new_customers, orders, revenue, retention_rate, churn_rate, customers_12m,
    repeat_purchase_rate_12m, purchase_frequency_12m, avg_order_value_12m, clv_formula, avg_predicted_clv_12m`;
  // two months; new_customers per segment sum to its customers: channel email 3 + 1 = 4, organic 5 + 5 = 10;
  // every customer's segment is '(none)' (no segment column in the export): that dimension is left out
  const kpis = `create table segment_kpis_monthly_v1 as select dimension, segment_value, month, ${kpiColumns}, is_partial_period from (values
    ('all', 'all', date '2025-01-01', 8, 8, 9, 90.0, null, null, 8, 0.1, 1.1, 10.0, null, null, false),
    ('all', 'all', date '2025-02-01', 9, 6, 10, 100.0, 0.5, 0.5, 14, 0.2, 1.2, 10.0, 20.0, 15.0, true),
    ('acquisition_channel', 'email', date '2025-01-01', 3, 3, 3, 30.0, null, null, 3, 0.0, 1.0, 10.0, null, null, false),
    ('acquisition_channel', 'email', date '2025-02-01', 2, 1, 2, 20.0, 0.5, 0.5, 4, 0.25, 1.25, 10.0, 12.0, 9.0, true),
    ('acquisition_channel', 'organic', date '2025-01-01', 5, 5, 6, 60.0, null, null, 5, 0.2, 1.2, 10.0, null, null, false),
    ('acquisition_channel', 'organic', date '2025-02-01', 7, 5, 8, 80.0, 0.5, 0.5, 10, 0.2, 1.4, 10.0, 25.0, 18.0, true),
    ('segment', '(none)', date '2025-01-01', 8, 8, 9, 90.0, null, null, 8, 0.1, 1.1, 10.0, null, null, false),
    ('segment', '(none)', date '2025-02-01', 9, 6, 10, 100.0, 0.5, 0.5, 14, 0.2, 1.2, 10.0, 20.0, 15.0, true)
  ) v(dimension, segment_value, month, ${kpiColumns}, is_partial_period)`;
  const cohorts = `create table cohort_retention_by_segment_v1 as select * from (values
    ('acquisition_channel', 'organic', date '2025-01-01', 0::bigint, 5::bigint, 1.0, false),
    ('acquisition_channel', 'organic', date '2025-01-01', 1, 5, 0.4, true),
    ('acquisition_channel', 'organic', date '2025-02-01', 0, 5, 1.0, true)
  ) v(dimension, segment_value, cohort_month, period_number, cohort_size, retention_rate, is_partial_period)`;

  it('lists the dimensions with real values, largest segment first, with their months and packed cohorts', async () => {
    const section = await segmentsSection(db, await tables(kpis, cohorts));
    expect(section?.map((d) => [d.dimension, d.more_values, d.values.map((v) => [v.value, v.customers])])).toEqual([
      ['acquisition_channel', 0, [['organic', 10], ['email', 4]]],
    ]);
    const organic = section![0]!.values[0]!;
    expect(organic.months.map((m) => [m.month, m.active_customers, m.revenue, m.avg_predicted_clv_12m, m.partial])).toEqual([
      ['2025-01', 5, 60, null, false],
      ['2025-02', 7, 80, 18, true],
    ]);
    expect(organic.cohorts).toEqual({ cohorts: ['2025-01', '2025-02'], sizes: [5, 5], rates: [[1, 0.4], [1]], partial: [[false, true], [true]] });
    expect(section![0]!.values[1]!.cohorts).toBeUndefined(); // email has no cohort rows
  });

  it(`shows the ${SEGMENT_VALUES_SHOWN} largest values of a dimension and counts the rest`, async () => {
    const many = `create table segment_kpis_monthly_v1 as select 'country' as dimension, 'c' || lpad(i::varchar, 2, '0') as segment_value,
      date '2025-01-01' as month, ${kpiColumns.split(/,\s*/).map((c) => (c === 'new_customers' ? 'i as new_customers' : `1 as ${c}`)).join(', ')}, false as is_partial_period
      from range(1, ${SEGMENT_VALUES_SHOWN + 3}) t(i)`;
    const [country] = (await segmentsSection(db, await tables(many)))!;
    // values c01 … c14 with i customers each: c14 … c03 shown, c02 and c01 counted
    expect(country!.values.map((v) => v.value)).toEqual(Array.from({ length: SEGMENT_VALUES_SHOWN }, (_, k) => `c${String(SEGMENT_VALUES_SHOWN + 2 - k).padStart(2, '0')}`));
    expect(country!.more_values).toBe(2);
  });

  it('is left out without its table or without any segmented dimension', async () => {
    expect(await segmentsSection(db, await tables())).toBeUndefined();
    expect(await segmentsSection(db, await tables(`${kpis} where dimension in ('all', 'segment')`))).toBeUndefined();
  });
});
