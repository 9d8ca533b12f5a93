/**
 * Independent tests of loyalty_scorecard_monthly v2 and churn_risk v2 against docs/metrics.md
 * ("Scorecard v2 and churn signals"). Every expected value is a hand calculation from the spec
 * written next to it. The v1 tables they extend are given as rows (their own tests cover them).
 *
 *   SCORECARD  two months (as-of 2024-02-15) of v1 rows, orders and program memberships
 *   SIGNALS    four customers (as-of 2024-06-30), each at a window edge of a signal
 */
import { describe, expect, it } from 'vitest';
import { expectRows, money, type Row } from '../helpers/expect-rows.js';
import { buildTable, failingTests } from '../helpers/model-harness.js';

const order = (order_id: string, customer_id: string, ordered_at: string, amount: number): Row => ({
  order_id,
  customer_id,
  ordered_at,
  amount,
  status: 'completed',
});

// ---------------------------------------------------------------------------
// loyalty_scorecard_monthly v2
// ---------------------------------------------------------------------------

const SCORECARD_AS_OF = '2024-02-15'; // l(Jan) = 01-31, l(Feb) = 02-15

const V1_ROWS: Row[] = [
  { month: '2024-01-01', retention_rate: 0.8, churn_rate: 0.2, clv_formula: 150, crc: 25, retention_cost: 50, is_partial_period: false },
  { month: '2024-02-01', retention_rate: 0.9, churn_rate: 0.1, clv_formula: 99.99, crc: 0, retention_cost: 0, is_partial_period: true },
];

const SCORECARD_ORDERS: Row[] = [
  order('o1', 'c1', '2024-01-10', 50),
  order('o2', 'c2', '2024-01-20', 30),
  order('o3', 'c3', '2024-02-05', 20),
  order('o4', 'c1', '2024-02-10', 40),
];
// customers_12m: Jan {c1, c2} = 2; Feb {c1, c2, c3} = 3

const MEMBERSHIPS: Row[] = [
  { membership_id: 'm1', customer_id: 'c1', program: 'gold club', program_type: 'loyalty', joined_at: '2023-12-01 00:00:00' },
  // c1 in a second program: still one member ("all programs together")
  { membership_id: 'm2', customer_id: 'c1', program: 'refer-a-friend', program_type: 'referral', joined_at: '2024-01-05 00:00:00' },
  // c2 leaves on l(Jan): left date > d fails, so not a member on 01-31
  { membership_id: 'm3', customer_id: 'c2', program: 'gold club', program_type: 'loyalty', joined_at: '2024-01-15 00:00:00', left_at: '2024-01-31 10:00:00' },
  // c3 joins on the as-of date = l(Feb): a member on 02-15
  { membership_id: 'm4', customer_id: 'c3', program: 'gold club', program_type: 'loyalty', joined_at: '2024-02-15 18:00:00' },
  // c4 is a member without orders: in no customers_12m set
  { membership_id: 'm5', customer_id: 'c4', program: 'gold club', program_type: 'loyalty', joined_at: '2024-01-01 00:00:00' },
  // joined after the as-of date: not counted
  { membership_id: 'm6', customer_id: 'c2', program: 'gold club', program_type: 'loyalty', joined_at: '2024-02-16 00:00:00' },
];

/** v1's columns not set in V1_ROWS are NULL in v1 and so in v2. */
const v1Nulls = {
  repeat_purchase_rate_12m: null,
  purchase_frequency_12m: null,
  avg_order_value_12m: null,
  mrr: null,
  net_revenue_retention: null,
  gross_revenue_retention: null,
  nps: null,
  csat: null,
  ces: null,
  dau_mau: null,
  referral_rate: null,
};

