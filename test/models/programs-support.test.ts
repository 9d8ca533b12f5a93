/**
 * Independent tests of program_participation_monthly and support_monthly against docs/metrics.md
 * ("Additions (second release)": Programs, Complaints). Every expected value is a hand
 * calculation from the spec written next to it — none was copied from a run.
 *
 *   PROGRAMS  memberships of two programs (gold club, refer-a-friend) + completed orders, as-of 2024-03-15
 *   TICKETS   support tickets + completed orders, as-of 2024-03-15
 *   WINDOW    complaints 89 and 90 days before the as-of date (the 90-day window of repeat_complainers)
 */
import { describe, expect, it } from 'vitest';
import { expectRows, money, type Row } from '../helpers/expect-rows.js';
import { buildTable, failingTests, type BuiltTable } from '../helpers/model-harness.js';

const order = (order_id: string, customer_id: string, ordered_at: string, amount: number): Row => ({
  order_id,
  customer_id,
  ordered_at,
  amount,
  status: 'completed',
});

// ---------------------------------------------------------------------------
// program_participation_monthly
// ---------------------------------------------------------------------------

const PROGRAMS_AS_OF = '2024-03-15'; // March partial: l(Jan) = 01-31, l(Feb) = 02-29, l(Mar) = 03-15

const MEMBERSHIPS: Row[] = [
  { membership_id: 'm1', customer_id: 'c1', program: 'gold club', program_type: 'loyalty', joined_at: '2024-01-10 08:00:00' },
  // c1 is in two programs: counted in each
  { membership_id: 'm2', customer_id: 'c1', program: 'refer-a-friend', program_type: 'referral', joined_at: '2024-02-05 00:00:00' },
  // c2 joins and leaves in February: a new member and a leaver of February, never a member on a month's l
  { membership_id: 'm3', customer_id: 'c2', program: 'gold club', program_type: 'loyalty', joined_at: '2024-02-03 00:00:00', left_at: '2024-02-20 00:00:00' },
  // c3 joins on Jan 31 (a member on l = 01-31) and leaves on Feb 29 (not a member on l = 02-29: left date > d fails)
  { membership_id: 'm4', customer_id: 'c3', program: 'gold club', program_type: 'loyalty', joined_at: '2024-01-31 23:00:00', left_at: '2024-02-29 12:00:00' },
  // the default type: refer-a-friend has one referral and one other membership, a tie: the alphabetically first, other
  { membership_id: 'm5', customer_id: 'c4', program: 'refer-a-friend', joined_at: '2024-03-10 00:00:00' },
  // joined after the as-of date: not counted
  { membership_id: 'm6', customer_id: 'c5', program: 'gold club', program_type: 'loyalty', joined_at: '2024-03-20 00:00:00' },
];

const PROGRAM_ORDERS: Row[] = [
  order('o1', 'c1', '2024-01-15', 20),
  order('o2', 'c1', '2024-02-15', 30),
  order('o3', 'c2', '2024-02-04', 10),
  order('o4', 'c5', '2024-01-20', 15),
  order('o5', 'c5', '2024-03-02', 25),
  order('o6', 'c3', '2024-03-05', 40), // after c3 left gold club
  { ...order('o7', 'c4', '2024-03-11', 99), status: 'cancelled' }, // counts nowhere: c4 has no completed order
];

/** Rows with the member columns of a month without any orders. */
const noOrders = { participation_rate: null, member_repeat_purchase_rate_12m: null, non_member_repeat_purchase_rate_12m: null, member_avg_order_value_12m: null, non_member_avg_order_value_12m: null };

