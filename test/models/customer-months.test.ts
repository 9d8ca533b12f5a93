/**
 * int_customer_months: one row per customer and active month, with the months in which that active
 * month puts the customer in each customer set the monthly models count (docs/metrics.md,
 * "Orders-based definitions": live on d = a completed order dated in [d − W + 1, d]; retention_monthly's
 * f − 1 and l; loyalty_kpis_monthly's trailing window T = the 12 months ending with m). Every range runs
 * up to, not including, its `_before` month. Expected values are hand calculations, written beside them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRows, type Row } from '../helpers/expect-rows.js';
import { buildTable, failingTests, stagedOrder, type BuiltTable } from '../helpers/model-harness.js';

describe('int_customer_months', () => {
  // As-of 2024-06-15 (June partial), W = 90 days (the default). Every order is 10.00.
  // a: 2024-01-10 and 2024-01-20 (two orders in January), then 2024-04-05.
  // b: 2024-02-10, then 2024-06-01 (more than 90 days later).
  // c: only a cancelled order → no row.
  let built: BuiltTable;
  beforeAll(async () => {
    built = await buildTable('int_customer_months_v1', {
      asOf: '2024-06-15',
      staging: {
        orders: [
          stagedOrder('a1', 'a', '2024-01-10 09:00:00'),
          stagedOrder('a2', 'a', '2024-01-20 18:00:00'),
          stagedOrder('a3', 'a', '2024-04-05'),
          stagedOrder('b1', 'b', '2024-02-10'),
          stagedOrder('b2', 'b', '2024-06-01'),
          stagedOrder('c1', 'c', '2024-03-01', 'cancelled'),
        ],
      },
    });
  });

  it('gives each active month its ranges of months in each customer set', () => {
    expect(failingTests(built)).toEqual([]);
    const row = (values: Row): Row => values;
    expectRows(
      built.rows,
      [
        // a, January: last order 01-20; 01-20 + 90 days = 04-19.
        row({
          customer_id: 'a',
          order_month: '2024-01-01',
          cohort_month: '2024-01-01',
          orders: '2',
          revenue: '20.00',
          // T of Jan 2024 .. Dec 2024 holds January
          in_window_from: '2024-01-01',
          in_window_before: '2025-01-01',
          // two orders in January: a repeat customer from January, until April's row takes over
          repeat_from: '2024-01-01',
          repeat_before: '2024-04-01',
          // live on f − 1 (f − W .. f − 1 holds 01-20) for f = Feb 1, Mar 1, Apr 1 (Apr 1 ≤ 04-19; April's own
          // orders are on or after f); May is April's
          live_start_before: '2024-05-01',
          // live on l (l − 89 .. l holds 01-20) for l = Jan 31, Feb 29, Mar 31; April is April's row
          live_end_before: '2024-04-01',
          is_retained_in_month: false, // no earlier month
        }),
        // a, April: previous active month January (last order 01-20); last order 04-05, + 90 days = 07-04.
        row({
          customer_id: 'a',
          order_month: '2024-04-01',
          cohort_month: '2024-01-01',
          orders: '1',
          revenue: '10.00',
          // T holds April from April on, but January's range already covers up to Dec 2024
          in_window_from: '2025-01-01',
          in_window_before: '2025-04-01',
          // January (previous, within 11 months) and April: two orders in T until T loses January (Jan 2025)
          repeat_from: '2024-04-01',
          repeat_before: '2025-01-01',
          // f = May 1, Jun 1 (≤ 07-04); the as-of month is the last month
          live_start_before: '2024-07-01',
          // l = Apr 30, May 31, and the as-of date 06-15 (≤ 07-04 − 1): every month to the as-of month
          live_end_before: '2024-07-01',
          // Apr 1 ≤ 01-20 + 90 = 04-19 (live on Mar 31 by January's order), and live on Apr 30 by 04-05
          is_retained_in_month: true,
        }),
        // b, February: last order 02-10, + 90 days = 05-10 (2024 is a leap year).
        row({
          customer_id: 'b',
          order_month: '2024-02-01',
          cohort_month: '2024-02-01',
          orders: '1',
          revenue: '10.00',
          in_window_from: '2024-02-01',
          in_window_before: '2025-02-01',
          repeat_from: null, // one order, no earlier month
          repeat_before: null,
          // f = Mar 1, Apr 1, May 1 (≤ 05-10); Jun 1 > 05-10
          live_start_before: '2024-06-01',
          // l = Feb 29, Mar 31, Apr 30 (≤ 05-10 − 1 = 05-09); May 31 is beyond it
          live_end_before: '2024-05-01',
          is_retained_in_month: false,
        }),
        // b, June: previous active month February (last order 02-10); last order 06-01.
        row({
          customer_id: 'b',
          order_month: '2024-06-01',
          cohort_month: '2024-02-01',
          orders: '1',
          revenue: '10.00',
          in_window_from: '2025-02-01', // February's range covers up to Jan 2025
          in_window_before: '2025-06-01',
          // February is within 11 months: two orders in T from June until T loses February (Feb 2025)
          repeat_from: '2024-06-01',
          repeat_before: '2025-02-01',
          // no month after June up to the as-of month: empty (equal to the month after order_month)
          live_start_before: '2024-07-01',
          // l = the as-of date 06-15 (≤ 06-01 + 89 = 08-29)
          live_end_before: '2024-07-01',
          // Jun 1 > 02-10 + 90 = 05-10: not live on May 31
          is_retained_in_month: false,
        }),
      ],
      ['customer_id', 'order_month'],
    );
  });

  it('cuts the live ranges at the window, not at the month, with a short churn window', async () => {
    // W = 10: x = 2024-03-25 (the only order), as-of 2024-05-31. x + 10 = 04-04.
    // Live on f − 1 for f ≤ 04-04: f = Apr 1 → before May. Live on l for l ≤ x + 9 = 04-03: Mar 31 only → before April.
    const short = await buildTable('int_customer_months_v1', {
      asOf: '2024-05-31',
      churnWindowDays: 10,
      staging: { orders: [stagedOrder('d1', 'd', '2024-03-25')] },
    });
    expect(failingTests(short)).toEqual([]);
    expect(short.rows.map((r) => [r.live_start_before, r.live_end_before])).toEqual([['2024-05-01', '2024-04-01']]);
  });
});
