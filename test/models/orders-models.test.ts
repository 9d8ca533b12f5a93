/**
 * Independent tests of the four published orders-based models (customer_summary,
 * cohort_retention, retention_monthly, loyalty_kpis_monthly) against docs/metrics.md.
 * Every expected value below is a hand calculation from the spec on the fixture defined
 * here — none was copied from a run.
 *
 * The models run on the fixture's staged rows in an in-memory DuckDB (test/helpers/model-harness.ts),
 * with three settings:
 *   A: as-of 2024-05-20 (the data's own as-of), W = 90 → May partial
 *   B: asOf 2024-05-10, W 30 → May partial, orders after 05-10 not counted
 *   C: asOf 2024-04-30       → as-of is a month's last day, nothing partial
 * The pipeline runs twice on the CSV exports behind those rows (last describe block): ingest and
 * staging turn them into exactly the staged rows, and a run takes its as-of date from the data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import type { RunManifest } from '../../src/core/pipeline/run-manifest.js';
import { stageInputs } from '../../src/core/pipeline/stage-inputs.js';
import { expectRows, money, type Row } from '../helpers/expect-rows.js';
import { buildTables, failingTests, type BuiltTable, type ModelInputs } from '../helpers/model-harness.js';
import { csv, readParquet, run, tempDir, tempLake } from '../helpers/temp-lake.js';

// ---------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------
//
// Completed orders (UTC date, net value) — what the models must see in run A:
//   c1: o01 2024-01-05 100.00; o02 2024-01-05 50.00 − 10.00 = 40.00 (same day, partial refund);
//       o03 2024-03-10 80.00 ('Completed', refunded_amount empty = 0);
//       o04 2024-04-02 'refunded' → nowhere
//   c2: o05 2024-01-20 60.00 (refunded_amount empty); o06 2024-01-31T23:30-02:00 = 2024-02-01 01:30 UTC 40.00
//   c3: o07 2024-02-15 120.00; o08 2024-02-20 'cancelled' → nowhere; o09 2024-05-12 70.00 ('COMPLETED')
//   c4: o10 2024-03-03 (date only, empty status = completed) 90.00;
//       o11 2024-05-05: 25.00 in orders-b.csv (landed 06-01), 35.00 in orders-a.csv (landed 06-02) → 35.00 wins
//   c5: o12 'REFUNDED', o18 'cancelled' → no completed order at all
//   c6: o13 2024-04-15: 44.00 in orders-b.csv, 46.00 in orders-c.csv (both landed 06-01: tie → the later key,
//       orders-c.csv, wins) → 46.00; o14 2024-05-20 55.00; o16 2024-05-25 'Cancelled' (after the data's as-of; nowhere)
//   c9: o17 2024-05-18T08:00+03:00 = 2024-05-18 05:00 UTC 20.00 (not in the customers export)
//   o15: empty customer_id, 999.00 → rejected at ingest, counted nowhere
// Customers export: c1..c5, c7 (no orders at all), c8 (created 2024-06-01, after every as-of).
//
// As-of from data (run A) = greatest date of a completed order = 2024-05-20 (o14);
// o16 (05-25) is cancelled, so it does not move it. May 2024 is partial (05-20 ≠ 05-31).

const ORDERS_MAIN_KEY = 'inbox/orders/2024/orders-b.csv';
const ORDERS_REDELIVERY_KEY = 'inbox/orders/2024/orders-a.csv';
const ORDERS_SAME_TIME_KEY = 'inbox/orders/2024/orders-c.csv';

const ordersMain = csv(
  'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status', // line 1
  'o01,c1,2024-01-05T10:00:00Z,100.00,0,EUR,completed', // line 2
  'o02,c1,2024-01-05T18:00:00Z,50.00,10.00,EUR,completed', // line 3
  'o03,c1,2024-03-10T12:00:00Z,80.00,,EUR,Completed', // line 4
  'o04,c1,2024-04-02T09:00:00Z,200.00,0,EUR,refunded', // line 5
  'o05,c2,2024-01-20T09:00:00Z,60.00,,EUR,completed', // line 6
  'o06,c2,2024-01-31T23:30:00-02:00,40.00,0,EUR,completed', // line 7
  'o07,c3,2024-02-15T14:00:00Z,120.00,0,EUR,completed', // line 8
  'o08,c3,2024-02-20T14:00:00Z,30.00,0,EUR,cancelled', // line 9
  'o09,c3,2024-05-12T08:00:00Z,70.00,0,EUR,COMPLETED', // line 10
  'o10,c4,2024-03-03,90.00,,EUR,', // line 11
  'o11,c4,2024-05-05T11:00:00Z,25.00,0,EUR,completed', // line 12 (superseded by the re-delivery)
  'o12,c5,2024-02-10T10:00:00Z,55.00,0,EUR,REFUNDED', // line 13
  'o13,c6,2024-04-15T16:00:00Z,44.00,0,EUR,completed', // line 14 (superseded by orders-c.csv)
  'o14,c6,2024-05-20T19:00:00Z,55.00,0,EUR,completed', // line 15
  'o15,,2024-03-15T10:00:00Z,999.00,0,EUR,completed', // line 16 → rejected: customer_id missing
  'o16,c6,2024-05-25T10:00:00Z,300.00,0,EUR,Cancelled', // line 17
  'o17,c9,2024-05-18T08:00:00+03:00,20.00,0,EUR,completed', // line 18
  'o18,c5,2024-03-20T10:00:00Z,15.00,0,EUR,cancelled', // line 19
);

// Landed one day later than orders-b.csv, although its key sorts first: landing time decides.
const ordersRedelivery = csv(
  'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status',
  'o11,c4,2024-05-05T11:00:00Z,35.00,0,EUR,completed',
);

// Landed at the same time as orders-b.csv; its key sorts after it, so its o13 wins the tie.
const ordersSameTime = csv(
  'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status',
  'o13,c6,2024-04-15T16:00:00Z,46.00,0,EUR,completed',
);

const customers = csv(
  'customer_id,created_at,acquisition_channel,referred_by',
  'c1,2023-12-01T00:00:00Z,organic,',
  'c2,2024-01-15T00:00:00Z,paid_search,c1',
  'c3,2024-02-01,organic,',
  'c4,2024-03-01T00:00:00Z,,',
  'c5,2024-02-01T00:00:00Z,social,',
  'c7,2024-03-01T00:00:00Z,social,c3',
  'c8,2024-06-01T00:00:00Z,email,',
);


// What ingest and staging make of those exports (checked by the pipeline tests at the end): UTC
// timestamps, lowercase statuses, refunded_amount 0 when empty, one row per order_id (o11 35.00,
// o13 46.00), o15 rejected.
const STAGED_ORDERS: Row[] = [
  { order_id: 'o01', customer_id: 'c1', ordered_at: '2024-01-05 10:00:00', amount: '100.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o02', customer_id: 'c1', ordered_at: '2024-01-05 18:00:00', amount: '50.00', refunded_amount: '10.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o03', customer_id: 'c1', ordered_at: '2024-03-10 12:00:00', amount: '80.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o04', customer_id: 'c1', ordered_at: '2024-04-02 09:00:00', amount: '200.00', refunded_amount: '0.00', currency: 'EUR', status: 'refunded' },
  { order_id: 'o05', customer_id: 'c2', ordered_at: '2024-01-20 09:00:00', amount: '60.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o06', customer_id: 'c2', ordered_at: '2024-02-01 01:30:00', amount: '40.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o07', customer_id: 'c3', ordered_at: '2024-02-15 14:00:00', amount: '120.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o08', customer_id: 'c3', ordered_at: '2024-02-20 14:00:00', amount: '30.00', refunded_amount: '0.00', currency: 'EUR', status: 'cancelled' },
  { order_id: 'o09', customer_id: 'c3', ordered_at: '2024-05-12 08:00:00', amount: '70.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o10', customer_id: 'c4', ordered_at: '2024-03-03 00:00:00', amount: '90.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o11', customer_id: 'c4', ordered_at: '2024-05-05 11:00:00', amount: '35.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o12', customer_id: 'c5', ordered_at: '2024-02-10 10:00:00', amount: '55.00', refunded_amount: '0.00', currency: 'EUR', status: 'refunded' },
  { order_id: 'o13', customer_id: 'c6', ordered_at: '2024-04-15 16:00:00', amount: '46.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o14', customer_id: 'c6', ordered_at: '2024-05-20 19:00:00', amount: '55.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o16', customer_id: 'c6', ordered_at: '2024-05-25 10:00:00', amount: '300.00', refunded_amount: '0.00', currency: 'EUR', status: 'cancelled' },
  { order_id: 'o17', customer_id: 'c9', ordered_at: '2024-05-18 05:00:00', amount: '20.00', refunded_amount: '0.00', currency: 'EUR', status: 'completed' },
  { order_id: 'o18', customer_id: 'c5', ordered_at: '2024-03-20 10:00:00', amount: '15.00', refunded_amount: '0.00', currency: 'EUR', status: 'cancelled' },
];

const STAGED_CUSTOMERS: Row[] = [
  { customer_id: 'c1', created_at: '2023-12-01 00:00:00', acquisition_channel: 'organic', referred_by: null, segment: null, country: null },
  { customer_id: 'c2', created_at: '2024-01-15 00:00:00', acquisition_channel: 'paid_search', referred_by: 'c1', segment: null, country: null },
  { customer_id: 'c3', created_at: '2024-02-01 00:00:00', acquisition_channel: 'organic', referred_by: null, segment: null, country: null },
  { customer_id: 'c4', created_at: '2024-03-01 00:00:00', acquisition_channel: null, referred_by: null, segment: null, country: null },
  { customer_id: 'c5', created_at: '2024-02-01 00:00:00', acquisition_channel: 'social', referred_by: null, segment: null, country: null },
  { customer_id: 'c7', created_at: '2024-03-01 00:00:00', acquisition_channel: 'social', referred_by: 'c3', segment: null, country: null },
  { customer_id: 'c8', created_at: '2024-06-01 00:00:00', acquisition_channel: 'email', referred_by: null, segment: null, country: null },
];

interface ModelsOutput {
  customerSummary: Row[];
  cohortRetention: Row[];
  retentionMonthly: Row[];
  loyaltyKpis: Row[];
  schemas: Record<string, Record<string, string>>;
  built: BuiltTable[];
}

const MODELS = ['customer_summary_v1', 'cohort_retention_v1', 'retention_monthly_v1', 'loyalty_kpis_monthly_v1'] as const;

async function buildFixture(settings: Omit<ModelInputs, 'staging'>): Promise<ModelsOutput> {
  const built = await buildTables(MODELS, { ...settings, staging: { orders: STAGED_ORDERS, customers: STAGED_CUSTOMERS } });
  return {
    customerSummary: built.customer_summary_v1!.rows,
    cohortRetention: built.cohort_retention_v1!.rows,
    retentionMonthly: built.retention_monthly_v1!.rows,
    loyaltyKpis: built.loyalty_kpis_monthly_v1!.rows,
    schemas: Object.fromEntries(MODELS.map((table) => [table.replace(/_v1$/, ''), built[table]!.types])),
    built: MODELS.map((table) => built[table]!),
  };
}

let A: ModelsOutput;
let B: ModelsOutput;
let C: ModelsOutput;

beforeAll(async () => {
  A = await buildFixture({ asOf: '2024-05-20' });
  B = await buildFixture({ asOf: '2024-05-10', churnWindowDays: 30 });
  C = await buildFixture({ asOf: '2024-04-30' });
});

// ---------------------------------------------------------------------------
// Run A: the data's own as-of date, default churn window
// ---------------------------------------------------------------------------

describe("run A (as-of 2024-05-20, the data's own; W = 90)", () => {
  it('builds every model with every data test passing', () => {
    for (const table of A.built) expect(failingTests(table)).toEqual([]);
  });

  it('builds the column types of the spec conventions (money DECIMAL(18,2), counts BIGINT, rates DOUBLE)', () => {
    expect(A.schemas.customer_summary).toEqual({
      customer_id: 'VARCHAR',
      cohort_month: 'DATE',
      first_order_at: 'TIMESTAMP',
      last_order_at: 'TIMESTAMP',
      orders: 'BIGINT',
      revenue: 'DECIMAL(18,2)',
      avg_order_value: 'DECIMAL(18,2)',
      lifespan_days: 'BIGINT',
      recency_days: 'BIGINT',
      acquisition_channel: 'VARCHAR',
      is_referred: 'BOOLEAN',
    });
    expect(A.schemas.cohort_retention).toEqual({
      cohort_month: 'DATE',
      period_number: 'BIGINT',
      period_month: 'DATE',
      cohort_size: 'BIGINT',
      active_customers: 'BIGINT',
      retention_rate: 'DOUBLE',
      revenue: 'DECIMAL(18,2)',
      cumulative_revenue_per_customer: 'DECIMAL(18,2)',
      is_partial_period: 'BOOLEAN',
    });
    expect(A.schemas.retention_monthly).toEqual({
      month: 'DATE',
      customers_start: 'BIGINT',
      customers_end: 'BIGINT',
      new_customers: 'BIGINT',
      retained_customers: 'BIGINT',
      lost_customers: 'BIGINT',
      reactivated_customers: 'BIGINT',
      retention_rate: 'DOUBLE',
      churn_rate: 'DOUBLE',
      churn_window_days: 'BIGINT',
      is_partial_period: 'BOOLEAN',
    });
    expect(A.schemas.loyalty_kpis_monthly).toEqual({
      month: 'DATE',
      active_customers: 'BIGINT',
      new_customers: 'BIGINT',
      orders: 'BIGINT',
      revenue: 'DECIMAL(18,2)',
      avg_order_value: 'DECIMAL(18,2)',
      customers_12m: 'BIGINT',
      orders_12m: 'BIGINT',
      revenue_12m: 'DECIMAL(18,2)',
      repeat_purchase_rate_12m: 'DOUBLE',
      purchase_frequency_12m: 'DOUBLE',
      avg_order_value_12m: 'DECIMAL(18,2)',
      avg_monthly_churn_12m: 'DOUBLE',
      expected_lifespan_years: 'DOUBLE',
      clv_formula: 'DECIMAL(18,2)',
      is_partial_period: 'BOOLEAN',
    });
  });

  it('customer_summary: every known customer, with completed orders only', () => {
    expectRows(
      A.customerSummary,
      [
        {
          customer_id: 'c1',
          cohort_month: '2024-01-01', // first completed order 2024-01-05
          first_order_at: '2024-01-05 10:00:00',
          last_order_at: '2024-03-10 12:00:00', // o04 (04-02) is refunded → not an order
          orders: '3', // o01, o02 (same day, both count), o03 ('Completed')
          revenue: '220.00', // 100 + (50 − 10) + 80 (empty refunded_amount = 0)
          avg_order_value: money(220 / 3), // 73.33
          lifespan_days: '65', // 01-05 → 03-10: 31 (→02-05) + 29 (→03-05, leap) + 5
          recency_days: '71', // 03-10 → 05-20: 31 (→04-10) + 30 (→05-10) + 10
          acquisition_channel: 'organic',
          is_referred: false, // referred_by empty
        },
        {
          customer_id: 'c2',
          cohort_month: '2024-01-01',
          first_order_at: '2024-01-20 09:00:00',
          last_order_at: '2024-02-01 01:30:00', // 2024-01-31T23:30-02:00 in UTC
          orders: '2',
          revenue: '100.00', // 60 + 40
          avg_order_value: '50.00', // 100 / 2
          lifespan_days: '12', // 01-20 → 02-01
          recency_days: '109', // 02-01 → 05-20: 29 (→03-01) + 61 (→05-01) + 19
          acquisition_channel: 'paid_search',
          is_referred: true, // referred_by = c1
        },
        {
          customer_id: 'c3',
          cohort_month: '2024-02-01',
          first_order_at: '2024-02-15 14:00:00',
          last_order_at: '2024-05-12 08:00:00', // o09 'COMPLETED'
          orders: '2', // o07, o09; o08 cancelled
          revenue: '190.00', // 120 + 70
          avg_order_value: '95.00',
          lifespan_days: '87', // 02-15 → 05-12: 29 (→03-15) + 31 (→04-15) + 27
          recency_days: '8', // 05-12 → 05-20
          acquisition_channel: 'organic',
          is_referred: false,
        },
        {
          customer_id: 'c4',
          cohort_month: '2024-03-01',
          first_order_at: '2024-03-03 00:00:00', // date-only value = midnight UTC
          last_order_at: '2024-05-05 11:00:00',
          orders: '2', // o10 (empty status = completed), o11
          revenue: '125.00', // 90 + 35 (o11 from the later-landed file, not 25)
          avg_order_value: '62.50',
          lifespan_days: '63', // 03-03 → 05-05: 31 (→04-03) + 30 (→05-03) + 2
          recency_days: '15', // 05-05 → 05-20
          acquisition_channel: null, // empty in the export
          is_referred: false,
        },
        {
          customer_id: 'c5', // only a refunded and a cancelled order
          cohort_month: null,
          first_order_at: null,
          last_order_at: null,
          orders: '0',
          revenue: '0.00',
          avg_order_value: null, // 0 / 0
          lifespan_days: null,
          recency_days: null,
          acquisition_channel: 'social',
          is_referred: false,
        },
        {
          customer_id: 'c6', // not in the customers export
          cohort_month: '2024-04-01',
          first_order_at: '2024-04-15 16:00:00',
          last_order_at: '2024-05-20 19:00:00', // o16 (05-25) cancelled and after the as-of
          orders: '2',
          revenue: '101.00', // 46 (o13 from orders-c.csv, not 44) + 55
          avg_order_value: '50.50',
          lifespan_days: '35', // 04-15 → 05-20: 15 + 20
          recency_days: '0',
          acquisition_channel: null,
          is_referred: null, // unknown: not in the customers export (documented choice in the YAML)
        },
        {
          customer_id: 'c7', // in the customers export, no order at all
          cohort_month: null,
          first_order_at: null,
          last_order_at: null,
          orders: '0',
          revenue: '0.00',
          avg_order_value: null,
          lifespan_days: null,
          recency_days: null,
          acquisition_channel: 'social',
          is_referred: true, // referred_by = c3
        },
        {
          customer_id: 'c9', // not in the customers export
          cohort_month: '2024-05-01',
          first_order_at: '2024-05-18 05:00:00', // 2024-05-18T08:00+03:00 in UTC
          last_order_at: '2024-05-18 05:00:00',
          orders: '1',
          revenue: '20.00',
          avg_order_value: '20.00',
          lifespan_days: '0',
          recency_days: '2', // 05-18 → 05-20
          acquisition_channel: null,
          is_referred: null,
        },
        // c8 (created 2024-06-01, after the as-of) is not a known customer yet; no '' customer (o15 rejected).
      ],
      ['customer_id'],
    );
  });

  it('cohort_retention: every (cohort, period) up to the partial as-of month, zero-activity periods included', () => {
    // Cohorts: Jan {c1, c2}, Feb {c3}, Mar {c4}, Apr {c6}, May {c9}; c5 and c7 in none.
    // As-of month May 2024 (partial). Cumulative = Σ revenue 0..k / cohort_size.
    expectRows(
      A.cohortRetention,
      [
        // Jan cohort (c1, c2), size 2
        // c1 100 + 40, c2 60 = 200; 200/2
        { cohort_month: '2024-01-01', period_number: '0', period_month: '2024-01-01', cohort_size: '2', active_customers: '2',
          retention_rate: 1, revenue: '200.00', cumulative_revenue_per_customer: '100.00', is_partial_period: false },
        // c2 o06 (UTC 02-01) 40; 240/2
        { cohort_month: '2024-01-01', period_number: '1', period_month: '2024-02-01', cohort_size: '2', active_customers: '1',
          retention_rate: 0.5, revenue: '40.00', cumulative_revenue_per_customer: '120.00', is_partial_period: false },
        // c1 o03 80; 320/2
        { cohort_month: '2024-01-01', period_number: '2', period_month: '2024-03-01', cohort_size: '2', active_customers: '1',
          retention_rate: 0.5, revenue: '80.00', cumulative_revenue_per_customer: '160.00', is_partial_period: false },
        // c1 o04 refunded → nobody active
        { cohort_month: '2024-01-01', period_number: '3', period_month: '2024-04-01', cohort_size: '2', active_customers: '0',
          retention_rate: 0, revenue: '0.00', cumulative_revenue_per_customer: '160.00', is_partial_period: false },
        // nobody; partial as-of month
        { cohort_month: '2024-01-01', period_number: '4', period_month: '2024-05-01', cohort_size: '2', active_customers: '0',
          retention_rate: 0, revenue: '0.00', cumulative_revenue_per_customer: '160.00', is_partial_period: true },
        // Feb cohort (c3), size 1
        // o07 120; o08 cancelled
        { cohort_month: '2024-02-01', period_number: '0', period_month: '2024-02-01', cohort_size: '1', active_customers: '1',
          retention_rate: 1, revenue: '120.00', cumulative_revenue_per_customer: '120.00', is_partial_period: false },
        { cohort_month: '2024-02-01', period_number: '1', period_month: '2024-03-01', cohort_size: '1', active_customers: '0',
          retention_rate: 0, revenue: '0.00', cumulative_revenue_per_customer: '120.00', is_partial_period: false },
        { cohort_month: '2024-02-01', period_number: '2', period_month: '2024-04-01', cohort_size: '1', active_customers: '0',
          retention_rate: 0, revenue: '0.00', cumulative_revenue_per_customer: '120.00', is_partial_period: false },
        // o09 70
        { cohort_month: '2024-02-01', period_number: '3', period_month: '2024-05-01', cohort_size: '1', active_customers: '1',
          retention_rate: 1, revenue: '70.00', cumulative_revenue_per_customer: '190.00', is_partial_period: true },
        // Mar cohort (c4), size 1
        // o10 90
        { cohort_month: '2024-03-01', period_number: '0', period_month: '2024-03-01', cohort_size: '1', active_customers: '1',
          retention_rate: 1, revenue: '90.00', cumulative_revenue_per_customer: '90.00', is_partial_period: false },
        { cohort_month: '2024-03-01', period_number: '1', period_month: '2024-04-01', cohort_size: '1', active_customers: '0',
          retention_rate: 0, revenue: '0.00', cumulative_revenue_per_customer: '90.00', is_partial_period: false },
        // o11 35 (re-delivered value)
        { cohort_month: '2024-03-01', period_number: '2', period_month: '2024-05-01', cohort_size: '1', active_customers: '1',
          retention_rate: 1, revenue: '35.00', cumulative_revenue_per_customer: '125.00', is_partial_period: true },
        // Apr cohort (c6), size 1
        // o13 46
        { cohort_month: '2024-04-01', period_number: '0', period_month: '2024-04-01', cohort_size: '1', active_customers: '1',
          retention_rate: 1, revenue: '46.00', cumulative_revenue_per_customer: '46.00', is_partial_period: false },
        // o14 55
        { cohort_month: '2024-04-01', period_number: '1', period_month: '2024-05-01', cohort_size: '1', active_customers: '1',
          retention_rate: 1, revenue: '55.00', cumulative_revenue_per_customer: '101.00', is_partial_period: true },
        // May cohort (c9), size 1
        // o17 20
        { cohort_month: '2024-05-01', period_number: '0', period_month: '2024-05-01', cohort_size: '1', active_customers: '1',
          retention_rate: 1, revenue: '20.00', cumulative_revenue_per_customer: '20.00', is_partial_period: true },
      ],
      ['cohort_month', 'period_number'],
    );
  });

  it('retention_monthly (W = 90): Feb..May, live-on-date counts', () => {
    // Completed order dates: c1 01-05, 01-05, 03-10 | c2 01-20, 02-01 | c3 02-15, 05-12 |
    // c4 03-03, 05-05 | c6 04-15, 05-20 | c9 05-18. Live on d ⇔ an order in [d − 89, d].
    // First cohort month Jan → months Feb..May (as-of month).
    expectRows(
      A.retentionMonthly,
      [
        // Feb: live(01-31) window [2023-11-03, 01-31] = {c1, c2}; live(02-29) window [2023-12-02, 02-29] = {c1, c2, c3};
        // new: c3 (02-15); retained {c1, c2}; lost 0; reactivated 3 − 1 − 2 = 0; rate (3 − 1)/2 = 1; churn 0/2
        { month: '2024-02-01', customers_start: '2', customers_end: '3', new_customers: '1', retained_customers: '2',
          lost_customers: '0', reactivated_customers: '0', retention_rate: 1, churn_rate: 0, churn_window_days: '90',
          is_partial_period: false },
        // Mar: live(02-29) = {c1, c2, c3}; live(03-31) window [01-02, 03-31] = {c1, c2, c3, c4};
        // new: c4 (03-03); retained 3; lost 0; reactivated 4 − 1 − 3 = 0; rate 3/3; churn 0
        { month: '2024-03-01', customers_start: '3', customers_end: '4', new_customers: '1', retained_customers: '3',
          lost_customers: '0', reactivated_customers: '0', retention_rate: 1, churn_rate: 0, churn_window_days: '90',
          is_partial_period: false },
        // Apr: live(03-31) = {c1, c2, c3, c4}; live(04-30) window [02-01, 04-30] = {c1, c2 (02-01 UTC, on the
        // window's first day), c3, c4, c6}; new: c6; retained 4; lost 0; reactivated 5 − 1 − 4 = 0; rate 4/4; churn 0
        { month: '2024-04-01', customers_start: '4', customers_end: '5', new_customers: '1', retained_customers: '4',
          lost_customers: '0', reactivated_customers: '0', retention_rate: 1, churn_rate: 0, churn_window_days: '90',
          is_partial_period: false },
        // May (partial, l = as-of 05-20): live(04-30) = {c1, c2, c3, c4, c6};
        // live(05-20) window [02-21, 05-20] = {c1 (03-10), c3, c4, c6, c9}; new: c9 (05-18);
        // retained {c1, c3, c4, c6} = 4; lost 5 − 4 = 1 (c2); reactivated 5 − 1 − 4 = 0; rate (5 − 1)/5 = 0.8; churn 1/5
        { month: '2024-05-01', customers_start: '5', customers_end: '5', new_customers: '1', retained_customers: '4',
          lost_customers: '1', reactivated_customers: '0', retention_rate: 0.8, churn_rate: 0.2, churn_window_days: '90',
          is_partial_period: true },
      ],
      ['month'],
    );
  });

  it('loyalty_kpis_monthly: month figures, trailing-12-month figures and textbook CLV', () => {
    // Completed orders per month (net): Jan c1 100, c1 40, c2 60 | Feb c2 40, c3 120 | Mar c1 80, c4 90 |
    // Apr c6 46 | May c4 35, c3 70, c9 20, c6 55. The trailing window T is Jan..m for every month here.
    // Churn from retention_monthly (above): Feb 0, Mar 0, Apr 0, May 0.2; no row for Jan.
    expectRows(
      A.loyaltyKpis,
      [
        {
          month: '2024-01-01',
          active_customers: '2', // c1, c2
          new_customers: '2', // c1, c2
          orders: '3',
          revenue: '200.00', // 100 + 40 + 60
          avg_order_value: money(200 / 3), // 66.67
          customers_12m: '2',
          orders_12m: '3',
          revenue_12m: '200.00',
          repeat_purchase_rate_12m: 1 / 2, // c1 has 2 orders (same day) in T; c2 has 1
          purchase_frequency_12m: 3 / 2,
          avg_order_value_12m: money(200 / 3),
          avg_monthly_churn_12m: null, // no churn_rate in T (retention_monthly starts in Feb)
          expected_lifespan_years: null,
          clv_formula: null,
          is_partial_period: false,
        },
        {
          month: '2024-02-01',
          active_customers: '2', // c2, c3
          new_customers: '1', // c3
          orders: '2',
          revenue: '160.00', // 40 + 120
          avg_order_value: '80.00',
          customers_12m: '3', // c1, c2, c3
          orders_12m: '5',
          revenue_12m: '360.00',
          repeat_purchase_rate_12m: 2 / 3, // c1 (2), c2 (2); c3 (1)
          purchase_frequency_12m: 5 / 3,
          avg_order_value_12m: '72.00', // 360 / 5
          avg_monthly_churn_12m: 0, // mean(0)
          expected_lifespan_years: null, // 1 / (12 × 0): denominator 0 → NULL
          clv_formula: null,
          is_partial_period: false,
        },
        {
          month: '2024-03-01',
          active_customers: '2', // c1, c4
          new_customers: '1', // c4
          orders: '2',
          revenue: '170.00', // 80 + 90
          avg_order_value: '85.00',
          customers_12m: '4', // c1..c4
          orders_12m: '7',
          revenue_12m: '530.00',
          repeat_purchase_rate_12m: 2 / 4, // c1 (3), c2 (2)
          purchase_frequency_12m: 7 / 4,
          avg_order_value_12m: money(530 / 7), // 75.71
          avg_monthly_churn_12m: 0, // mean(0, 0)
          expected_lifespan_years: null,
          clv_formula: null,
          is_partial_period: false,
        },
        {
          month: '2024-04-01',
          active_customers: '1', // c6 (c1's o04 is refunded)
          new_customers: '1', // c6
          orders: '1',
          revenue: '46.00',
          avg_order_value: '46.00',
          customers_12m: '5', // c1..c4, c6
          orders_12m: '8',
          revenue_12m: '576.00',
          repeat_purchase_rate_12m: 2 / 5, // c1, c2
          purchase_frequency_12m: 8 / 5,
          avg_order_value_12m: '72.00', // 576 / 8
          avg_monthly_churn_12m: 0, // mean(0, 0, 0)
          expected_lifespan_years: null,
          clv_formula: null,
          is_partial_period: false,
        },
        {
          month: '2024-05-01',
          active_customers: '4', // c3, c4, c6, c9
          new_customers: '1', // c9
          orders: '4', // o09, o11, o14, o17 (o16 cancelled)
          revenue: '180.00', // 70 + 35 + 55 + 20
          avg_order_value: '45.00',
          customers_12m: '6', // c1, c2, c3, c4, c6, c9
          orders_12m: '12',
          revenue_12m: '756.00', // 576 + 180
          repeat_purchase_rate_12m: 5 / 6, // c1 3, c2 2, c3 2, c4 2, c6 2; c9 1
          purchase_frequency_12m: 12 / 6,
          avg_order_value_12m: '63.00', // 756 / 12
          avg_monthly_churn_12m: 0.05, // mean(0, 0, 0, 0.2)
          expected_lifespan_years: 1 / (12 * 0.05), // 1.6667
          clv_formula: money(63 * 2 * (1 / 0.6)), // 210.00
          is_partial_period: true,
        },
      ],
      ['month'],
    );
  });
});

// ---------------------------------------------------------------------------
// Run B: --as-of 2024-05-10, churn window 30 days
// ---------------------------------------------------------------------------

describe('run B (as-of 2024-05-10 given, W = 30)', () => {
  // Orders after 05-10 are not counted: o09 (c3, 05-12), o17 (c9, 05-18), o14 (c6, 05-20), o16.
  // Completed order dates counted: c1 01-05, 01-05, 03-10 | c2 01-20, 02-01 | c3 02-15 |
  // c4 03-03, 05-05 | c6 04-15. c9 has no order on or before the as-of date.

  it('builds every model with every data test passing', () => {
    for (const table of B.built) expect(failingTests(table)).toEqual([]);
  });

  it('retention_monthly (W = 30): reactivations, losses, a rate above 1', () => {
    // Live on d ⇔ a completed order in [d − 29, d].
    expectRows(
      B.retentionMonthly,
      [
        // Feb: live(01-31) window [01-02, 01-31] = {c1 (01-05), c2 (01-20)}; live(02-29) window [01-31, 02-29] =
        // {c2 (02-01), c3 (02-15)}; new c3; retained {c2} = 1; lost 2 − 1 = 1 (c1);
        // reactivated 2 − 1 − 1 = 0; rate (2 − 1)/2 = 0.5; churn 1/2
        { month: '2024-02-01', customers_start: '2', customers_end: '2', new_customers: '1', retained_customers: '1',
          lost_customers: '1', reactivated_customers: '0', retention_rate: 0.5, churn_rate: 0.5, churn_window_days: '30',
          is_partial_period: false },
        // Mar: live(02-29) = {c2, c3}; live(03-31) window [03-02, 03-31] = {c1 (03-10), c4 (03-03)};
        // new c4; retained 0; lost 2; reactivated 2 − 1 − 0 = 1 (c1); rate (2 − 1)/2 = 0.5; churn 2/2
        { month: '2024-03-01', customers_start: '2', customers_end: '2', new_customers: '1', retained_customers: '0',
          lost_customers: '2', reactivated_customers: '1', retention_rate: 0.5, churn_rate: 1, churn_window_days: '30',
          is_partial_period: false },
        // Apr: live(03-31) = {c1, c4}; live(04-30) window [04-01, 04-30] = {c6 (04-15)} (c1's 04-02 order is refunded);
        // new c6; retained 0; lost 2; reactivated 1 − 1 − 0 = 0; rate (1 − 1)/2 = 0; churn 2/2
        { month: '2024-04-01', customers_start: '2', customers_end: '1', new_customers: '1', retained_customers: '0',
          lost_customers: '2', reactivated_customers: '0', retention_rate: 0, churn_rate: 1, churn_window_days: '30',
          is_partial_period: false },
        // May (partial, l = 05-10): live(04-30) = {c6}; live(05-10) window [04-11, 05-10] = {c6 (04-15), c4 (05-05)};
        // new: none in [05-01, 05-10] (c9's first order 05-18 is after the as-of); retained {c6} = 1; lost 0;
        // reactivated 2 − 0 − 1 = 1 (c4); rate (2 − 0)/1 = 2 (counts the reactivation); churn 0/1
        { month: '2024-05-01', customers_start: '1', customers_end: '2', new_customers: '0', retained_customers: '1',
          lost_customers: '0', reactivated_customers: '1', retention_rate: 2, churn_rate: 0, churn_window_days: '30',
          is_partial_period: true },
      ],
      ['month'],
    );
  });

  it('customer_summary: orders after the as-of date are not counted', () => {
    const byId = new Map(B.customerSummary.map((row) => [row.customer_id, row]));
    // c1..c7 known; c8 created 06-01; c9's only order (05-18) is after the as-of date.
    expect([...byId.keys()]).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
    expect(byId.get('c3')).toMatchObject({
      cohort_month: '2024-02-01',
      last_order_at: '2024-02-15 14:00:00', // o09 (05-12) is after the as-of
      orders: '1',
      revenue: '120.00',
      avg_order_value: '120.00',
      lifespan_days: '0',
      recency_days: '85', // 02-15 → 05-10: 29 (→03-15) + 31 (→04-15) + 25
    });
    expect(byId.get('c6')).toMatchObject({
      last_order_at: '2024-04-15 16:00:00', // o14 (05-20) after the as-of
      orders: '1',
      revenue: '46.00',
      recency_days: '25', // 04-15 → 05-10
    });
    expect(byId.get('c4')).toMatchObject({ orders: '2', revenue: '125.00', recency_days: '5' }); // o11 05-05 counts
    expect(byId.get('c1')).toMatchObject({ orders: '3', revenue: '220.00', recency_days: '61' }); // 03-10 → 05-10
  });

  it('cohort_retention: no May cohort, May periods without the orders after the as-of date', () => {
    const may = B.cohortRetention
      .filter((row) => row.period_month === '2024-05-01')
      .map((row) => [row.cohort_month, row.active_customers, row.revenue, row.cumulative_revenue_per_customer, row.is_partial_period]);
    expect(may).toEqual([
      ['2024-01-01', '0', '0.00', '160.00', true], // as in run A
      ['2024-02-01', '0', '0.00', '120.00', true], // o09 (05-12) not counted
      ['2024-03-01', '1', '35.00', '125.00', true], // o11 (05-05) counts
      ['2024-04-01', '0', '0.00', '46.00', true], // o14 (05-20) not counted
    ]);
    // 5 + 4 + 3 + 2 (c, k) pairs; c9 is in no cohort.
    expect(B.cohortRetention).toHaveLength(14);
  });

  it('loyalty_kpis_monthly: churn-based columns with W = 30, May without the orders after the as-of date', () => {
    // Churn (run B retention_monthly): Feb 0.5, Mar 1, Apr 1, May 0.
    const pick = (row: Row) => ({
      month: row.month,
      avg_monthly_churn_12m: row.avg_monthly_churn_12m,
      expected_lifespan_years: row.expected_lifespan_years,
      clv: row.clv_formula === null ? null : Number(row.clv_formula),
    });
    const rows = B.loyaltyKpis.map(pick);
    expect(rows.map((row) => row.month)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01']);
    const expected: [number | null, number | null, number | null][] = [
      [null, null, null], // Jan: no churn_rate in T
      // Feb: mean(0.5); lifespan 1/6; CLV = 72 (360/5) × 5/3 × 1/6 = 20.00
      [0.5, 1 / 6, 72 * (5 / 3) * (1 / 6)],
      // Mar: mean(0.5, 1) = 0.75; lifespan 1/9; CLV = 530/7 × 7/4 × 1/9 = 132.5/9 = 14.72
      [0.75, 1 / 9, (530 / 7) * (7 / 4) * (1 / 9)],
      // Apr: mean(0.5, 1, 1) = 2.5/3; lifespan 1/10; CLV = 576/8 × 8/5 × 1/10 = 11.52
      [2.5 / 3, 1 / 10, (576 / 8) * (8 / 5) * (1 / 10)],
      // May: mean(0.5, 1, 1, 0) = 0.625; lifespan 1/7.5; T: 9 orders, 611.00 (576 + 35), 5 customers;
      // CLV = 611/9 × 9/5 × 1/7.5 = 122.2/7.5 = 16.29
      [0.625, 1 / 7.5, (611 / 9) * (9 / 5) * (1 / 7.5)],
    ];
    for (const [i, [churn, lifespan, clv]] of expected.entries()) {
      const row = rows[i]!;
      const where = String(row.month);
      if (churn === null) expect(row.avg_monthly_churn_12m, where).toBeNull();
      else expect(row.avg_monthly_churn_12m as number, where).toBeCloseTo(churn, 9);
      if (lifespan === null) expect(row.expected_lifespan_years, where).toBeNull();
      else expect(row.expected_lifespan_years as number, where).toBeCloseTo(lifespan, 9);
      if (clv === null) expect(row.clv, where).toBeNull();
      else expect(row.clv!, where).toBeCloseTo(clv, 2);
    }
    expect(B.loyaltyKpis[4]).toMatchObject({
      month: '2024-05-01',
      active_customers: '1', // c4 (o11)
      new_customers: '0', // c9's first order is after the as-of
      orders: '1',
      revenue: '35.00',
      avg_order_value: '35.00',
      customers_12m: '5', // c1, c2, c3, c4, c6
      orders_12m: '9', // 3 + 2 + 2 + 1 + 1
      revenue_12m: '611.00', // 200 + 160 + 170 + 46 + 35
      is_partial_period: true,
    });
    expect(B.loyaltyKpis[4]!.repeat_purchase_rate_12m as number).toBeCloseTo(3 / 5, 9); // c1 3, c2 2, c4 2; c3 1, c6 1
    expect(B.loyaltyKpis[4]!.purchase_frequency_12m as number).toBeCloseTo(9 / 5, 9);
    expect(Number(B.loyaltyKpis[4]!.avg_order_value_12m)).toBeCloseTo(611 / 9, 2); // 67.89
  });
});

// ---------------------------------------------------------------------------
// Run C: --as-of on a month's last day → nothing partial
// ---------------------------------------------------------------------------

describe('run C (as-of 2024-04-30, the last day of its month)', () => {
  it('builds every model with every data test passing', () => {
    for (const table of C.built) expect(failingTests(table)).toEqual([]);
  });

  it('ends every model at April, with no partial period', () => {
    // cohort_retention: cohorts Jan (k 0..3), Feb (0..2), Mar (0..1), Apr (0) = 10 pairs
    expect(C.cohortRetention.map((row) => `${row.cohort_month}+${row.period_number}`)).toEqual([
      '2024-01-01+0', '2024-01-01+1', '2024-01-01+2', '2024-01-01+3',
      '2024-02-01+0', '2024-02-01+1', '2024-02-01+2',
      '2024-03-01+0', '2024-03-01+1',
      '2024-04-01+0',
    ]);
    expect(C.retentionMonthly.map((row) => row.month)).toEqual(['2024-02-01', '2024-03-01', '2024-04-01']);
    expect(C.loyaltyKpis.map((row) => row.month)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01']);
    for (const row of [...C.cohortRetention, ...C.retentionMonthly, ...C.loyaltyKpis]) {
      expect(row.is_partial_period).toBe(false);
    }
  });

  it('April of retention_monthly equals run A (same l = 04-30, same W = 90)', () => {
    // As in run A: CS 4, CE 5, CN 1, retained 4, lost 0, reactivated 0, rate 1, churn 0
    expect(C.retentionMonthly[2]).toMatchObject({
      customers_start: '4',
      customers_end: '5',
      new_customers: '1',
      retained_customers: '4',
      lost_customers: '0',
      reactivated_customers: '0',
      retention_rate: 1,
      churn_rate: 0,
      churn_window_days: '90',
    });
  });

  it('customer_summary measures recency from the given as-of date', () => {
    const byId = new Map(C.customerSummary.map((row) => [row.customer_id, row]));
    // c9 (only order 05-18) and c8 (created 06-01) unknown yet; o11 (05-05) and o09 (05-12) not counted
    expect([...byId.keys()]).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
    expect(byId.get('c4')).toMatchObject({ orders: '1', revenue: '90.00', recency_days: '58' }); // 03-03 → 04-30: 28 + 30
    expect(byId.get('c6')).toMatchObject({ orders: '1', revenue: '46.00', recency_days: '15' }); // 04-15 → 04-30
  });
});

// ---------------------------------------------------------------------------
// The pipeline on the CSV exports behind the staged rows
// ---------------------------------------------------------------------------

interface PipelineRun {
  manifest: RunManifest;
  rejects: Row[];
  /** stg_orders and stg_customers as a run's models see them, staged again from the lake after the run. */
  staged: { orders: Row[]; customers: Row[] };
  retentionMonthly: Row[];
}