describe('loyalty_scorecard_monthly v2', () => {
  const inputs = {
    asOf: SCORECARD_AS_OF,
    staging: { orders: SCORECARD_ORDERS, program_memberships: MEMBERSHIPS },
    tables: {
      loyalty_scorecard_monthly_v1: V1_ROWS,
      engagement_monthly_v2: [{ month: '2024-01-01', events_per_active_user: 12.5, sessions_per_active_user: 3, avg_session_minutes: 7.25 }],
      support_monthly_v1: [{ month: '2024-02-01', complaint_rate: 0.25 }],
    },
  };

  it('adds engagement, participation, complaints and the CLV ratios to v1 (SCORECARD, gross_margin 0.4)', async () => {
    const table = await buildTable('loyalty_scorecard_monthly_v2', { ...inputs, settings: { gross_margin: 0.4 } });
    expect(failingTests(table)).toEqual([]);
    expectRows(
      table.rows,
      [
        {
          month: '2024-01-01',
          retention_rate: 0.8,
          churn_rate: 0.2,
          ...v1Nulls,
          clv_formula: money(150),
          retention_cost: money(50),
          crc: money(25),
          events_per_active_user: 12.5,
          sessions_per_active_user: 3,
          avg_session_minutes: 7.25,
          participation_rate: 1 / 2, // members on 01-31: c1, c4; of {c1, c2} only c1 → 1 / 2
          complaint_rate: null, // no support_monthly row for January
          clv_to_crc_ratio: 6, // 150 / 25
          clv_margin: money(60), // 150 × 0.4
          is_partial_period: false,
        },
        {
          month: '2024-02-01',
          retention_rate: 0.9,
          churn_rate: 0.1,
          ...v1Nulls,
          clv_formula: money(99.99),
          retention_cost: money(0),
          crc: money(0),
          events_per_active_user: null,
          sessions_per_active_user: null,
          avg_session_minutes: null,
          participation_rate: 2 / 3, // members on 02-15: c1, c3, c4; of {c1, c2, c3}: c1, c3 → 2 / 3
          complaint_rate: 0.25,
          clv_to_crc_ratio: null, // crc 0
          clv_margin: money(40), // 99.99 × 0.4 = 39.996 → 40.00
          is_partial_period: true,
        },
      ],
      ['month'],
    );
  });

  it('leaves clv_margin NULL without gross_margin and participation NULL without memberships', async () => {
    const table = await buildTable('loyalty_scorecard_monthly_v2', { ...inputs, staging: { orders: SCORECARD_ORDERS } });
    expect(table.rows.map((r) => [r.month, r.clv_margin, r.participation_rate])).toEqual([
      ['2024-01-01', null, null],
      ['2024-02-01', null, null],
    ]);
  });
});

// ---------------------------------------------------------------------------
// churn_risk v2
// ---------------------------------------------------------------------------

// as-of 2024-06-30: the 90 days ending on it are 04-02..06-30 (06-30 − 90 days = 04-01),
// the 90 before those 01-03..04-01 (04-01 − 90 days = 01-02); the 365 days ending on it
// start on 2023-07-02 (2024-06-30 − 365 days = 2023-07-01).
const SIGNALS_AS_OF = '2024-06-30';

const CHURN_V1: Row[] = [
  // overdue: 60 > 2 × 20
  { customer_id: 'a', p_alive: 0.4, days_since_last_order: 60, expected_days_to_next_purchase: 20, risk_band: 'at_risk' },
  // not overdue: 40 > 2 × 20 fails
  { customer_id: 'b', p_alive: 0.9, days_since_last_order: 40, expected_days_to_next_purchase: 20, risk_band: 'active' },
  // never overdue without an expected interval
  { customer_id: 'c', p_alive: null, days_since_last_order: 180, expected_days_to_next_purchase: null, risk_band: 'unknown' },
  { customer_id: 'd', p_alive: 0.2, days_since_last_order: 179, expected_days_to_next_purchase: 100, risk_band: 'likely_lost' },
];

const SIGNAL_ORDERS: Row[] = [
  order('a1', 'a', '2024-03-01', 100), // earlier window
  order('a2', 'a', '2024-05-01', 40), // recent: 40 < 50% of 100 → declining_spend
  order('b1', 'b', '2024-04-01', 100), // last day of the earlier window
  order('b2', 'b', '2024-04-02', 50), // first day of the recent one: 50 < 50 fails
  order('c1', 'c', '2024-01-02', 80), // 180 days before: in neither window → earlier = 0, no signal
  order('d1', 'd', '2024-01-03', 80), // first day of the earlier window; recent 0 < 40 → declining_spend
  { ...order('d2', 'd', '2024-06-01', 500), status: 'cancelled' }, // not a completed order
];

