/**
 * cohort_retention_by_segment and segment_kpis_monthly (docs/metrics.md, "Additions (second
 * release)", "Segments") on a hand-calculated fixture. Every expected value is derived beside it.
 *
 * Fixture (as-of 2024-03-31, a month's last day: nothing partial; churn window W = 31 days):
 *   completed orders (net):
 *     a1: o1 2024-01-10 100.00, o2 2024-02-10 50.00          cohort Jan
 *     a2: o3 2024-01-20 40.00                                cohort Jan
 *     a3: o4 2024-02-05 60.00, o5 2024-03-15 30.00, o6 2024-03-20 10.00   cohort Feb
 *     c9: o7 2024-03-01 20.00 — not in the customers export  cohort Mar
 *   customers, from two exports (ingest + staging; the later one wins for a1):
 *     customers-1.csv (landed 04-01): a1 email/silver/de, a2 ads/silver/(no country), a3 social/gold/FR
 *     customers-2.csv (landed 04-02): a1 email/gold/DE
 *   → a1 email gold DE; a2 ads silver (none); a3 social gold FR; c9 (none) everywhere but all.
 *   clv_predictions_v1 (given): a1 120, a2 30, a3 90, c9 NULL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRows, money, type Row } from '../helpers/expect-rows.js';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { dataTests } from '../../src/core/models/model-runner.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { buildTable, buildTables, failingTests, stageExports, type BuiltTable, type ModelInputs } from '../helpers/model-harness.js';
import { csv, tempDir } from '../helpers/temp-lake.js';

const order = (order_id: string, customer_id: string, date: string, amount: number): Row => ({
  order_id,
  customer_id,
  ordered_at: `${date} 12:00:00`,
  amount,
  status: 'completed',
});

const orders: Row[] = [
  order('o1', 'a1', '2024-01-10', 100),
  order('o2', 'a1', '2024-02-10', 50),
  order('o3', 'a2', '2024-01-20', 40),
  order('o4', 'a3', '2024-02-05', 60),
  order('o5', 'a3', '2024-03-15', 30),
  order('o6', 'a3', '2024-03-20', 10),
  order('o7', 'c9', '2024-03-01', 20),
];

const customersFirst = csv(
  'customer_id,created_at,acquisition_channel,segment,country',
  'a1,2024-01-01,email,silver,de',
  'a2,2024-01-01,ads,silver,',
  'a3,2024-01-01,social,gold,FR',
);
const customersSecond = csv('customer_id,created_at,acquisition_channel,segment,country', 'a1,2024-01-01,email,gold,DE');

const clvPredictions: Row[] = [
  { customer_id: 'a1', clv_12m: 120 },
  { customer_id: 'a2', clv_12m: 30 },
  { customer_id: 'a3', clv_12m: 90 },
  { customer_id: 'c9', clv_12m: null },
];

const TABLES = ['cohort_retention_by_segment_v1', 'segment_kpis_monthly_v1', 'cohort_retention_v1', 'retention_monthly_v1', 'loyalty_kpis_monthly_v1'];

let stagedCustomers: Row[];
let inputs: ModelInputs;
let built: Record<string, BuiltTable>;

beforeAll(async () => {
  const { staged } = await stageExports({
    'inbox/customers/customers-1.csv': customersFirst,
    'inbox/customers/customers-2.csv': customersSecond,
  });
  stagedCustomers = staged.customers!;
  inputs = { asOf: '2024-03-31', churnWindowDays: 31, staging: { orders, customers: stagedCustomers }, tables: { clv_predictions_v1: clvPredictions } };
  built = await buildTables(TABLES, inputs);
});

const cohortColumns = ['dimension', 'segment_value', 'cohort_month', 'period_number'];
const rowsOf = (table: string, dimension: string) => built[table]!.rows.filter((r) => r.dimension === dimension);

describe('customers exports', () => {
  it('the later export wins: a1 is gold and DE, the others as in the first export', () => {
    expect(stagedCustomers.map((r) => [r.customer_id, r.acquisition_channel, r.segment, r.country])).toEqual([
      ['a1', 'email', 'gold', 'DE'],
      ['a2', 'ads', 'silver', null],
      ['a3', 'social', 'gold', 'FR'],
    ]);
  });
});

describe('int_customer_segments', () => {
  it('gives each combination of the three values its own number, and its data test fails when two combinations share one', async () => {
    const segments = await buildTable('int_customer_segments_v1', inputs);
    expect(failingTests(segments)).toEqual([]);
    // four combinations: a1 email/gold/DE, a2 ads/silver/(none), a3 social/gold/FR, c9 (none)/(none)/(none)
    expect(new Set(segments.rows.map((r) => r.combination_id)).size).toBe(4);

    // The number is a hash: a collision must stop the run, not merge two segments.
    const model = loadModels(defaultModelsDir()).find((m) => m.table === 'int_customer_segments_v1')!;
    const test = dataTests(model).find((t) => t.name === 'one_combination_id_per_combination')!;
    const db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
    try {
      const failures = async (rows: string) => {
        await db.run(`create or replace table int_customer_segments_v1 as
          select * from (values ${rows}) as t (customer_id, cohort_month, acquisition_channel, segment, country, combination_id)`);
        return Number(await db.scalar(test.sql));
      };
      const a1 = "('a1', date '2024-01-01', 'email', 'gold', 'DE', 7)";
      expect(await failures(`${a1}, ('a2', date '2024-01-01', 'ads', 'silver', '(none)', 8), ('a3', date '2024-02-01', 'email', 'gold', 'DE', 7)`)).toBe(0);
      expect(await failures(`${a1}, ('a2', date '2024-01-01', 'ads', 'silver', '(none)', 7)`)).toBeGreaterThan(0); // two combinations, one number
      expect(await failures(`${a1}, ('a3', date '2024-02-01', 'email', 'gold', 'DE', 8)`)).toBeGreaterThan(0); // one combination, two numbers
    } finally {
      db.closeSync();
    }
  });
});

describe('cohort_retention_by_segment', () => {
  it('passes its data tests, including all = cohort_retention', () => {
    expect(failingTests(built.cohort_retention_by_segment_v1!)).toEqual([]);
  });

  // (c, k): cohort_size, active, retention_rate, revenue, cumulative revenue per customer
  const row = (dimension: string, segment_value: string, cohort_month: string, period_number: number, period_month: string,
    cohort_size: number, active: number, revenue: number, cumulative: number): Row => ({
    dimension, segment_value, cohort_month, period_number: String(period_number), period_month,
    cohort_size: String(cohort_size), active_customers: String(active), retention_rate: active / cohort_size,
    revenue: money(revenue), cumulative_revenue_per_customer: money(cumulative), is_partial_period: false,
  });

  it('three channels and a customer missing from the export (c9 → (none))', () => {
    expectRows(rowsOf('cohort_retention_by_segment_v1', 'acquisition_channel'), [
      // (none) = c9 only: cohort Mar, 20.00 in Mar
      row('acquisition_channel', '(none)', '2024-03-01', 0, '2024-03-01', 1, 1, 20, 20),
      // ads = a2: 40.00 in Jan, nothing after; cumulative stays 40 / 1
      row('acquisition_channel', 'ads', '2024-01-01', 0, '2024-01-01', 1, 1, 40, 40),
      row('acquisition_channel', 'ads', '2024-01-01', 1, '2024-02-01', 1, 0, 0, 40),
      row('acquisition_channel', 'ads', '2024-01-01', 2, '2024-03-01', 1, 0, 0, 40),
      // email = a1: 100 Jan, 50 Feb → cumulative 100, 150, 150
      row('acquisition_channel', 'email', '2024-01-01', 0, '2024-01-01', 1, 1, 100, 100),
      row('acquisition_channel', 'email', '2024-01-01', 1, '2024-02-01', 1, 1, 50, 150),
      row('acquisition_channel', 'email', '2024-01-01', 2, '2024-03-01', 1, 0, 0, 150),
      // social = a3: cohort Feb, 60 Feb, 30 + 10 Mar → cumulative 60, 100
      row('acquisition_channel', 'social', '2024-02-01', 0, '2024-02-01', 1, 1, 60, 60),
      row('acquisition_channel', 'social', '2024-02-01', 1, '2024-03-01', 1, 1, 40, 100),
    ], cohortColumns);
  });

  it('dimension all is cohort_retention (hand values too)', () => {
    const all = [
      // Jan cohort a1 + a2 = 2: Jan active 2, 140.00 → 70; Feb a1 50 → 1/2, (140+50)/2 = 95; Mar none → 95
      row('all', 'all', '2024-01-01', 0, '2024-01-01', 2, 2, 140, 70),
      row('all', 'all', '2024-01-01', 1, '2024-02-01', 2, 1, 50, 95),
      row('all', 'all', '2024-01-01', 2, '2024-03-01', 2, 0, 0, 95),
      // Feb cohort a3; Mar cohort c9
      row('all', 'all', '2024-02-01', 0, '2024-02-01', 1, 1, 60, 60),
      row('all', 'all', '2024-02-01', 1, '2024-03-01', 1, 1, 40, 100),
      row('all', 'all', '2024-03-01', 0, '2024-03-01', 1, 1, 20, 20),
    ];
    expectRows(rowsOf('cohort_retention_by_segment_v1', 'all'), all, cohortColumns);
    const strip = ({ dimension: _d, segment_value: _s, ...rest }: Row) => rest;
    expect(rowsOf('cohort_retention_by_segment_v1', 'all').map(strip)).toEqual(built.cohort_retention_v1!.rows);
  });

  it('latest customers row wins: a1 is gold (not silver); country de/DE from the later export; missing country → (none)', () => {
    const keys = (dimension: string) =>
      rowsOf('cohort_retention_by_segment_v1', dimension)
        .filter((r) => r.period_number === '0')
        .map((r) => `${r.segment_value} ${r.cohort_month} ${r.cohort_size}`);
    // gold: a1 (Jan), a3 (Feb); silver: a2 only (had a1 stayed silver, its Jan cohort would be 2); (none): c9
    expect(keys('segment')).toEqual(['(none) 2024-03-01 1', 'gold 2024-01-01 1', 'gold 2024-02-01 1', 'silver 2024-01-01 1']);
    // DE: a1; FR: a3; (none): a2 (no country) in Jan, c9 (not exported) in Mar; no 'de'
    expect(keys('country')).toEqual(['(none) 2024-01-01 1', '(none) 2024-03-01 1', 'DE 2024-01-01 1', 'FR 2024-02-01 1']);
  });
});

describe('segment_kpis_monthly', () => {
  it('passes its data tests, including all = retention_monthly and loyalty_kpis_monthly', () => {
    expect(failingTests(built.segment_kpis_monthly_v1!)).toEqual([]);
  });

  const kpi = (dimension: string, segment_value: string, month: string, v: {
    active: number; new: number; orders: number; revenue: number;
    cs: number | null; ce: number | null; retention: number | null; churn: number | null;
    c12: number; repeat: number | null; freq: number | null; aov12: number | null; clv: number | null; predicted?: number | null;
  }): Row => ({
    dimension, segment_value, month,
    active_customers: String(v.active), new_customers: String(v.new), orders: String(v.orders), revenue: money(v.revenue),
    customers_start: v.cs === null ? null : String(v.cs), customers_end: v.ce === null ? null : String(v.ce),
    retention_rate: v.retention, churn_rate: v.churn,
    customers_12m: String(v.c12), repeat_purchase_rate_12m: v.repeat, purchase_frequency_12m: v.freq,
    avg_order_value_12m: v.aov12 === null ? null : money(v.aov12), clv_formula: v.clv === null ? null : money(v.clv),
    avg_predicted_clv_12m: v.predicted ?? null, is_partial_period: false,
  });
  // Live sets (W = 31): start of Feb = order in [01-01, 01-31]: a1, a2; end of Feb = [01-30, 02-29]: a1, a3.
  // Start of Mar = [01-30, 02-29]: a1, a3; end of Mar = [03-01, 03-31]: a3, c9. Jan (first cohort month): no retention row.
  const grainColumns = ['dimension', 'segment_value', 'month'];

  it('dimension all (hand values) equals retention_monthly and loyalty_kpis_monthly', () => {
    expectRows(rowsOf('segment_kpis_monthly_v1', 'all'), [
      // Jan: a1, a2 active and new, 2 orders 140.00; T: 2 customers, none repeat, 2 orders → freq 1, aov 70; no churn yet
      kpi('all', 'all', '2024-01-01', { active: 2, new: 2, orders: 2, revenue: 140, cs: null, ce: null, retention: null, churn: null,
        c12: 2, repeat: 0, freq: 1, aov12: 70, clv: null }),
      // Feb: a1 (50), a3 (60, new); CS {a1,a2} 2, CE {a1,a3} 2, CN 1, retained a1 → (2−1)/2, (2−1)/2
      // T: a1 a2 a3 = 3, repeat a1 → 1/3; 4 orders 250.00 → freq 4/3, aov 62.50; churn mean 0.5 → clv 250/3/(12·0.5) = 13.89
      kpi('all', 'all', '2024-02-01', { active: 2, new: 1, orders: 2, revenue: 110, cs: 2, ce: 2, retention: 0.5, churn: 0.5,
        c12: 3, repeat: 1 / 3, freq: 4 / 3, aov12: 62.5, clv: 250 / 3 / 6 }),
      // Mar: a3 (30+10), c9 (20, new) → 3 orders 60.00; CS {a1,a3}, CE {a3,c9}, CN c9, retained a3 → 0.5, 0.5
      // T: 4 customers, repeat a1 a3 → 0.5; 7 orders 310.00 → 1.75, 44.29; churn mean (0.5+0.5)/2 → 310/4/6 = 12.92
      // predicted: mean of 120, 30, 90 (c9's NULL left out) = 80, on the as-of month only
      kpi('all', 'all', '2024-03-01', { active: 2, new: 1, orders: 3, revenue: 60, cs: 2, ce: 2, retention: 0.5, churn: 0.5,
        c12: 4, repeat: 0.5, freq: 1.75, aov12: 310 / 7, clv: 310 / 4 / 6, predicted: 80 }),
    ], grainColumns);
    const retention = new Map(built.retention_monthly_v1!.rows.map((r) => [r.month, r]));
    const kpis = built.loyalty_kpis_monthly_v1!.rows;
    expect(rowsOf('segment_kpis_monthly_v1', 'all').map((r) => r.month)).toEqual(kpis.map((r) => r.month));
    for (const [i, row] of rowsOf('segment_kpis_monthly_v1', 'all').entries()) {
      const k = kpis[i]!;
      for (const c of ['active_customers', 'new_customers', 'orders', 'revenue', 'customers_12m', 'repeat_purchase_rate_12m',
        'purchase_frequency_12m', 'avg_order_value_12m', 'clv_formula', 'is_partial_period']) expect(row[c], `${c} ${row.month}`).toEqual(k[c]);
      const r = retention.get(row.month);
      for (const c of ['customers_start', 'customers_end', 'retention_rate', 'churn_rate']) expect(row[c], `${c} ${row.month}`).toEqual(r?.[c] ?? null);
    }
  });

  it('three channels and a customer missing from the export, with their own churn in the CLV', () => {
    expectRows(rowsOf('segment_kpis_monthly_v1', 'acquisition_channel'), [
      // (none) = c9: only March (20.00, new). Feb: CS 0, CE 0; Mar: CS 0, CE 1 → rates NULL; T in Mar: 1 customer, 1 order
      kpi('acquisition_channel', '(none)', '2024-01-01', { active: 0, new: 0, orders: 0, revenue: 0, cs: null, ce: null, retention: null, churn: null,
        c12: 0, repeat: null, freq: null, aov12: null, clv: null }),
      kpi('acquisition_channel', '(none)', '2024-02-01', { active: 0, new: 0, orders: 0, revenue: 0, cs: 0, ce: 0, retention: null, churn: null,
        c12: 0, repeat: null, freq: null, aov12: null, clv: null }),
      kpi('acquisition_channel', '(none)', '2024-03-01', { active: 1, new: 1, orders: 1, revenue: 20, cs: 0, ce: 1, retention: null, churn: null,
        c12: 1, repeat: 0, freq: 1, aov12: 20, clv: null, predicted: null }),
      // ads = a2: Jan 40.00. Feb: CS 1, CE 0 → retention 0, churn 1; Mar: CS 0 → NULL.
      // T: 1 customer, 1 order, 40.00; churn mean Feb 1 / Mar (Feb only) 1 → clv 40/1/12 = 3.33
      kpi('acquisition_channel', 'ads', '2024-01-01', { active: 1, new: 1, orders: 1, revenue: 40, cs: null, ce: null, retention: null, churn: null,
        c12: 1, repeat: 0, freq: 1, aov12: 40, clv: null }),
      kpi('acquisition_channel', 'ads', '2024-02-01', { active: 0, new: 0, orders: 0, revenue: 0, cs: 1, ce: 0, retention: 0, churn: 1,
        c12: 1, repeat: 0, freq: 1, aov12: 40, clv: 40 / 12 }),
      kpi('acquisition_channel', 'ads', '2024-03-01', { active: 0, new: 0, orders: 0, revenue: 0, cs: 0, ce: 0, retention: null, churn: null,
        c12: 1, repeat: 0, freq: 1, aov12: 40, clv: 40 / 12, predicted: 30 }),
      // email = a1: Jan 100, Feb 50. Feb: CS 1, CE 1, retained → 1, 0; Mar: CS 1, CE 0 → 0, 1.
      // T: Feb/Mar 2 orders 150.00 → repeat 1, freq 2, aov 75; churn mean Feb 0 → NULL clv, Mar (0+1)/2 → 150/1/6 = 25
      kpi('acquisition_channel', 'email', '2024-01-01', { active: 1, new: 1, orders: 1, revenue: 100, cs: null, ce: null, retention: null, churn: null,
        c12: 1, repeat: 0, freq: 1, aov12: 100, clv: null }),
      kpi('acquisition_channel', 'email', '2024-02-01', { active: 1, new: 0, orders: 1, revenue: 50, cs: 1, ce: 1, retention: 1, churn: 0,
        c12: 1, repeat: 1, freq: 2, aov12: 75, clv: null }),
      kpi('acquisition_channel', 'email', '2024-03-01', { active: 0, new: 0, orders: 0, revenue: 0, cs: 1, ce: 0, retention: 0, churn: 1,
        c12: 1, repeat: 1, freq: 2, aov12: 75, clv: 25, predicted: 120 }),
      // social = a3: Feb 60 (new), Mar 30 + 10. Feb: CS 0, CE 1 → NULL; Mar: CS 1, CE 1, retained → 1, 0.
      // T: Feb 1 order 60; Mar 3 orders 100.00 → repeat 1, freq 3, aov 33.33; churn mean 0 → clv NULL
      kpi('acquisition_channel', 'social', '2024-01-01', { active: 0, new: 0, orders: 0, revenue: 0, cs: null, ce: null, retention: null, churn: null,
        c12: 0, repeat: null, freq: null, aov12: null, clv: null }),
      kpi('acquisition_channel', 'social', '2024-02-01', { active: 1, new: 1, orders: 1, revenue: 60, cs: 0, ce: 1, retention: null, churn: null,
        c12: 1, repeat: 0, freq: 1, aov12: 60, clv: null }),
      kpi('acquisition_channel', 'social', '2024-03-01', { active: 1, new: 0, orders: 2, revenue: 40, cs: 1, ce: 1, retention: 1, churn: 0,
        c12: 1, repeat: 1, freq: 3, aov12: 100 / 3, clv: null, predicted: 90 }),
    ], grainColumns);
  });

  it('segments and countries from the latest customers row; the missing customer in (none)', () => {
    const march = (dimension: string) =>
      rowsOf('segment_kpis_monthly_v1', dimension)
        .filter((r) => r.month === '2024-03-01')
        .map((r) => [r.segment_value, r.customers_12m, r.avg_predicted_clv_12m]);
    // gold = a1 + a3 (T in Mar: 2; predicted (120+90)/2 = 105); silver = a2 (30); (none) = c9 (NULL)
    expect(march('segment')).toEqual([['(none)', '1', null], ['gold', '2', 105], ['silver', '1', 30]]);
    // DE = a1 (120); FR = a3 (90); (none) = a2 (no country) + c9 (not exported): 2 in T, predicted 30 (c9 NULL)
    expect(march('country')).toEqual([['(none)', '2', 30], ['DE', '1', 120], ['FR', '1', 90]]);
  });
});

describe('the data tests comparing all with the source tables can fail', () => {
  it('a cohort_retention_v1 that differs in one value fails all_equals_cohort_retention; a missing row fails the count', async () => {
    const source = built.cohort_retention_v1!.rows;
    const changed = source.map((r, i) => (i === 0 ? { ...r, active_customers: '1' } : r));
    const tampered = await buildTables(['cohort_retention_by_segment_v1'], { ...inputs, tables: { ...inputs.tables, cohort_retention_v1: changed } });
    expect(failingTests(tampered.cohort_retention_by_segment_v1!)).toEqual(['all_equals_cohort_retention']);
    const shorter = await buildTables(['cohort_retention_by_segment_v1'], { ...inputs, tables: { ...inputs.tables, cohort_retention_v1: source.slice(1) } });
    expect(failingTests(shorter.cohort_retention_by_segment_v1!)).toEqual(['all_equals_cohort_retention', 'all_has_every_cohort_retention_row']);
  });

  it('a retention_monthly_v1 or loyalty_kpis_monthly_v1 that differs fails all_equals_retention_and_loyalty_kpis', async () => {
    const retention = built.retention_monthly_v1!.rows.map((r, i) => (i === 0 ? { ...r, churn_rate: 0.25 } : r));
    const withRetention = await buildTables(['segment_kpis_monthly_v1'], { ...inputs, tables: { ...inputs.tables, retention_monthly_v1: retention } });
    expect(failingTests(withRetention.segment_kpis_monthly_v1!)).toEqual(['all_equals_retention_and_loyalty_kpis']);
    const kpis = built.loyalty_kpis_monthly_v1!.rows.map((r, i) => (i === 2 ? { ...r, clv_formula: '12.94' } : r));
    const withKpis = await buildTables(['segment_kpis_monthly_v1'], { ...inputs, tables: { ...inputs.tables, loyalty_kpis_monthly_v1: kpis } });
    expect(failingTests(withKpis.segment_kpis_monthly_v1!)).toEqual(['all_equals_retention_and_loyalty_kpis']);
  });
});