async function runPipelineOnExports(options: { asOf?: string; churnWindowDays?: number }): Promise<PipelineRun> {
  const { dir, lake, put } = tempLake();
  put(ORDERS_MAIN_KEY, ordersMain, new Date('2024-06-01T00:00:00Z'));
  put(ORDERS_REDELIVERY_KEY, ordersRedelivery, new Date('2024-06-02T00:00:00Z'));
  put(ORDERS_SAME_TIME_KEY, ordersSameTime, new Date('2024-06-01T00:00:00Z'));
  put('inbox/customers/customers.csv', customers, new Date('2024-06-01T00:00:00Z'));
  const manifest = await run(lake, options);
  const succeeded = manifest.status === 'succeeded';
  const workDir = tempDir();
  const db = await DuckDBSession.open({ workDir, threads: 1 });
  try {
    await stageInputs(lake, db, workDir);
    return {
      manifest,
      rejects: succeeded ? await readParquet(dir, 'rejects/orders/**/*.parquet', '_source_line') : [],
      staged: {
        orders: await db.rows('select * from stg_orders order by order_id'),
        customers: await db.rows('select * from stg_customers order by customer_id'),
      },
      retentionMonthly: succeeded ? await readParquet(dir, 'metrics/retention_monthly/v1/data.parquet', 'month') : [],
    };
  } finally {
    db.closeSync();
  }
}

