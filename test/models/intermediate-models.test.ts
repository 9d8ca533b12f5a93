/**
 * The intermediate models every monthly and cohort model shares: the month spine (int_months)
 * and each customer's first completed order (int_customer_first_orders). Expected values are
 * hand calculations from docs/metrics.md, "Conventions" and "Orders-based definitions".
 */
import { describe, expect, it } from 'vitest';
import { expectRows, type Row } from '../helpers/expect-rows.js';
import { buildTable, buildTables, failingTests, stagedOrder } from '../helpers/model-harness.js';

describe('int_months', () => {
  it('runs from the first month of any dated input to the as-of month, the as-of month partial and cut at the as-of date', async () => {
    // Prepare: the earliest dated row is a retention cost of 2023-10; an event on 2023-11-30, an order on
    // 2023-12-15 and a subscription starting after the as-of date change nothing. As-of 2024-02-10 (2024 is a leap year).
    const built = await buildTable('int_months_v1', {
      asOf: '2024-02-10',
      staging: {
        orders: [stagedOrder('o1', 'c1', '2023-12-15 10:00:00')],
        events: [{ customer_id: 'c1', event_name: 'login', occurred_at: '2023-11-30 23:00:00' }],
        subscriptions: [{ subscription_id: 's1', customer_id: 'c1', mrr: 5, started_at: '2024-05-01' }],
        retention_costs: [{ month: '2023-10-01', amount: 1 }],
      },
    });

    // Assess
    expect(failingTests(built)).toEqual([]);
    const month = (month: string, lastDayCounted: string, daysCounted: number, isPartial: boolean): Row => ({
      month,
      last_day_counted: lastDayCounted,
      days_counted: String(daysCounted),
      is_partial_period: isPartial,
    });
    expectRows(
      built.rows,
      [
        month('2023-10-01', '2023-10-31', 31, false),
        month('2023-11-01', '2023-11-30', 30, false),
        month('2023-12-01', '2023-12-31', 31, false),
        month('2024-01-01', '2024-01-31', 31, false),
        month('2024-02-01', '2024-02-10', 10, true), // 02-10 is not February's last day (29)
      ],
      ['month'],
    );
  });

  it.each([
    ['2024-02-29', '2024-02-01', 29], // the last day of a leap February
    ['2023-02-28', '2023-02-01', 28],
    ['2024-12-31', '2024-12-01', 31],
  ])('leaves the as-of month whole when the as-of date %s is its last day', async (asOf, month, days) => {
    const built = await buildTable('int_months_v1', { asOf, staging: { orders: [stagedOrder('o1', 'c1', `${month} 12:00:00`)] } });
    expect(built.rows).toEqual([{ month, last_day_counted: asOf, days_counted: String(days), is_partial_period: false }]);
  });

  it('is empty when every dated row is after the as-of month', async () => {
    const built = await buildTable('int_months_v1', { asOf: '2024-01-31', staging: { orders: [stagedOrder('o1', 'c1', '2024-02-01')] } });
    expect(built.rows).toEqual([]);
  });
});

describe('int_customer_first_orders', () => {
  it('takes the first completed order on or before the as-of date', async () => {
    // Prepare: c1's first order is cancelled, its first completed one is 2024-01-31 23:30 UTC (January);
    // c2 has two orders at the same time; c3 only a refunded order; c4 orders only after the as-of date.
    const built = await buildTable('int_customer_first_orders_v1', {
      asOf: '2024-03-31',
      staging: {
        orders: [
          stagedOrder('a0', 'c1', '2024-01-20 10:00:00', 'cancelled'),
          stagedOrder('a1', 'c1', '2024-01-31 23:30:00'),
          stagedOrder('a2', 'c1', '2024-02-01 00:10:00'),
          stagedOrder('b1', 'c2', '2024-03-05 08:00:00'),
          stagedOrder('b2', 'c2', '2024-03-05 08:00:00'),
          stagedOrder('d1', 'c3', '2024-02-10', 'refunded'),
          stagedOrder('e1', 'c4', '2024-04-01'),
        ],
      },
    });

    // Assess
    expect(failingTests(built)).toEqual([]);
    expect(built.rows).toEqual([
      { customer_id: 'c1', first_order_at: '2024-01-31 23:30:00', first_order_date: '2024-01-31', cohort_month: '2024-01-01' },
      { customer_id: 'c2', first_order_at: '2024-03-05 08:00:00', first_order_date: '2024-03-05', cohort_month: '2024-03-01' },
    ]);
  });

  it('gives every model the same new customers per month', async () => {
    // Prepare: first orders in Jan (n1, n2), Feb (n3), Apr (n4); Mar has repeat orders only. W = 30.
    const tables = ['customer_summary_v1', 'cohort_retention_v1', 'retention_monthly_v1', 'loyalty_kpis_monthly_v1', 'loyalty_scorecard_monthly_v1'];
    const built = await buildTables(tables, {
      asOf: '2024-04-15',
      churnWindowDays: 30,
      staging: {
        orders: [
          stagedOrder('o1', 'n1', '2024-01-03'),
          stagedOrder('o2', 'n2', '2024-01-31 23:59:59'),
          stagedOrder('o3', 'n3', '2024-02-01'),
          stagedOrder('o4', 'n1', '2024-03-10'),
          stagedOrder('o5', 'n4', '2024-04-15'),
        ],
        customers: [{ customer_id: 'n3', created_at: '2024-01-01', referred_by: 'n1' }],
      },
    });

    // Assess: new customers Jan 2, Feb 1, Mar 0, Apr 1 — however each model counts them
    const byMonth = (rows: Row[], month: string, column: string) => rows.filter((r) => r.month === month).map((r) => r[column]);
    const kpis = built.loyalty_kpis_monthly_v1!.rows;
    const retention = built.retention_monthly_v1!.rows;
    const cohortSizes = built.cohort_retention_v1!.rows.filter((r) => r.period_number === '0');
    const cohorts = built.customer_summary_v1!.rows.map((r) => r.cohort_month);
    expect(kpis.map((r) => [r.month, r.new_customers])).toEqual([
      ['2024-01-01', '2'],
      ['2024-02-01', '1'],
      ['2024-03-01', '0'],
      ['2024-04-01', '1'],
    ]);
    expect(retention.map((r) => [r.month, r.new_customers])).toEqual(kpis.slice(1).map((r) => [r.month, r.new_customers]));
    expect(cohortSizes.map((r) => [r.cohort_month, r.cohort_size])).toEqual([
      ['2024-01-01', '2'],
      ['2024-02-01', '1'],
      ['2024-04-01', '1'],
    ]);
    expect(cohorts).toEqual(['2024-01-01', '2024-01-01', '2024-02-01', '2024-04-01']);
    // referral_rate: Feb's one new customer (n3) was referred → 1/1; Jan 0/2; Mar no new customer
    const scorecard = built.loyalty_scorecard_monthly_v1!.rows;
    expect(byMonth(scorecard, '2024-01-01', 'referral_rate')).toEqual([0]);
    expect(byMonth(scorecard, '2024-02-01', 'referral_rate')).toEqual([1]);
    expect(byMonth(scorecard, '2024-03-01', 'referral_rate')).toEqual([null]);
    for (const table of tables) expect(failingTests(built[table]!), table).toEqual([]);
  });
});