const TICKETS: Row[] = [
  { ticket_id: 't1', customer_id: 'a', opened_at: '2024-04-02 09:00:00', is_complaint: true }, // first day in
  { ticket_id: 't2', customer_id: 'a', opened_at: '2024-06-30 23:00:00', is_complaint: true }, // as-of day → a: 2 → repeat_complaints
  { ticket_id: 't3', customer_id: 'b', opened_at: '2024-04-01 12:00:00', is_complaint: true }, // a day too early
  { ticket_id: 't4', customer_id: 'b', opened_at: '2024-05-01 12:00:00', is_complaint: true },
  { ticket_id: 't5', customer_id: 'b', opened_at: '2024-05-02 12:00:00', is_complaint: false }, // a question, not a complaint → b: 1
  { ticket_id: 't6', customer_id: 'd', opened_at: '2024-06-10 12:00:00', is_complaint: true },
  { ticket_id: 't7', customer_id: 'd', opened_at: '2024-07-01 12:00:00', is_complaint: true }, // after the as-of date → d: 1
];

const ANSWERS: Row[] = [
  { response_id: 'r1', customer_id: 'a', survey: 'nps', score: 9, responded_at: '2024-01-01 10:00:00' },
  { response_id: 'r2', customer_id: 'a', survey: 'nps', score: 5, responded_at: '2024-06-01 10:00:00' }, // a's latest by the as-of date → detractor
  { response_id: 'r3', customer_id: 'a', survey: 'nps', score: 10, responded_at: '2024-07-05 10:00:00' }, // after the as-of date
  { response_id: 'r4', customer_id: 'b', survey: 'nps', score: 3, responded_at: '2024-02-01 10:00:00' },
  { response_id: 'r5', customer_id: 'b', survey: 'nps', score: 10, responded_at: '2024-03-01 10:00:00' }, // b's latest: a promoter
  { response_id: 'r6', customer_id: 'c', survey: 'nps', score: 6, responded_at: '2023-07-02 10:00:00' }, // first day of the 365 → detractor
  { response_id: 'r7', customer_id: 'd', survey: 'nps', score: 6, responded_at: '2023-07-01 10:00:00' }, // a day too old
  { response_id: 'r8', customer_id: 'd', survey: 'csat', score: 1, responded_at: '2024-06-01 10:00:00' }, // not an nps answer
];

describe('churn_risk v2', () => {
  it('lists each signal that holds, alphabetically, and keeps v1 columns as they are (SIGNALS)', async () => {
    const table = await buildTable('churn_risk_v2', {
      asOf: SIGNALS_AS_OF,
      staging: { orders: SIGNAL_ORDERS, support_tickets: TICKETS, survey_responses: ANSWERS },
      tables: { churn_risk_v1: CHURN_V1 },
    });
    expect(failingTests(table)).toEqual([]);
    expectRows(
      table.rows,
      [
        { ...CHURN_V1[0], days_since_last_order: '60', signals: 'declining_spend,detractor,overdue,repeat_complaints' },
        { ...CHURN_V1[1], days_since_last_order: '40', signals: '' },
        { ...CHURN_V1[2], days_since_last_order: '180', signals: 'detractor' },
        { ...CHURN_V1[3], days_since_last_order: '179', signals: 'declining_spend' },
      ],
      ['customer_id'],
    );
  });

  it('never fires the complaint and detractor signals without those exports', async () => {
    const table = await buildTable('churn_risk_v2', {
      asOf: SIGNALS_AS_OF,
      staging: { orders: SIGNAL_ORDERS },
      tables: { churn_risk_v1: CHURN_V1 },
    });
    expect(table.rows.map((r) => [r.customer_id, r.signals])).toEqual([
      ['a', 'declining_spend,overdue'],
      ['b', ''],
      ['c', ''],
      ['d', 'declining_spend'],
    ]);
  });
});