describe('the pipeline on the CSV exports', () => {
  let fromData: PipelineRun;
  let withOptions: PipelineRun;
  beforeAll(async () => {
    fromData = await runPipelineOnExports({});
    withOptions = await runPipelineOnExports({ asOf: '2024-05-10', churnWindowDays: 30 });
  });

  it('succeeds with as-of = date of the latest completed order (2024-05-20; the cancelled 05-25 order does not count)', () => {
    expect(fromData.manifest.error).toBeUndefined();
    expect(fromData.manifest.status).toBe('succeeded');
    expect(fromData.manifest.as_of).toBe('2024-05-20');
    expect(fromData.manifest.as_of_source).toBe('data');
    expect(fromData.manifest.churn_window_days).toBe(90);
  });

  it('rejects the order with an empty customer_id, with its reason, and loads every other row', () => {
    // orders-b.csv: 18 data rows, 1 rejected (o15); orders-a.csv, orders-c.csv: 1 row each; customers.csv: 7 rows.
    expect(fromData.manifest.ingest.rows_in).toBe(18 + 1 + 1 + 7);
    expect(fromData.manifest.ingest.rows_rejected).toBe(1);
    expect(fromData.manifest.ingest.rows_loaded).toBe(17 + 1 + 1 + 7);
    expect(fromData.rejects).toHaveLength(1);
    const reject = fromData.rejects[0]!;
    expect(reject.order_id).toBe('o15');
    expect([null, '']).toContain(reject.customer_id);
    expect(reject.amount).toBe('999.00'); // the file's original (text) value
    expect(reject._source_key).toBe(ORDERS_MAIN_KEY);
    expect(Number(reject._source_line)).toBe(16); // header is line 1, o15 is on line 16
    expect(String(reject._reject_reason)).toMatch(/customer_id/);
    expect(String(reject._reject_reason)).toMatch(/missing/);
  });

  it('stages exactly the rows the model tests read (UTC, defaults, lowercase statuses, the latest landed row per order_id)', () => {
    expect(fromData.staged.orders).toEqual(STAGED_ORDERS);
    expect(fromData.staged.customers).toEqual(STAGED_CUSTOMERS);
  });

  it('succeeds with the given as-of date and churn window', () => {
    expect(withOptions.manifest.error).toBeUndefined();
    expect(withOptions.manifest.status).toBe('succeeded');
    expect(withOptions.manifest.as_of).toBe('2024-05-10');
    expect(withOptions.manifest.as_of_source).toBe('option');
    expect(withOptions.manifest.churn_window_days).toBe(30);
    expect(withOptions.retentionMonthly.map((row) => row.churn_window_days)).toEqual(['30', '30', '30', '30']); // Feb..May
  });
});
