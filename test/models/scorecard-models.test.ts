/**
 * Independent tests of mrr_monthly, survey_scores_monthly, engagement_monthly and
 * loyalty_scorecard_monthly against docs/metrics.md ("Conventions", "Input datasets",
 * "Subscription definitions (mrr_monthly)", "Survey, engagement, referral and cost definitions").
 * Every expected value is a hand calculation from the spec written next to it — none was
 * copied from a run.
 *
 * Each model runs on staged rows in an in-memory DuckDB (test/helpers/model-harness.ts):
 *   PLAYBOOK     the dbt-labs/mrr-playbook subscription periods (test/fixtures/reference/mrr-playbook),
 *                all 121 rows, as-of 2020-01-31
 *   PLAYBOOK_3   the same file's rows of customers 1, 5 and 10 only, as-of 2020-01-31
 *   SUBS         hand-made subscriptions (same-month subscription, up/downgrades inside one month,
 *                partial as-of month), as-of 2024-06-15
 *   SURVEYS      survey responses, as-of 2024-04-10 (also ingested from their CSV export: range rejects)
 *   EVENTS       product events, as-of 2024-03-10
 *   SCORECARD    orders + customers + retention_costs, churn window 30, as-of 2024-04-20
 *   COST_DATE    two orders + retention costs whose earliest month is given as a date inside the month,
 *                staged from their CSV exports
 *   ORDERS_ONLY  the same orders as SCORECARD, alone, churn window 30
 *   GIVEN        the scorecard alone, on given rows of the monthly tables it reads
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRows, money, type Row } from '../helpers/expect-rows.js';
import { buildTable, failingTests, stageExports, type BuiltTable } from '../helpers/model-harness.js';
import { csv } from '../helpers/temp-lake.js';

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** First days of the months from..to inclusive ('YYYY-MM-01'). */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  for (;;) {
    const first = `${year}-${String(month).padStart(2, '0')}-01`;
    if (first > to) return out;
    out.push(first);
    month += 1;
    if (month === 13) [year, month] = [year + 1, 1];
  }
}