describe('program_participation_monthly', () => {
  it('counts members, joins and leaves per program, and compares members with non-members (PROGRAMS)', async () => {
    const table: BuiltTable = await buildTable('program_participation_monthly_v1', {
      asOf: PROGRAMS_AS_OF,
      staging: { program_memberships: MEMBERSHIPS, orders: PROGRAM_ORDERS },
    });
    expect(failingTests(table)).toEqual([]);
    // customers_12m sets (T = the 12 months ending with m), with their completed orders in T:
    //   Jan: c1 {20}, c5 {15}                                      → 2 customers
    //   Feb: c1 {20, 30}, c2 {10}, c5 {15}                         → 3
    //   Mar: c1 {20, 30}, c2 {10}, c5 {15, 25}, c3 {40}            → 4
    expectRows(
      table.rows,
      [
        {
          month: '2024-01-01',
          program: 'gold club',
          program_type: 'loyalty', // m1, m3, m4 (m6 not counted)
          members_end: '2', // on 01-31: c1 (joined 01-10), c3 (joined 01-31)
          new_members: '2', // c1, c3
          left_members: '0',
          participation_rate: 1 / 2, // members in the set: c1 (c3 has no orders) / 2
          member_repeat_purchase_rate_12m: 0, // c1: 1 order → 0 / 1
          non_member_repeat_purchase_rate_12m: 0, // c5: 1 order → 0 / 1
          member_avg_order_value_12m: money(20), // c1: 20 / 1
          non_member_avg_order_value_12m: money(15), // c5: 15 / 1
          is_partial_period: false,
        },
        {
          month: '2024-02-01',
          program: 'gold club',
          program_type: 'loyalty',
          members_end: '1', // on 02-29: c1; c2 left 02-20, c3 left 02-29 (not > 02-29)
          new_members: '1', // c2 (joined 02-03)
          left_members: '2', // c2 (02-20), c3 (02-29)
          participation_rate: 1 / 3, // c1 / {c1, c2, c5}
          member_repeat_purchase_rate_12m: 1, // c1: 2 orders → 1 / 1
          non_member_repeat_purchase_rate_12m: 0, // c2: 1, c5: 1 → 0 / 2
          member_avg_order_value_12m: money(25), // (20 + 30) / 2
          non_member_avg_order_value_12m: money(12.5), // (10 + 15) / 2
          is_partial_period: false,
        },
        {
          month: '2024-03-01',
          program: 'gold club',
          program_type: 'loyalty',
          members_end: '1', // on 03-15: c1 (c5 joins 03-20, after the as-of date)
          new_members: '0', // m6 joined after the as-of date
          left_members: '0',
          participation_rate: 1 / 4, // c1 / {c1, c2, c3, c5}
          member_repeat_purchase_rate_12m: 1, // c1: 2 orders
          non_member_repeat_purchase_rate_12m: 1 / 3, // c2: 1, c3: 1, c5: 2 → 1 / 3
          member_avg_order_value_12m: money(25), // (20 + 30) / 2
          non_member_avg_order_value_12m: money(22.5), // (10 + 40 + 15 + 25) / 4 = 90 / 4
          is_partial_period: true,
        },
        {
          month: '2024-02-01', // refer-a-friend starts with its first membership (m2, 02-05)
          program: 'refer-a-friend',
          program_type: 'other', // referral 1, other 1 (m5's default): tie → alphabetical first
          members_end: '1', // on 02-29: c1
          new_members: '1', // c1
          left_members: '0',
          participation_rate: 1 / 3, // c1 / {c1, c2, c5}
          member_repeat_purchase_rate_12m: 1, // c1: 2 orders
          non_member_repeat_purchase_rate_12m: 0, // c2: 1, c5: 1
          member_avg_order_value_12m: money(25),
          non_member_avg_order_value_12m: money(12.5),
          is_partial_period: false,
        },
        {
          month: '2024-03-01',
          program: 'refer-a-friend',
          program_type: 'other',
          members_end: '2', // on 03-15: c1, c4 (joined 03-10)
          new_members: '1', // c4
          left_members: '0',
          participation_rate: 1 / 4, // c1 only: c4's only order was cancelled → 1 / 4
          member_repeat_purchase_rate_12m: 1, // c1 (c4 is not in the set)
          non_member_repeat_purchase_rate_12m: 1 / 3, // c2: 1, c3: 1, c5: 2
          member_avg_order_value_12m: money(25),
          non_member_avg_order_value_12m: money(22.5),
          is_partial_period: true,
        },
      ].sort((a, b) => `${a.month}|${a.program}`.localeCompare(`${b.month}|${b.program}`)),
      ['month', 'program'],
    );
  });

  it('counts members without any orders, with NULL rates and averages (participation with no orders)', async () => {
    const table = await buildTable('program_participation_monthly_v1', { asOf: PROGRAMS_AS_OF, staging: { program_memberships: MEMBERSHIPS } });
    expect(failingTests(table)).toEqual([]);
    expectRows(
      table.rows,
      [
        { month: '2024-01-01', program: 'gold club', program_type: 'loyalty', members_end: '2', new_members: '2', left_members: '0', ...noOrders, is_partial_period: false },
        { month: '2024-02-01', program: 'gold club', program_type: 'loyalty', members_end: '1', new_members: '1', left_members: '2', ...noOrders, is_partial_period: false },
        { month: '2024-02-01', program: 'refer-a-friend', program_type: 'other', members_end: '1', new_members: '1', left_members: '0', ...noOrders, is_partial_period: false },
        { month: '2024-03-01', program: 'gold club', program_type: 'loyalty', members_end: '1', new_members: '0', left_members: '0', ...noOrders, is_partial_period: true },
        { month: '2024-03-01', program: 'refer-a-friend', program_type: 'other', members_end: '2', new_members: '1', left_members: '0', ...noOrders, is_partial_period: true },
      ],
      ['month', 'program'],
    );
    expect(table.types).toMatchObject({ participation_rate: 'DOUBLE', member_avg_order_value_12m: 'DECIMAL(18,2)', members_end: 'BIGINT' });
  });
});

// ---------------------------------------------------------------------------
// support_monthly
// ---------------------------------------------------------------------------

const TICKETS_AS_OF = '2024-03-15';

const TICKETS: Row[] = [
  { ticket_id: 't1', customer_id: 'c1', opened_at: '2024-01-20 10:00:00', is_complaint: true, resolved_at: '2024-01-20 14:00:00' }, // 4 h
  { ticket_id: 't9', customer_id: 'c9', opened_at: '2024-01-25 00:00:00', is_complaint: false, resolved_at: '2024-01-25 07:00:00' }, // 7 h
  // c2 complains on Jan 31 and Feb 1: a repeat complainer across the month boundary
  { ticket_id: 't3', customer_id: 'c2', opened_at: '2024-01-31 23:00:00', is_complaint: true }, // unresolved
  { ticket_id: 't4', customer_id: 'c2', opened_at: '2024-02-01 01:00:00', is_complaint: true, resolved_at: '2024-02-01 03:00:00' }, // 2 h
  { ticket_id: 't2', customer_id: 'c1', opened_at: '2024-02-10 09:00:00', is_complaint: true, resolved_at: '2024-02-11 09:00:00' }, // 24 h
  { ticket_id: 't5', customer_id: 'c3', opened_at: '2024-02-15 00:00:00', is_complaint: false, resolved_at: '2024-02-15 10:00:00' }, // 10 h
  // a complaint without a customer; resolved after the as-of date: unresolved as of the run
  { ticket_id: 't6', opened_at: '2024-02-20 00:00:00', is_complaint: true, resolved_at: '2024-03-20 00:00:00' },
  { ticket_id: 't7', customer_id: 'c4', opened_at: '2024-03-05 00:00:00', is_complaint: true }, // unresolved
  { ticket_id: 't8', customer_id: 'c1', opened_at: '2024-03-16 00:00:00', is_complaint: true }, // after the as-of date: not counted
];

const TICKET_ORDERS: Row[] = [
  order('o1', 'c1', '2024-01-05', 10),
  order('o2', 'c9', '2024-01-06', 10), // Jan active: c1, c9
  order('o3', 'c2', '2024-02-02', 10), // Feb active: c2
  { ...order('o4', 'c1', '2024-03-03', 10), status: 'refunded' }, // Mar: no completed order → no active customers
];