/** Last day of the month starting on `first` ('YYYY-MM-DD'). */
function lastDay(first: string): string {
  const [year, month] = first.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/** An mrr_monthly row: the movement columns it does not name are '0.00', and the month is not partial. */
function mrrRow(row: Row): Row {
  return {
    new_mrr: '0.00',
    expansion_mrr: '0.00',
    contraction_mrr: '0.00',
    churned_mrr: '0.00',
    reactivation_mrr: '0.00',
    is_partial_period: false,
    ...row,
  };
}

const MRR_SCHEMA = {
  month: 'DATE',
  mrr: 'DECIMAL(18,2)',
  paying_customers: 'BIGINT',
  arpa: 'DECIMAL(18,2)',
  new_mrr: 'DECIMAL(18,2)',
  expansion_mrr: 'DECIMAL(18,2)',
  contraction_mrr: 'DECIMAL(18,2)',
  churned_mrr: 'DECIMAL(18,2)',
  reactivation_mrr: 'DECIMAL(18,2)',
  customer_churn_rate: 'DOUBLE',
  gross_revenue_retention: 'DOUBLE',
  net_revenue_retention: 'DOUBLE',
  is_partial_period: 'BOOLEAN',
};

// ---------------------------------------------------------------------------
// The mrr-playbook file (dbt-labs/mrr-playbook; test/fixtures/reference/mrr-playbook/README.md)
// ---------------------------------------------------------------------------
//
// Columns: subscription_id, customer_id, start_date, end_date, monthly_amount; dates are
// 'YYYY-MM-DD', always a month's first day, and end_date is EXCLUSIVE (not active on end_date).
//
// Converting to our subscriptions contract (subscription_id, customer_id, mrr, started_at,
// ended_at, plan): the contract says a subscription is active on day d iff
//   started_at date ≤ d and (ended_at is NULL or ended_at date > d),
// i.e. ended_at is itself the first day it is NOT active — exactly the meaning of an exclusive
// end_date. So ended_at = end_date UNCHANGED (not end_date − 1 day: an inclusive "last active
// day" 2019-01-31 would make subscription 1 inactive on 2019-01-31, one month too early).
// monthly_amount → mrr, start_date → started_at, plan left empty.
//
// Because every boundary is a month's first day, "active on the last day of m" (our spec) and
// "active on the first day of m" (the playbook's own date spine) give the same months here.

const PLAYBOOK_CSV = readFileSync(join(import.meta.dirname, '../fixtures/reference/mrr-playbook/subscription_periods.csv'), 'utf8');

interface Period {
  subscriptionId: string;
  customerId: string;
  startDate: string;
  endDate: string;
  amount: number;
}

const [PLAYBOOK_HEADER, ...PLAYBOOK_LINES] = PLAYBOOK_CSV.trimEnd().split('\n');
const PERIODS: Period[] = PLAYBOOK_LINES.map((line) => {
  const [subscriptionId, customerId, startDate, endDate, amount] = line.split(',') as [string, string, string, string, string];
  return { subscriptionId, customerId, startDate, endDate, amount: Number(amount) };
});

/** The periods as staged subscriptions: ended_at = end_date, plan empty (see above). */
function stagedSubscriptions(periods: Period[]): Row[] {
  return periods.map((p) => ({
    subscription_id: p.subscriptionId,
    customer_id: p.customerId,
    mrr: p.amount,
    started_at: p.startDate,
    ended_at: p.endDate,
  }));
}

describe('the mrr-playbook reference file', () => {
  it('has the documented columns and format', () => {
    expect(PLAYBOOK_HEADER).toBe('subscription_id,customer_id,start_date,end_date,monthly_amount');
    expect(PERIODS).toHaveLength(121);
    expect(new Set(PERIODS.map((p) => p.customerId)).size).toBe(55);
    for (const p of PERIODS) {
      expect(p.startDate).toMatch(/^\d{4}-\d{2}-01$/); // always a month's first day
      expect(p.endDate).toMatch(/^\d{4}-\d{2}-01$/); // never empty, always a month's first day
      expect(p.endDate > p.startDate).toBe(true);
      expect(Number.isFinite(p.amount) && p.amount > 0).toBe(true);
    }
  });
});

describe('mrr_monthly on the full mrr-playbook file (as-of 2020-01-31)', () => {
  let built: BuiltTable;
  let rows: Row[];
  beforeAll(async () => {
    built = await buildTable('mrr_monthly_v1', { asOf: '2020-01-31', staging: { subscriptions: stagedSubscriptions(PERIODS) } });
    rows = built.rows;
  });

  it('ingest loads all 121 rows of the file in our contract, none rejected', async () => {
    const playbookAsContract = csv(
      'subscription_id,customer_id,mrr,started_at,ended_at,plan',
      ...PERIODS.map((p) => `${p.subscriptionId},${p.customerId},${p.amount},${p.startDate},${p.endDate},`),
    );
    const { reports, staged } = await stageExports({ 'inbox/subscriptions/subscription_periods.csv': playbookAsContract });
    expect(reports.map((r) => [r.rows_in, r.rows_rejected])).toEqual([[121, 0]]);
    expect(staged.subscriptions).toHaveLength(121);
  });

  it('builds the declared column types, every data test passing', () => {
    expect(built.types).toEqual(MRR_SCHEMA);
    expect(failingTests(built)).toEqual([]);
  });

  it('has one row per month from the first start (2017-09) to the as-of month (2020-01), none partial', () => {
    expect(rows.map((r) => r.month)).toEqual(monthsBetween('2017-09-01', '2020-01-01')); // 29 months
    for (const row of rows) expect(row.is_partial_period, String(row.month)).toBe(false); // 2020-01-31 is a last day
  });

  it('MRR and paying customers of every month follow the spec rule (start ≤ last day < exclusive end)', () => {
    // Direct transcription of the spec's rule on the file's own rows: a period counts in m iff
    // start_date ≤ last day of m < end_date (= ended_at); MRR = Σ monthly_amount; paying = distinct customers.
    for (const row of rows) {
      const last = lastDay(String(row.month));
      const active = PERIODS.filter((p) => p.startDate <= last && p.endDate > last);
      const mrr = active.reduce((sum, p) => sum + p.amount, 0);
      expect(Number(row.mrr), `mrr of ${String(row.month)}`).toBeCloseTo(mrr, 2);
      expect(row.paying_customers, `paying_customers of ${String(row.month)}`).toBe(String(new Set(active.map((p) => p.customerId)).size));
    }
  });

  it('first five months: only customers 2, 3, 4 (2017) and 7 (2018-01) move', () => {
    // Rows starting before 2018-02-01: sub 4 (c2, 2017-09-01..2017-11-01, 25), sub 5 (c3, 2017-09-01..2017-10-01, 50),
    // sub 6 (c4, 2017-10-01..2017-11-01, 25), sub 16 (c7, 2018-01-01..2018-02-01, 55).
    expectRows(
      rows.slice(0, 5),
      [
        // Sep 2017 (on 09-30): c2 25, c3 50 → both new; start MRR 0 → rates NULL; arpa 75/2
        mrrRow({ month: '2017-09-01', mrr: '75.00', paying_customers: '2', arpa: '37.50', new_mrr: '75.00', customer_churn_rate: null, gross_revenue_retention: null, net_revenue_retention: null }),
        // Oct 2017 (10-31): c2 25, c3 0 (ended 10-01) → churned 50, c4 25 new. MRR 75 + 25 − 50 = 50; arpa 50/2.
        // churn rate 1/2 (c3 of c2, c3); GRR (75 − 50 − 0)/75 = 1/3; NRR (75 − 50 − 0 + 0)/75 = 1/3
        mrrRow({ month: '2017-10-01', mrr: '50.00', paying_customers: '2', arpa: '25.00', new_mrr: '25.00', churned_mrr: '50.00', customer_churn_rate: 1 / 2, gross_revenue_retention: 1 / 3, net_revenue_retention: 1 / 3 }),
        // Nov 2017 (11-30): c2 and c4 ended 11-01 → churned 25 + 25 = 50, MRR 0, arpa NULL; churn 2/2; GRR 0/50; NRR 0
        mrrRow({ month: '2017-11-01', mrr: '0.00', paying_customers: '0', arpa: null, churned_mrr: '50.00', customer_churn_rate: 1, gross_revenue_retention: 0, net_revenue_retention: 0 }),
        // Dec 2017: nobody; start MRR 0 and no paying customers at the end of Nov → every rate NULL
        mrrRow({ month: '2017-12-01', mrr: '0.00', paying_customers: '0', arpa: null, customer_churn_rate: null, gross_revenue_retention: null, net_revenue_retention: null }),
        // Jan 2018 (01-31): c7 55, first time ever → new; start 0 → rates NULL
        mrrRow({ month: '2018-01-01', mrr: '55.00', paying_customers: '1', arpa: '55.00', new_mrr: '55.00', customer_churn_rate: null, gross_revenue_retention: null, net_revenue_retention: null }),
      ],
      ['month'],
    );
  });

  it('last two months: everyone active in Dec 2019 ends on 2020-01-01; four new customers in Jan 2020', () => {
    // Dec 2019 (on 12-31): active ⇔ start ≤ 2019-12-31 < end, i.e. end 2020-01-01 or 2020-02-01; the 4 rows ending
    // 2020-02-01 all start 2020-01-01, so it is the 28 rows with end_date 2020-01-01, one per customer — c5 40, c6 65, c9 75, c10 35, c11 50, c12 50, c13 50, c14 25, c15 30,
    // c16 25, c17 95, c19 50, c23 50, c24 60, c25 45, c27 125, c31 25, c32 25, c34 25, c36 25, c37 25, c40 50,
    // c41 50, c44 25, c45 35, c46 50, c50 25, c52 25 → Σ = 1255.00, 28 paying, arpa 1255/28 = 44.82.
    // Jan 2020 (01-31): those 28 end 2020-01-01 → all churned (1255.00); the 4 rows ending 2020-02-01
    // (c51 50, c53 50, c54 25, c55 50, each with no earlier row) → new 175.00, 4 paying, arpa 43.75.
    // churn rate 28/28 = 1; GRR (1255 − 1255 − 0)/1255 = 0; NRR 0.
    const dec = rows.find((r) => r.month === '2019-12-01')!;
    expect(dec).toMatchObject({ mrr: '1255.00', paying_customers: '28' });
    expect(Number(dec.arpa)).toBeCloseTo(1255 / 28, 2);
    expectRows(
      rows.slice(-1),
      [mrrRow({ month: '2020-01-01', mrr: '175.00', paying_customers: '4', arpa: '43.75', new_mrr: '175.00', churned_mrr: '1255.00', customer_churn_rate: 1, gross_revenue_retention: 0, net_revenue_retention: 0 })],
      ['month'],
    );
  });

  it('identity every month: mrr(m) = mrr(m−1) + new + reactivation + expansion − contraction − churned', () => {
    let previous = 0; // first month: mrr(m−1) = 0
    for (const row of rows) {
      const n = (column: string) => Number(row[column]);
      for (const column of ['new_mrr', 'expansion_mrr', 'contraction_mrr', 'churned_mrr', 'reactivation_mrr']) {
        expect(n(column), `${column} ≥ 0 in ${String(row.month)}`).toBeGreaterThanOrEqual(0);
      }
      const expected = previous + n('new_mrr') + n('reactivation_mrr') + n('expansion_mrr') - n('contraction_mrr') - n('churned_mrr');
      expect(n('mrr'), `identity in ${String(row.month)}`).toBeCloseTo(expected, 2);
      previous = n('mrr');
    }
    expect(rows).toHaveLength(29);
  });
});

// Customers 1, 5 and 10 of the playbook file, alone. Their rows (end exclusive):
//   c1:  s1 2018-11-01..2019-02-01 50 | s2 2019-04-01..2019-06-01 50 | s3 2019-06-01..2019-08-01 75
//   c5:  s7 2018-11..2018-12 50 | s8 2018-12..2019-03 25 | s9 2019-07..2019-08 50 | s10 2019-08..2019-09 25 |
//        s11 2019-09..2019-10 50 | s12 2019-10..2019-12 25 | s13 2019-12..2020-01 40
//   c10: s22 2018-04..2018-05 80 | s23 2018-09..2018-10 50 | s24 2018-10..2019-04 25 | s25 2019-04..2019-05 50 |
//        s26 2019-05..2019-06 25 | s27 2019-06..2019-11 50 | s28 2019-11..2019-12 25 | s29 2019-12..2020-01 35
//
// MRR per customer on each month's last day (a row counts iff start ≤ last day < end):
//   month    c1   c5   c10 | total  movements
//   2018-04   0    0   80  |   80   c10 new 80
//   2018-05   0    0    0  |    0   c10 churned 80
//   2018-06..2018-08 all 0
//   2018-09   0    0   50  |   50   c10 reactivation 50
//   2018-10   0    0   25  |   25   c10 contraction 25
//   2018-11  50   50   25  |  125   c1 new 50, c5 new 50
//   2018-12  50   25   25  |  100   c5 contraction 25
//   2019-01  50   25   25  |  100   —
//   2019-02   0   25   25  |   50   c1 churned 50
//   2019-03   0    0   25  |   25   c5 churned 25
//   2019-04  50    0   50  |  100   c1 reactivation 50, c10 expansion 25
//   2019-05  50    0   25  |   75   c10 contraction 25
//   2019-06  75    0   50  |  125   c1 expansion 25, c10 expansion 25
//   2019-07  75   50   50  |  175   c5 reactivation 50
//   2019-08   0   25   50  |   75   c1 churned 75, c5 contraction 25
//   2019-09   0   50   50  |  100   c5 expansion 25
//   2019-10   0   25   50  |   75   c5 contraction 25
//   2019-11   0   25   25  |   50   c10 contraction 25
//   2019-12   0   40   35  |   75   c5 expansion 15, c10 expansion 10
//   2020-01   0    0    0  |    0   c5 churned 40, c10 churned 35
describe('mrr_monthly on customers 1, 5 and 10 of the mrr-playbook file (as-of 2020-01-31)', () => {
  const three = PERIODS.filter((p) => ['1', '5', '10'].includes(p.customerId));
  let built: BuiltTable;
  beforeAll(async () => {
    built = await buildTable('mrr_monthly_v1', { asOf: '2020-01-31', staging: { subscriptions: stagedSubscriptions(three) } });
  });

  it('uses the 18 rows of the three customers, every data test passing', () => {
    expect(three).toHaveLength(3 + 7 + 8);
    expect(failingTests(built)).toEqual([]);
  });

  it('every column of every month matches the hand derivation', () => {
    expectRows(
      built.rows,
      [
        // start MRR 0 → churn rate, GRR, NRR NULL
        mrrRow({ month: '2018-04-01', mrr: '80.00', paying_customers: '1', arpa: '80.00', new_mrr: '80.00', customer_churn_rate: null, gross_revenue_retention: null, net_revenue_retention: null }),
        // churn 1/1; GRR (80 − 80 − 0)/80 = 0; NRR 0
        mrrRow({ month: '2018-05-01', mrr: '0.00', paying_customers: '0', arpa: null, churned_mrr: '80.00', customer_churn_rate: 1, gross_revenue_retention: 0, net_revenue_retention: 0 }),
        mrrRow({ month: '2018-06-01', mrr: '0.00', paying_customers: '0', arpa: null, customer_churn_rate: null, gross_revenue_retention: null, net_revenue_retention: null }), // no paying customers before → NULL
        mrrRow({ month: '2018-07-01', mrr: '0.00', paying_customers: '0', arpa: null, customer_churn_rate: null, gross_revenue_retention: null, net_revenue_retention: null }),
        mrrRow({ month: '2018-08-01', mrr: '0.00', paying_customers: '0', arpa: null, customer_churn_rate: null, gross_revenue_retention: null, net_revenue_retention: null }),
        // c10 had MRR in 2018-04 → reactivation, not new; start 0 → NULL rates
        mrrRow({ month: '2018-09-01', mrr: '50.00', paying_customers: '1', arpa: '50.00', reactivation_mrr: '50.00', customer_churn_rate: null, gross_revenue_retention: null, net_revenue_retention: null }),
        // churn 0/1; GRR (50 − 0 − 25)/50 = 0.5; NRR (50 − 25 + 0)/50 = 0.5
        mrrRow({ month: '2018-10-01', mrr: '25.00', paying_customers: '1', arpa: '25.00', contraction_mrr: '25.00', customer_churn_rate: 0, gross_revenue_retention: 0.5, net_revenue_retention: 0.5 }),
        // arpa 125/3 = 41.67; churn 0/1; GRR 25/25 = 1; NRR 1
        mrrRow({ month: '2018-11-01', mrr: '125.00', paying_customers: '3', arpa: money(125 / 3), new_mrr: '100.00', customer_churn_rate: 0, gross_revenue_retention: 1, net_revenue_retention: 1 }),
        // arpa 100/3 = 33.33; churn 0/3; GRR (125 − 25)/125 = 0.8; NRR 0.8
        mrrRow({ month: '2018-12-01', mrr: '100.00', paying_customers: '3', arpa: money(100 / 3), contraction_mrr: '25.00', customer_churn_rate: 0, gross_revenue_retention: 0.8, net_revenue_retention: 0.8 }),
        // no movement: churn 0/3; GRR = NRR = 100/100
        mrrRow({ month: '2019-01-01', mrr: '100.00', paying_customers: '3', arpa: money(100 / 3), customer_churn_rate: 0, gross_revenue_retention: 1, net_revenue_retention: 1 }),
        // churn 1/3; GRR (100 − 50)/100 = 0.5; NRR 0.5
        mrrRow({ month: '2019-02-01', mrr: '50.00', paying_customers: '2', arpa: '25.00', churned_mrr: '50.00', customer_churn_rate: 1 / 3, gross_revenue_retention: 0.5, net_revenue_retention: 0.5 }),
        // churn 1/2; GRR (50 − 25)/50 = 0.5; NRR 0.5
        mrrRow({ month: '2019-03-01', mrr: '25.00', paying_customers: '1', arpa: '25.00', churned_mrr: '25.00', customer_churn_rate: 1 / 2, gross_revenue_retention: 0.5, net_revenue_retention: 0.5 }),
        // arpa 100/2; churn 0/1; GRR 25/25 = 1; NRR (25 + 25)/25 = 2
        mrrRow({ month: '2019-04-01', mrr: '100.00', paying_customers: '2', arpa: '50.00', reactivation_mrr: '50.00', expansion_mrr: '25.00', customer_churn_rate: 0, gross_revenue_retention: 1, net_revenue_retention: 2 }),
        // arpa 75/2; churn 0/2; GRR (100 − 25)/100 = 0.75; NRR 0.75
        mrrRow({ month: '2019-05-01', mrr: '75.00', paying_customers: '2', arpa: '37.50', contraction_mrr: '25.00', customer_churn_rate: 0, gross_revenue_retention: 0.75, net_revenue_retention: 0.75 }),
        // arpa 125/2; churn 0/2; GRR 75/75 = 1; NRR (75 + 50)/75 = 5/3
        mrrRow({ month: '2019-06-01', mrr: '125.00', paying_customers: '2', arpa: '62.50', expansion_mrr: '50.00', customer_churn_rate: 0, gross_revenue_retention: 1, net_revenue_retention: 5 / 3 }),
        // arpa 175/3 = 58.33; churn 0/2; GRR 1; NRR 1
        mrrRow({ month: '2019-07-01', mrr: '175.00', paying_customers: '3', arpa: money(175 / 3), reactivation_mrr: '50.00', customer_churn_rate: 0, gross_revenue_retention: 1, net_revenue_retention: 1 }),
        // arpa 75/2; churn 1/3; GRR (175 − 75 − 25)/175 = 3/7; NRR 3/7
        mrrRow({ month: '2019-08-01', mrr: '75.00', paying_customers: '2', arpa: '37.50', churned_mrr: '75.00', contraction_mrr: '25.00', customer_churn_rate: 1 / 3, gross_revenue_retention: 3 / 7, net_revenue_retention: 3 / 7 }),
        // arpa 100/2; churn 0/2; GRR 75/75 = 1; NRR (75 + 25)/75 = 4/3
        mrrRow({ month: '2019-09-01', mrr: '100.00', paying_customers: '2', arpa: '50.00', expansion_mrr: '25.00', customer_churn_rate: 0, gross_revenue_retention: 1, net_revenue_retention: 4 / 3 }),
        // arpa 75/2; churn 0/2; GRR (100 − 25)/100 = 0.75; NRR 0.75
        mrrRow({ month: '2019-10-01', mrr: '75.00', paying_customers: '2', arpa: '37.50', contraction_mrr: '25.00', customer_churn_rate: 0, gross_revenue_retention: 0.75, net_revenue_retention: 0.75 }),
        // arpa 50/2; churn 0/2; GRR (75 − 25)/75 = 2/3; NRR 2/3
        mrrRow({ month: '2019-11-01', mrr: '50.00', paying_customers: '2', arpa: '25.00', contraction_mrr: '25.00', customer_churn_rate: 0, gross_revenue_retention: 2 / 3, net_revenue_retention: 2 / 3 }),
        // arpa 75/2; churn 0/2; GRR 50/50 = 1; NRR (50 + 25)/50 = 1.5
        mrrRow({ month: '2019-12-01', mrr: '75.00', paying_customers: '2', arpa: '37.50', expansion_mrr: '25.00', customer_churn_rate: 0, gross_revenue_retention: 1, net_revenue_retention: 1.5 }),
        // churn 2/2; GRR (75 − 75)/75 = 0; NRR 0; no paying customers → arpa NULL
        mrrRow({ month: '2020-01-01', mrr: '0.00', paying_customers: '0', arpa: null, churned_mrr: '75.00', customer_churn_rate: 1, gross_revenue_retention: 0, net_revenue_retention: 0 }),
      ],
      ['month'],
    );
  });
});

// ---------------------------------------------------------------------------
// A hand-made subscriptions export, --as-of 2024-06-15 (June partial)
// ---------------------------------------------------------------------------
//
// MRR per customer on each month's snapshot day (last day; 06-15 for June):
//             Dec-31 Jan-31 Feb-29 Mar-31 Apr-30 May-31 Jun-15
//   h           0      0      0      0      0      0      0    h1 12-05..12-28: starts and ends within Dec
//   a           0    100    100    100    100    100    100    a1 from 01-15, open
//   b           0     50     50      0      0     70     70    b1 01-01..03-01; b2 05-02..06-20 (active on 06-15)
//   c           0      0      0      0      0      0      0    c1 02-03..02-20: starts and ends within Feb
//   d           0    100    180    200    200    200    200    d1 100 01-20..03-10 → d1b 150 from 03-10 (upgrade +50);
//                                                              d2 80 02-05..03-20 → d2b 50 from 03-20 (downgrade −30)
//   e           0      0    100    100     80     80     10    e1 60 → e1b 70 on 04-15 (upgrade +10); e2 40 → e2b 10 on
//                                                              04-25 (downgrade −30); e1b ends 06-10 (before 06-15)
//   f           0      0      0      0      0      0     25    f1 from 06-12 (before the as-of)
//   g           0      0      0      0      0      0      0    g1 from 06-20 (after the as-of)
//   total       0    250    430    400    380    450    405
//   paying      0      3      4      3      3      4      5
// Staged rows (UTC; a date-only value is midnight):
const SUBS: Row[] = [
  // never on a month end
  { subscription_id: 'h1', customer_id: 'h', mrr: '20.00', started_at: '2023-12-05 09:00:00', ended_at: '2023-12-28 09:00:00', plan: 'basic' },
  { subscription_id: 'a1', customer_id: 'a', mrr: '100.00', started_at: '2024-01-15', ended_at: null, plan: 'pro' },
  { subscription_id: 'b1', customer_id: 'b', mrr: '50.00', started_at: '2024-01-01', ended_at: '2024-03-01', plan: 'basic' },
  // ends after the as-of date: counts in June
  { subscription_id: 'b2', customer_id: 'b', mrr: '70.00', started_at: '2024-05-02 10:00:00', ended_at: '2024-06-20 10:00:00', plan: 'plus' },
  // never on a month end
  { subscription_id: 'c1', customer_id: 'c', mrr: '30.00', started_at: '2024-02-03', ended_at: '2024-02-20', plan: 'basic' },
  { subscription_id: 'd1', customer_id: 'd', mrr: '100.00', started_at: '2024-01-20', ended_at: '2024-03-10', plan: 'pro' },
  { subscription_id: 'd1b', customer_id: 'd', mrr: '150.00', started_at: '2024-03-10', ended_at: null, plan: 'pro-plus' },
  { subscription_id: 'd2', customer_id: 'd', mrr: '80.00', started_at: '2024-02-05', ended_at: '2024-03-20', plan: 'plus' },
  { subscription_id: 'd2b', customer_id: 'd', mrr: '50.00', started_at: '2024-03-20', ended_at: null, plan: 'basic' },
  { subscription_id: 'e1', customer_id: 'e', mrr: '60.00', started_at: '2024-02-01', ended_at: '2024-04-15', plan: 'plus' },
  { subscription_id: 'e1b', customer_id: 'e', mrr: '70.00', started_at: '2024-04-15', ended_at: '2024-06-10', plan: 'plus' },
  { subscription_id: 'e2', customer_id: 'e', mrr: '40.00', started_at: '2024-02-01', ended_at: '2024-04-25', plan: 'basic' },
  { subscription_id: 'e2b', customer_id: 'e', mrr: '10.00', started_at: '2024-04-25', ended_at: null, plan: 'mini' },
  { subscription_id: 'f1', customer_id: 'f', mrr: '25.00', started_at: '2024-06-12', ended_at: null, plan: 'basic' },
  // starts after the as-of date
  { subscription_id: 'g1', customer_id: 'g', mrr: '45.00', started_at: '2024-06-20', ended_at: null, plan: 'basic' },
];

describe('mrr_monthly on a hand fixture (as-of 2024-06-15)', () => {
  let built: BuiltTable;
  beforeAll(async () => {
    built = await buildTable('mrr_monthly_v1', { asOf: '2024-06-15', staging: { subscriptions: SUBS } });
  });

  it('uses all 15 subscriptions, every data test passing', () => {
    expect(SUBS).toHaveLength(15);
    expect(failingTests(built)).toEqual([]);
  });

  it('every column of every month', () => {
    expectRows(
      built.rows,
      [
        // Dec 2023: h1 ended 12-28, not active on 12-31 → no MRR, no paying customer → arpa NULL; start 0 → rates NULL
        mrrRow({ month: '2023-12-01', mrr: '0.00', paying_customers: '0', arpa: null, customer_churn_rate: null, gross_revenue_retention: null, net_revenue_retention: null }),
        // Jan: a 100 + b 50 + d 100, all first time → new 250; arpa 250/3 = 83.33; start MRR 0 → churn rate, GRR, NRR NULL
        mrrRow({ month: '2024-01-01', mrr: '250.00', paying_customers: '3', arpa: money(250 / 3), new_mrr: '250.00', customer_churn_rate: null, gross_revenue_retention: null, net_revenue_retention: null }),
        // Feb: e new 100; d 100 → 180 expansion 80; c (02-03..02-20) never counts; arpa 430/4 = 107.50;
        // churn 0/3; GRR (250 − 0 − 0)/250 = 1; NRR (250 + 80)/250 = 1.32
        mrrRow({ month: '2024-02-01', mrr: '430.00', paying_customers: '4', arpa: '107.50', new_mrr: '100.00', expansion_mrr: '80.00', customer_churn_rate: 0, gross_revenue_retention: 1, net_revenue_retention: 1.32 }),
        // Mar: b churned 50; d 180 → 200: upgrade +50 and downgrade −30 in one month, net expansion 20 (no contraction);
        // MRR 430 − 50 + 20 = 400; arpa 400/3 = 133.33; churn 1/4; GRR (430 − 50 − 0)/430 = 38/43;
        // NRR (430 − 50 − 0 + 20)/430 = 40/43
        mrrRow({ month: '2024-03-01', mrr: '400.00', paying_customers: '3', arpa: money(400 / 3), churned_mrr: '50.00', expansion_mrr: '20.00', customer_churn_rate: 1 / 4, gross_revenue_retention: 38 / 43, net_revenue_retention: 40 / 43 }),
        // Apr: e 100 → 80: upgrade +10 and downgrade −30 in one month, net contraction 20 (no expansion);
        // arpa 380/3 = 126.67; churn 0/3; GRR (400 − 20)/400 = 0.95; NRR 0.95
        mrrRow({ month: '2024-04-01', mrr: '380.00', paying_customers: '3', arpa: money(380 / 3), contraction_mrr: '20.00', customer_churn_rate: 0, gross_revenue_retention: 0.95, net_revenue_retention: 0.95 }),
        // May: b 0 → 70, had MRR before → reactivation 70; arpa 450/4 = 112.50; churn 0/3; GRR = NRR = 380/380
        mrrRow({ month: '2024-05-01', mrr: '450.00', paying_customers: '4', arpa: '112.50', reactivation_mrr: '70.00', customer_churn_rate: 0, gross_revenue_retention: 1, net_revenue_retention: 1 }),
        // Jun (partial, on 06-15): f new 25; e 80 → 10 contraction 70 (e1b ended 06-10); b2 counts (ends 06-20 > 06-15);
        // g (from 06-20) does not. MRR 450 + 25 − 70 = 405; arpa 405/5 = 81; churn 0/4;
        // GRR (450 − 0 − 70)/450 = 38/45; NRR (450 − 70 + 0)/450 = 38/45
        mrrRow({ month: '2024-06-01', mrr: '405.00', paying_customers: '5', arpa: '81.00', new_mrr: '25.00', contraction_mrr: '70.00', customer_churn_rate: 0, gross_revenue_retention: 38 / 45, net_revenue_retention: 38 / 45, is_partial_period: true }),
      ],
      ['month'],
    );
  });
});

// ---------------------------------------------------------------------------
// survey_scores_monthly, --as-of 2024-04-10 (April partial)
// ---------------------------------------------------------------------------
//
// nps = 100 × (share 9–10 − share 0–6); csat = share 4–5; ces = mean; by the response's UTC date.
const SURVEYS_CSV = csv(
  'response_id,customer_id,survey,score,responded_at', // line 1
  // January
  'r01,c1,nps,10,2024-01-03T10:00:00Z', // promoter
  'r02,c2,nps,9,2024-01-04T10:00:00Z', // promoter (9 is the lower bound)
  'r03,,nps,9,2024-01-05T10:00:00Z', // promoter, anonymous
  'r04,c4,nps,8,2024-01-06T10:00:00Z', // passive
  'r05,c5,nps,7,2024-01-07T10:00:00Z', // passive
  'r06,c6,nps,6,2024-01-08T10:00:00Z', // detractor (6 is the upper bound)
  'r07,c7,nps,0,2024-01-31T23:59:00Z', // detractor
  'r08,c1,csat,5,2024-01-10', // satisfied
  'r09,c2,csat,4,2024-01-11', // satisfied (lower bound)
  'r10,c3,csat,3,2024-01-12', // not satisfied
  'r11,c4,csat,1,2024-01-13', // not satisfied
  'r12,c1,ces,1,2024-01-14',
  'r13,c2,ces,2,2024-01-15',
  'r14,c3,ces,7,2024-01-16',
  'r15,c4,ces,5,2024-01-17',
  // out of range → rejected at ingest (6 rows)
  'r16,c1,nps,11,2024-01-18', // nps > 10
  'r17,c2,csat,0,2024-01-18', // csat < 1
  'r18,c3,csat,6,2024-01-18', // csat > 5
  'r19,c4,ces,0,2024-01-18', // ces < 1
  'r20,c5,ces,8,2024-01-18', // ces > 7
  'r21,c6,nps,-1,2024-01-18', // nps < 0
  // February: nothing (the next row is 02-29 23:30 at −01:00 = 03-01 00:30 UTC → March)
  'r31,c3,nps,3,2024-02-29T23:30:00-01:00', // detractor, March
  // March: only detractors
  'r22,c1,nps,0,2024-03-02T10:00:00Z', // detractor
  'r23,c2,nps,5,2024-03-15T10:00:00Z', // detractor
  'r24,c3,nps,6,2024-03-31T23:00:00Z', // detractor
  'r25,c4,csat,2,2024-03-10', // not satisfied
  'r26,c5,csat,4,2024-04-01T00:30:00+02:00', // = 2024-03-31 22:30 UTC → March, satisfied
  'r32,c6,csat,5,2024-03-20', // satisfied
  // April (as-of 04-10)
  'r27,c1,nps,9,2024-04-10T23:00:00Z', // on the as-of date → counts, promoter
  'r28,c2,nps,0,2024-04-11T08:00:00Z', // after the as-of date → not counted
  'r29,c3,nps,0,2024-04-10T23:30:00-02:00', // = 2024-04-11 01:30 UTC → after the as-of date
  'r30,c4,ces,6,2024-04-05',
);

// What staging makes of that export (the model test's input): the 26 rows in range, in UTC.
const SURVEYS: Row[] = [
  { response_id: 'r01', customer_id: 'c1', survey: 'nps', score: 10, responded_at: '2024-01-03 10:00:00' },
  { response_id: 'r02', customer_id: 'c2', survey: 'nps', score: 9, responded_at: '2024-01-04 10:00:00' },
  { response_id: 'r03', customer_id: null, survey: 'nps', score: 9, responded_at: '2024-01-05 10:00:00' },
  { response_id: 'r04', customer_id: 'c4', survey: 'nps', score: 8, responded_at: '2024-01-06 10:00:00' },
  { response_id: 'r05', customer_id: 'c5', survey: 'nps', score: 7, responded_at: '2024-01-07 10:00:00' },
  { response_id: 'r06', customer_id: 'c6', survey: 'nps', score: 6, responded_at: '2024-01-08 10:00:00' },
  { response_id: 'r07', customer_id: 'c7', survey: 'nps', score: 0, responded_at: '2024-01-31 23:59:00' },
  { response_id: 'r08', customer_id: 'c1', survey: 'csat', score: 5, responded_at: '2024-01-10 00:00:00' },
  { response_id: 'r09', customer_id: 'c2', survey: 'csat', score: 4, responded_at: '2024-01-11 00:00:00' },
  { response_id: 'r10', customer_id: 'c3', survey: 'csat', score: 3, responded_at: '2024-01-12 00:00:00' },
  { response_id: 'r11', customer_id: 'c4', survey: 'csat', score: 1, responded_at: '2024-01-13 00:00:00' },
  { response_id: 'r12', customer_id: 'c1', survey: 'ces', score: 1, responded_at: '2024-01-14 00:00:00' },
  { response_id: 'r13', customer_id: 'c2', survey: 'ces', score: 2, responded_at: '2024-01-15 00:00:00' },
  { response_id: 'r14', customer_id: 'c3', survey: 'ces', score: 7, responded_at: '2024-01-16 00:00:00' },
  { response_id: 'r15', customer_id: 'c4', survey: 'ces', score: 5, responded_at: '2024-01-17 00:00:00' },
  { response_id: 'r22', customer_id: 'c1', survey: 'nps', score: 0, responded_at: '2024-03-02 10:00:00' },
  { response_id: 'r23', customer_id: 'c2', survey: 'nps', score: 5, responded_at: '2024-03-15 10:00:00' },
  { response_id: 'r24', customer_id: 'c3', survey: 'nps', score: 6, responded_at: '2024-03-31 23:00:00' },
  { response_id: 'r25', customer_id: 'c4', survey: 'csat', score: 2, responded_at: '2024-03-10 00:00:00' },
  // 2024-04-01T00:30:00+02:00 in the export
  { response_id: 'r26', customer_id: 'c5', survey: 'csat', score: 4, responded_at: '2024-03-31 22:30:00' },
  { response_id: 'r27', customer_id: 'c1', survey: 'nps', score: 9, responded_at: '2024-04-10 23:00:00' },
  { response_id: 'r28', customer_id: 'c2', survey: 'nps', score: 0, responded_at: '2024-04-11 08:00:00' },
  // 2024-04-10T23:30:00-02:00 in the export
  { response_id: 'r29', customer_id: 'c3', survey: 'nps', score: 0, responded_at: '2024-04-11 01:30:00' },
  { response_id: 'r30', customer_id: 'c4', survey: 'ces', score: 6, responded_at: '2024-04-05 00:00:00' },
  // 2024-02-29T23:30:00-01:00 in the export
  { response_id: 'r31', customer_id: 'c3', survey: 'nps', score: 3, responded_at: '2024-03-01 00:30:00' },
  { response_id: 'r32', customer_id: 'c6', survey: 'csat', score: 5, responded_at: '2024-03-20 00:00:00' },
];

describe('survey_scores_monthly (as-of 2024-04-10)', () => {
  let built: BuiltTable;
  beforeAll(async () => {
    built = await buildTable('survey_scores_monthly_v1', { asOf: '2024-04-10', staging: { survey_responses: SURVEYS } });
  });

  it('ingest rejects the 6 out-of-range scores and stages the other 26 rows, in UTC', async () => {
    const { reports, staged, rejects } = await stageExports({ 'inbox/survey_responses/answers.csv': SURVEYS_CSV });
    expect(reports.map((r) => [r.rows_in, r.rows_rejected, r.rows_loaded])).toEqual([[32, 6, 26]]); // r01..r32; r16..r21; 32 − 6
    expect((rejects.survey_responses ?? []).map((r) => r.response_id)).toEqual(['r16', 'r17', 'r18', 'r19', 'r20', 'r21']);
    for (const r of rejects.survey_responses ?? []) expect(String(r._reject_reason)).toMatch(/range/);
    expect(staged.survey_responses).toEqual(SURVEYS);
  });

  it('NPS, CSAT and CES per month, with a month without responses and a month of only detractors', () => {
    expect(failingTests(built)).toEqual([]);
    expect(built.types).toEqual({
      month: 'DATE',
      nps: 'DOUBLE',
      nps_responses: 'BIGINT',
      csat: 'DOUBLE',
      csat_responses: 'BIGINT',
      ces: 'DOUBLE',
      ces_responses: 'BIGINT',
      is_partial_period: 'BOOLEAN',
    });
    expectRows(
      built.rows,
      [
        {
          month: '2024-01-01',
          nps: 100 * (3 / 7 - 2 / 7), // promoters r01 r02 r03, detractors r06 r07, of 7 → 14.2857
          nps_responses: '7',
          csat: 2 / 4, // r08 (5), r09 (4) of 4
          csat_responses: '4',
          ces: (1 + 2 + 7 + 5) / 4, // 3.75
          ces_responses: '4',
          is_partial_period: false,
        },
        {
          month: '2024-02-01', // no responses: NULL scores (denominator 0), 0 counts
          nps: null,
          nps_responses: '0',
          csat: null,
          csat_responses: '0',
          ces: null,
          ces_responses: '0',
          is_partial_period: false,
        },
        {
          month: '2024-03-01',
          nps: -100, // r31 (3), r22 (0), r23 (5), r24 (6): 100 × (0/4 − 4/4)
          nps_responses: '4',
          csat: 2 / 3, // r25 (2) no, r26 (4, 03-31 UTC) yes, r32 (5) yes
          csat_responses: '3',
          ces: null, // no CES answer
          ces_responses: '0',
          is_partial_period: false,
        },
        {
          month: '2024-04-01',
          nps: 100, // only r27 (9) is on or before the as-of date: 100 × (1/1 − 0/1)
          nps_responses: '1',
          csat: null,
          csat_responses: '0',
          ces: 6, // r30
          ces_responses: '1',
          is_partial_period: true, // 04-10 is not April's last day
        },
      ],
      ['month'],
    );
  });
});

describe('survey_scores_monthly v2 (as-of 2024-04-10)', () => {
  it('counts the NPS answer groups behind each score, from the same answers as v1', async () => {
    const v2 = await buildTable('survey_scores_monthly_v2', { asOf: '2024-04-10', staging: { survey_responses: SURVEYS } });
    expect(failingTests(v2)).toEqual([]);
    // [month, promoters (9–10), passives (7–8), detractors (0–6)], from the v1 comments above:
    expect(v2.rows.map((r) => [r.month, r.nps_responses, r.nps_promoters, r.nps_passives, r.nps_detractors])).toEqual([
      ['2024-01-01', '7', '3', '2', '2'], // r01 r02 r03 | r04 r05 | r06 r07
      ['2024-02-01', '0', '0', '0', '0'], // no answers
      ['2024-03-01', '4', '0', '0', '4'], // r31 r22 r23 r24
      ['2024-04-01', '1', '1', '0', '0'], // r27 (r28, r29 after the as-of date)
    ]);
  });
});

// ---------------------------------------------------------------------------
// engagement_monthly, --as-of 2024-03-10 (March partial; 2024 is a leap year)
// ---------------------------------------------------------------------------
//
// dau_mau = (mean over the month's days, as-of-capped, of distinct customers with an event that
// day) / distinct customers with an event in the month; days without events count as 0.
// Staged rows (UTC).
const EVENTS: Row[] = [
  { customer_id: 'u1', event_name: 'login', occurred_at: '2024-01-01 08:00:00' },
  { customer_id: 'u1', event_name: 'page_view', occurred_at: '2024-01-01 09:00:00' }, // same customer, same day: one daily active customer
  { customer_id: 'u2', event_name: 'login', occurred_at: '2024-01-01 10:00:00' },
  { customer_id: 'u1', event_name: 'login', occurred_at: '2024-01-02 10:00:00' },
  { customer_id: 'u3', event_name: 'login', occurred_at: '2024-01-10 10:00:00' },
  { customer_id: 'u2', event_name: 'login', occurred_at: '2024-01-15 10:00:00' },
  { customer_id: 'u1', event_name: 'login', occurred_at: '2024-01-31 23:59:00' },
  // February: no event (the next one is 2024-03-01 00:30 UTC)
  { customer_id: 'u3', event_name: 'login', occurred_at: '2024-03-01 00:30:00' }, // 2024-02-29T23:30:00-01:00 → March 1
  { customer_id: 'u1', event_name: 'login', occurred_at: '2024-03-05 10:00:00' },
  { customer_id: 'u3', event_name: 'page_view', occurred_at: '2024-03-05 11:00:00' },
  { customer_id: 'u4', event_name: 'login', occurred_at: '2024-03-10 23:59:59' }, // on the as-of date → counts
  { customer_id: 'u2', event_name: 'login', occurred_at: '2024-03-11 00:00:00' }, // after the as-of date
  { customer_id: 'u2', event_name: 'page_view', occurred_at: '2024-03-11 01:30:00' }, // 2024-03-10T23:30:00-02:00 → after the as-of date
];

describe('engagement_monthly (as-of 2024-03-10)', () => {
  let built: BuiltTable;
  beforeAll(async () => {
    built = await buildTable('engagement_monthly_v1', { asOf: '2024-03-10', staging: { events: EVENTS } });
  });

  it('DAU/MAU for a full month, a month without events and the partial as-of month', () => {
    expect(failingTests(built)).toEqual([]);
    expect(built.types).toEqual({
      month: 'DATE',
      monthly_active_customers: 'BIGINT',
      avg_daily_active_customers: 'DOUBLE',
      days_counted: 'BIGINT',
      dau_mau: 'DOUBLE',
      is_partial_period: 'BOOLEAN',
    });
    expectRows(
      built.rows,
      [
        {
          // daily distinct: 01-01 {u1,u2} 2, 01-02 {u1} 1, 01-10 {u3} 1, 01-15 {u2} 1, 01-31 {u1} 1 → Σ 6 over 31 days
          month: '2024-01-01',
          monthly_active_customers: '3', // u1, u2, u3
          avg_daily_active_customers: 6 / 31,
          days_counted: '31',
          dau_mau: 6 / 31 / 3, // = 2/31 ≈ 0.0645
          is_partial_period: false,
        },
        {
          // no events: 0 active customers → dau_mau NULL (denominator 0); 29 days (leap year)
          month: '2024-02-01',
          monthly_active_customers: '0',
          avg_daily_active_customers: 0,
          days_counted: '29',
          dau_mau: null,
          is_partial_period: false,
        },
        {
          // days 03-01..03-10 only: 03-01 {u3} 1, 03-05 {u1,u3} 2, 03-10 {u4} 1, other 7 days 0 → Σ 4 over 10 days
          month: '2024-03-01',
          monthly_active_customers: '3', // u1, u3, u4 (u2 only after the as-of date)
          avg_daily_active_customers: 4 / 10,
          days_counted: '10',
          dau_mau: 4 / 10 / 3, // = 2/15 ≈ 0.1333
          is_partial_period: true,
        },
      ],
      ['month'],
    );
  });
});

// ---------------------------------------------------------------------------
// loyalty_scorecard_monthly: orders + customers + retention_costs (no subscriptions,
// surveys or events), churn window W = 30 days, as-of 2024-04-20 (the data's own)
// ---------------------------------------------------------------------------
//
// Completed orders (date, net value):
//   k1: 01-05 100, 02-10 60
//   k2: 01-10 50, 02-20 10, 04-20 25
//   k3: 01-20 30, 03-15 40, 04-05 15
//   k4: 03-05 80, 04-08 25
//   k5: 03-25 20
//   k6: 04-12 35
//   k7: only a cancelled order (03-18) → no first order, no cohort;  k1 04-25 refunded → nowhere
// As-of = greatest date of a completed order = 2024-04-20 (k2); April is partial.
// Customers export: referred (referred_by non-empty): k2, k3, k5, k6, k7, k8 (k8 never orders).
//
// referral_rate = new customers (first completed order in m) who were referred / new customers:
//   Jan: new k1, k2, k3; referred k2, k3 → 2/3
//   Feb: no new customer → NULL
//   Mar: new k4, k5 (k7's order is cancelled); referred k5 → 1/2
//   Apr: new k6, referred → 1/1
//
// retention_monthly with W = 30 (live on d ⇔ a completed order in [d − 29, d]):
//   Feb: live(01-31) = [01-02, 01-31] → {k1, k2, k3}; live(02-29) = [01-31, 02-29] → {k1 (02-10), k2 (02-20)};
//        CN 0; retained {k1, k2} = 2; lost 1 → churn 1/3; retention (2 − 0)/3 = 2/3
//   Mar: live(02-29) = {k1, k2}; live(03-31) = [03-02, 03-31] → {k4 (03-05), k3 (03-15), k5 (03-25)};
//        CN 2 (k4, k5); retained 0; lost 2 → churn 2/2 = 1; retention (3 − 2)/2 = 0.5
//   Apr: live(03-31) = {k3, k4, k5}; live(04-20) = [03-22, 04-20] → {k5 (03-25), k3 (04-05), k4 (04-08),
//        k6 (04-12), k2 (04-20)}; CN 1 (k6); retained {k3, k4, k5} = 3; lost 0 → churn 0; retention (5 − 1)/3 = 4/3
//   (no row for January: retention_monthly starts the month after the first cohort month)
//
// Retention costs: '2024-02-15' 150.00 + '2024-02' 50.50 (Feb) | '2024-03' 120.00 | '2024-04' 100.00 |
// '2024-05' 99.00 (after the as-of month → nowhere) | January: no row.
//   retention_cost: Jan 0.00 (the export exists; Σ over no rows) | Feb 200.50 | Mar 120.00 | Apr 100.00
//   crc = retention_cost / retained_customers:
//     Jan NULL (no retention_monthly row) | Feb 200.50/2 = 100.25 | Mar NULL (0 retained) | Apr 100/3 = 33.33
//
// loyalty_kpis_monthly (12-month window T = months of data up to m):
//   Jan: 3 orders, 3 customers, 180.00 → repeat 0/3, frequency 1, AOV 60; no churn → lifespan/CLV NULL
//   Feb: 5 orders (+ k1 60, k2 10), 3 customers, 250.00 → repeat 2/3 (k1, k2), freq 5/3, AOV 50;
//        churn mean(1/3) → lifespan 1/(12 × 1/3) = 1/4 → CLV 50 × 5/3 × 1/4 = 20.83
//   Mar: 8 orders (+ k3 40, k4 80, k5 20), 5 customers, 390.00 → repeat 3/5 (k1, k2, k3), freq 8/5, AOV 48.75;
//        churn mean(1/3, 1) = 2/3 → lifespan 1/8 → CLV 48.75 × 1.6 × 0.125 = 9.75
//   Apr: 12 orders (+ k3 15, k4 25, k6 35, k2 25), 6 customers, 490.00 → repeat 4/6 (k1 2, k2 3, k3 3, k4 2),
//        freq 2, AOV 490/12 = 40.83; churn mean(1/3, 1, 0) = 4/9 → lifespan 1/(12 × 4/9) = 3/16
//        → CLV 490/12 × 2 × 3/16 = 15.3125 → 15.31
const SCORECARD_ORDERS: Row[] = [
  { order_id: 'o01', customer_id: 'k1', ordered_at: '2024-01-05 10:00:00', amount: '100.00', status: 'completed' },
  { order_id: 'o02', customer_id: 'k2', ordered_at: '2024-01-10 10:00:00', amount: '50.00', status: 'completed' },
  { order_id: 'o03', customer_id: 'k3', ordered_at: '2024-01-20 10:00:00', amount: '30.00', status: 'completed' },
  { order_id: 'o04', customer_id: 'k1', ordered_at: '2024-02-10 10:00:00', amount: '60.00', status: 'completed' },
  { order_id: 'o05', customer_id: 'k2', ordered_at: '2024-02-20 10:00:00', amount: '10.00', status: 'completed' },
  { order_id: 'o06', customer_id: 'k4', ordered_at: '2024-03-05 10:00:00', amount: '80.00', status: 'completed' },
  { order_id: 'o07', customer_id: 'k3', ordered_at: '2024-03-15 10:00:00', amount: '40.00', status: 'completed' },
  { order_id: 'o08', customer_id: 'k7', ordered_at: '2024-03-18 10:00:00', amount: '15.00', status: 'cancelled' },
  { order_id: 'o09', customer_id: 'k5', ordered_at: '2024-03-25 10:00:00', amount: '20.00', status: 'completed' },
  { order_id: 'o10', customer_id: 'k3', ordered_at: '2024-04-05 10:00:00', amount: '15.00', status: 'completed' },
  { order_id: 'o11', customer_id: 'k4', ordered_at: '2024-04-08 10:00:00', amount: '25.00', status: 'completed' },
  { order_id: 'o12', customer_id: 'k6', ordered_at: '2024-04-12 10:00:00', amount: '35.00', status: 'completed' },
  { order_id: 'o13', customer_id: 'k2', ordered_at: '2024-04-20 10:00:00', amount: '25.00', status: 'completed' },
  { order_id: 'o14', customer_id: 'k1', ordered_at: '2024-04-25 10:00:00', amount: '70.00', status: 'refunded' },
];
const SCORECARD_CUSTOMERS: Row[] = [
  { customer_id: 'k1', created_at: '2024-01-01', acquisition_channel: 'organic', referred_by: null },
  { customer_id: 'k2', created_at: '2024-01-02', acquisition_channel: 'referral', referred_by: 'k1' },
  { customer_id: 'k3', created_at: '2024-01-03', acquisition_channel: 'referral', referred_by: 'k1' },
  { customer_id: 'k4', created_at: '2024-03-01', acquisition_channel: 'paid', referred_by: null },
  { customer_id: 'k5', created_at: '2024-03-01', acquisition_channel: 'referral', referred_by: 'k2' },
  { customer_id: 'k6', created_at: '2024-04-01', acquisition_channel: 'referral', referred_by: 'k3' },
  { customer_id: 'k7', created_at: '2024-03-01', acquisition_channel: 'referral', referred_by: 'k3' },
  { customer_id: 'k8', created_at: '2024-04-01', acquisition_channel: 'referral', referred_by: 'k1' },
];
// Staged months are first days: '2024-02-15' and '2024-02' in the export are both February.
const SCORECARD_COSTS: Row[] = [
  { month: '2024-02-01', amount: '150.00', category: 'winback' }, // exported as '2024-02-15'
  { month: '2024-02-01', amount: '50.50', category: 'loyalty' }, // exported as '2024-02'
  { month: '2024-03-01', amount: '120.00', category: 'loyalty' },
  { month: '2024-04-01', amount: '100.00', category: 'loyalty' },
  { month: '2024-05-01', amount: '99.00', category: 'loyalty' },
];

const SCORECARD_SCHEMA = {
  month: 'DATE',
  retention_rate: 'DOUBLE',
  churn_rate: 'DOUBLE',
  repeat_purchase_rate_12m: 'DOUBLE',
  purchase_frequency_12m: 'DOUBLE',
  avg_order_value_12m: 'DECIMAL(18,2)',
  clv_formula: 'DECIMAL(18,2)',
  mrr: 'DECIMAL(18,2)',
  net_revenue_retention: 'DOUBLE',
  gross_revenue_retention: 'DOUBLE',
  nps: 'DOUBLE',
  csat: 'DOUBLE',
  ces: 'DOUBLE',
  dau_mau: 'DOUBLE',
  referral_rate: 'DOUBLE',
  retention_cost: 'DECIMAL(18,2)',
  crc: 'DECIMAL(18,2)',
  is_partial_period: 'BOOLEAN',
};

// The orders-based columns of the scorecard (same in both scorecard fixtures), month by month.
const JAN = { retention_rate: null, churn_rate: null, repeat_purchase_rate_12m: 0, purchase_frequency_12m: 1, avg_order_value_12m: '60.00', clv_formula: null };
const FEB = { retention_rate: 2 / 3, churn_rate: 1 / 3, repeat_purchase_rate_12m: 2 / 3, purchase_frequency_12m: 5 / 3, avg_order_value_12m: '50.00', clv_formula: money(50 * (5 / 3) * (1 / 4)) };
const MAR = { retention_rate: 0.5, churn_rate: 1, repeat_purchase_rate_12m: 3 / 5, purchase_frequency_12m: 8 / 5, avg_order_value_12m: '48.75', clv_formula: '9.75' };
const APR = { retention_rate: 4 / 3, churn_rate: 0, repeat_purchase_rate_12m: 4 / 6, purchase_frequency_12m: 2, avg_order_value_12m: money(490 / 12), clv_formula: money((490 / 12) * 2 * (3 / 16)) };
// no subscriptions, surveys or events were dropped → NULL, not 0
const NO_SUBSCRIPTIONS_SURVEYS_EVENTS = { mrr: null, net_revenue_retention: null, gross_revenue_retention: null, nps: null, csat: null, ces: null, dau_mau: null };

describe('loyalty_scorecard_monthly with orders, customers and retention costs (W = 30)', () => {
  let built: BuiltTable;
  beforeAll(async () => {
    built = await buildTable('loyalty_scorecard_monthly_v1', {
      asOf: '2024-04-20',
      churnWindowDays: 30,
      staging: { orders: SCORECARD_ORDERS, customers: SCORECARD_CUSTOMERS, retention_costs: SCORECARD_COSTS },
    });
  });

  it('every column of every month: referral rate, retention cost and CRC by hand; absent metrics NULL', () => {
    expect(failingTests(built)).toEqual([]);
    expect(built.types).toEqual(SCORECARD_SCHEMA);
    expectRows(
      built.rows,
      [
        // Jan: cost 0.00 (no January row in the export); crc NULL (no retention_monthly row for January)
        { month: '2024-01-01', ...JAN, ...NO_SUBSCRIPTIONS_SURVEYS_EVENTS, referral_rate: 2 / 3, retention_cost: '0.00', crc: null, is_partial_period: false },
        // Feb: no new customers → referral NULL; cost 150.00 + 50.50; crc 200.50 / 2 retained = 100.25
        { month: '2024-02-01', ...FEB, ...NO_SUBSCRIPTIONS_SURVEYS_EVENTS, referral_rate: null, retention_cost: '200.50', crc: '100.25', is_partial_period: false },
        // Mar: referral 1/2; cost 120.00; 0 retained → crc NULL
        { month: '2024-03-01', ...MAR, ...NO_SUBSCRIPTIONS_SURVEYS_EVENTS, referral_rate: 1 / 2, retention_cost: '120.00', crc: null, is_partial_period: false },
        // Apr (partial): referral 1/1; cost 100.00; crc 100 / 3 retained = 33.33
        { month: '2024-04-01', ...APR, ...NO_SUBSCRIPTIONS_SURVEYS_EVENTS, referral_rate: 1, retention_cost: '100.00', crc: money(100 / 3), is_partial_period: true },
      ],
      ['month'],
    );
  });

  it('no cost up to the as-of month is dropped: Σ retention_cost = 150.00 + 50.50 + 120.00 + 100.00', () => {
    // the May cost (99.00) is after the as-of month and has no row
    const total = built.rows.reduce((sum, row) => sum + Number(row.retention_cost ?? 0), 0);
    expect(total).toBeCloseTo(150 + 50.5 + 120 + 100, 2); // 420.50
  });
});

describe('loyalty_scorecard_monthly: a retention cost dated inside its month', () => {
  // Spec, Input datasets: retention_costs.month is "`YYYY-MM` or a date in the month"; Conventions: a month is
  // stored as the DATE of its first day. Spec, Bad input: "Nothing is dropped silently".
  let built: BuiltTable;
  beforeAll(async () => {
    const { staged } = await stageExports({
      // k1 orders on 02-10 and 03-20 → as-of 2024-03-20 (March partial)
      'inbox/orders/orders.csv': csv('order_id,customer_id,ordered_at,amount', 'o1,k1,2024-02-10,10.00', 'o2,k1,2024-03-20,10.00'),
      // the earliest cost is a date in January (before the first order), then a 'YYYY-MM' in February
      'inbox/retention_costs/costs.csv': csv('month,amount,category', '2024-01-15,150.00,winback', '2024-02,50.50,loyalty'),
    });
    built = await buildTable('loyalty_scorecard_monthly_v1', { asOf: '2024-03-20', staging: staged });
  });

  it('no cost is dropped: Σ retention_cost over the months = 150.00 + 50.50', () => {
    expect(failingTests(built)).toEqual([]);
    // both costs are in months up to the as-of month (Jan, Feb ≤ March 2024)
    const total = built.rows.reduce((sum, row) => sum + Number(row.retention_cost ?? 0), 0);
    expect(total).toBeCloseTo(150 + 50.5, 2);
  });

  it('months are first days, from January (the first month of any data, per the model YAML) to the as-of month', () => {
    expect(built.rows.map((row) => row.month)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01']);
    expect(built.rows.map((row) => row.retention_cost)).toEqual(['150.00', '50.50', '0.00']); // '2024-01-15' → January
    expect(built.rows.map((row) => row.is_partial_period)).toEqual([false, false, true]); // 03-20 is not March's last day
  });
});

describe('loyalty_scorecard_monthly with orders only (W = 30)', () => {
  let built: BuiltTable;
  beforeAll(async () => {
    built = await buildTable('loyalty_scorecard_monthly_v1', { asOf: '2024-04-20', churnWindowDays: 30, staging: { orders: SCORECARD_ORDERS } });
  });

  it('referral_rate, retention_cost and crc are NULL without the customers and retention_costs exports', () => {
    expect(failingTests(built)).toEqual([]);
    expect(built.types).toEqual(SCORECARD_SCHEMA);
    const none = { referral_rate: null, retention_cost: null, crc: null };
    expectRows(
      built.rows,
      [
        { month: '2024-01-01', ...JAN, ...NO_SUBSCRIPTIONS_SURVEYS_EVENTS, ...none, is_partial_period: false },
        { month: '2024-02-01', ...FEB, ...NO_SUBSCRIPTIONS_SURVEYS_EVENTS, ...none, is_partial_period: false },
        { month: '2024-03-01', ...MAR, ...NO_SUBSCRIPTIONS_SURVEYS_EVENTS, ...none, is_partial_period: false },
        { month: '2024-04-01', ...APR, ...NO_SUBSCRIPTIONS_SURVEYS_EVENTS, ...none, is_partial_period: true },
      ],
      ['month'],
    );
  });
});

describe('loyalty_scorecard_monthly alone, on given rows of the tables it reads', () => {
  // No orders, customers or costs: the scorecard takes MRR, survey scores and DAU/MAU from its sources as they
  // are, and its months from the month spine, from the first month of any source (November: mrr_monthly) on.
  let built: BuiltTable;
  beforeAll(async () => {
    const spine = (month: string, last: string, days: number, partial: boolean) => ({
      month,
      last_day_counted: last,
      days_counted: days,
      is_partial_period: partial,
    });
    built = await buildTable('loyalty_scorecard_monthly_v1', {
      asOf: '2024-02-10',
      tables: {
        int_months_v1: [
          spine('2023-10-01', '2023-10-31', 31, false),
          spine('2023-11-01', '2023-11-30', 30, false),
          spine('2023-12-01', '2023-12-31', 31, false),
          spine('2024-01-01', '2024-01-31', 31, false),
          spine('2024-02-01', '2024-02-10', 10, true),
        ],
        mrr_monthly_v1: [
          { month: '2023-11-01', mrr: '100.00', gross_revenue_retention: null, net_revenue_retention: null, is_partial_period: false },
          { month: '2023-12-01', mrr: '120.00', gross_revenue_retention: 0.9, net_revenue_retention: 1.2, is_partial_period: false },
        ],
        survey_scores_monthly_v1: [
          { month: '2023-12-01', nps: 20, csat: 0.8, ces: 5.5, is_partial_period: false },
          { month: '2024-01-01', nps: 30, csat: null, ces: null, is_partial_period: false },
        ],
        engagement_monthly_v1: [{ month: '2024-01-01', dau_mau: 0.25, is_partial_period: false }],
      },
    });
  });

  it('passes each source column through, NULL where a source has no row, from November to the partial as-of month', () => {
    expect(failingTests(built)).toEqual([]);
    const orders = { retention_rate: null, churn_rate: null, repeat_purchase_rate_12m: null, purchase_frequency_12m: null, avg_order_value_12m: null, clv_formula: null };
    const none = { referral_rate: null, retention_cost: null, crc: null };
    const noMrr = { mrr: null, net_revenue_retention: null, gross_revenue_retention: null };
    const noSurveys = { nps: null, csat: null, ces: null };
    expectRows(
      built.rows,
      [
        { month: '2023-11-01', ...orders, mrr: '100.00', net_revenue_retention: null, gross_revenue_retention: null, ...noSurveys, dau_mau: null, ...none, is_partial_period: false },
        { month: '2023-12-01', ...orders, mrr: '120.00', net_revenue_retention: 1.2, gross_revenue_retention: 0.9, nps: 20, csat: 0.8, ces: 5.5, dau_mau: null, ...none, is_partial_period: false },
        { month: '2024-01-01', ...orders, ...noMrr, nps: 30, csat: null, ces: null, dau_mau: 0.25, ...none, is_partial_period: false },
        { month: '2024-02-01', ...orders, ...noMrr, ...noSurveys, dau_mau: null, ...none, is_partial_period: true },
      ],
      ['month'],
    );
  });
});