describe('support_monthly', () => {
  it('counts tickets, complaints, repeat complainers across a month boundary, the complaint rate and median resolution (TICKETS)', async () => {
    const table = await buildTable('support_monthly_v1', { asOf: TICKETS_AS_OF, staging: { support_tickets: TICKETS, orders: TICKET_ORDERS } });
    expect(failingTests(table)).toEqual([]);
    expectRows(
      table.rows,
      [
        {
          month: '2024-01-01',
          tickets: '3', // t1, t9, t3
          complaints: '2', // t1, t3
          complaining_customers: '2', // c1, c2
          repeat_complainers: '0', // 90 days ending 01-31 (11-03..01-31): c1 1, c2 1
          complaint_rate: 2 / 2, // {c1, c2} / active {c1, c9}
          median_resolution_hours: 5.5, // resolved by the as-of date: t1 4 h, t9 7 h (t3 open) → (4 + 7) / 2
          is_partial_period: false,
        },
        {
          month: '2024-02-01',
          tickets: '4', // t4, t2, t5, t6
          complaints: '3', // t4, t2, t6
          complaining_customers: '2', // c2, c1 (t6 has no customer)
          repeat_complainers: '2', // 90 days ending 02-29 (12-02..02-29): c1 t1 + t2, c2 t3 + t4
          complaint_rate: 2 / 1, // {c1, c2} / active {c2}: complaining customers need not have ordered
          median_resolution_hours: 10, // t4 2 h, t5 10 h, t2 24 h (t6 resolved after the as-of date) → 10
          is_partial_period: false,
        },
        {
          month: '2024-03-01',
          tickets: '1', // t7 (t8 is after the as-of date)
          complaints: '1',
          complaining_customers: '1', // c4
          repeat_complainers: '2', // 90 days ending 03-15 (12-17..03-15): c1 t1 + t2 (t8 not counted), c2 t3 + t4; c4 1
          complaint_rate: null, // no active customers in March (o4 refunded)
          median_resolution_hours: null, // t7 unresolved
          is_partial_period: true,
        },
      ],
      ['month'],
    );
  });

  it('gives a NULL complaint rate without orders, and every other column as with them', async () => {
    const table = await buildTable('support_monthly_v1', { asOf: TICKETS_AS_OF, staging: { support_tickets: TICKETS } });
    expect(failingTests(table)).toEqual([]);
    expect(table.rows.map((r) => [r.month, r.tickets, r.complaints, r.complaining_customers, r.repeat_complainers, r.complaint_rate, r.median_resolution_hours])).toEqual([
      ['2024-01-01', '3', '2', '2', '0', null, 5.5],
      ['2024-02-01', '4', '3', '2', '2', null, 10],
      ['2024-03-01', '1', '1', '1', '2', null, null],
    ]);
  });

  it('counts a complaint 89 days before l in the 90-day window and one 90 days before it not (WINDOW)', async () => {
    // as-of 2024-03-31 = l of March; the window is 2024-01-02..2024-03-31 (03-31 − 89 days = 01-02)
    const table = await buildTable('support_monthly_v1', {
      asOf: '2024-03-31',
      staging: {
        support_tickets: [
          { ticket_id: 'a1', customer_id: 'c5', opened_at: '2024-01-01 12:00:00' }, // 90 days before: out in March
          { ticket_id: 'a2', customer_id: 'c5', opened_at: '2024-03-31 08:00:00' },
          { ticket_id: 'b1', customer_id: 'c6', opened_at: '2024-01-02 00:00:00' }, // 89 days before: in
          { ticket_id: 'b2', customer_id: 'c6', opened_at: '2024-03-31 23:59:59' },
          { ticket_id: 'n1', customer_id: 'c7', opened_at: '2024-02-10 00:00:00', is_complaint: false }, // not complaints
          { ticket_id: 'n2', customer_id: 'c7', opened_at: '2024-02-11 00:00:00', is_complaint: false },
        ],
      },
    });
    // is_complaint left out: staged as the contract default, true
    expect(table.rows.map((r) => [r.month, r.tickets, r.complaints, r.repeat_complainers, r.is_partial_period])).toEqual([
      ['2024-01-01', '2', '2', '0', false], // a1, b1: one each
      ['2024-02-01', '2', '0', '0', false], // c7's tickets are no complaints; a1, b1 still one each
      ['2024-03-01', '2', '2', '1', false], // c6: b1 + b2; c5: a2 only (a1 is 90 days before 03-31)
    ]);
  });
});
