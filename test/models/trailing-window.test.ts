import { beforeAll, describe, expect, it } from 'vitest';
import { expectRows, type Row } from '../helpers/expect-rows.js';
import { buildTable, buildTables, failingTests, stagedOrder, type BuiltTable } from '../helpers/model-harness.js';
import { seededUniform } from '../helpers/random.js';

const monthIndex = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;

// The trailing window T of month m is the 12 months ending with m (docs/metrics.md, loyalty_kpis_monthly).
describe('int_trailing_12m_customers', () => {
  // x: one order in 2023-01 and one in 2024-01, exactly 12 months apart: always in T, never twice in one T
  //    (T of 2024-01 is 2023-02..2024-01);
  // y: 2023-03 and 2023-12 → in T from 2023-03 on (to 2024-11); both orders in T for m in 2023-12..2024-02
  //    (T of 2024-03 = 2023-04..2024-03 loses 2023-03);
  // z: two orders in 2023-06 → in T and a repeat customer for 2023-06..2024-05;
  // w: only a cancelled order → nowhere. As-of 2024-06-15: months 2023-01..2024-06.
  let built: BuiltTable;
  beforeAll(async () => {
    built = await buildTable('int_trailing_12m_customers_v1', {
      asOf: '2024-06-15',
      staging: {
        orders: [
          stagedOrder('x1', 'x', '2023-01-10'),
          stagedOrder('x2', 'x', '2024-01-10'),
          stagedOrder('y1', 'y', '2023-03-31 23:00:00'),
          stagedOrder('y2', 'y', '2023-12-01'),
          stagedOrder('z1', 'z', '2023-06-01'),
          stagedOrder('z2', 'z', '2023-06-30'),
          stagedOrder('w1', 'w', '2023-08-01', 'cancelled'),
        ],
      },
    });
  });

  it('counts customers and repeat customers of each trailing window', () => {
    expect(failingTests(built)).toEqual([]);
    const month = (month: string, customers: number, repeat: number): Row => ({
      month,
      customers_12m: String(customers),
      repeat_customers_12m: String(repeat),
    });
    expectRows(
      built.rows,
      [
        month('2023-01-01', 1, 0), // x
        month('2023-02-01', 1, 0),
        month('2023-03-01', 2, 0), // x, y
        month('2023-04-01', 2, 0),
        month('2023-05-01', 2, 0),
        month('2023-06-01', 3, 1), // x, y, z; z twice
        month('2023-07-01', 3, 1),
        month('2023-08-01', 3, 1), // w's order is cancelled
        month('2023-09-01', 3, 1),
        month('2023-10-01', 3, 1),
        month('2023-11-01', 3, 1),
        month('2023-12-01', 3, 2), // y's 2023-03 and 2023-12 in T; z
        month('2024-01-01', 3, 2), // x's 2023-01 left T as its 2024-01 came in: x once
        month('2024-02-01', 3, 2),
        month('2024-03-01', 3, 1), // y's 2023-03 left T
        month('2024-04-01', 3, 1),
        month('2024-05-01', 3, 1), // last month of z's 2023-06 in T
        month('2024-06-01', 2, 0), // x, y
      ],
      ['month'],
    );
  });
});

describe('loyalty_kpis_monthly trailing 12 months', () => {
  it('counts customers and repeat customers exactly as a direct count over the window does', async () => {
    // Prepare: 400 customers, orders spread over 2022–2024 with gaps long and short
    const random = seededUniform(7);
    const orders: { id: string; customer: string; date: string; status: string }[] = [];
    for (let c = 0; c < 400; c++) {
      let day = Math.floor(random() * 900);
      while (day < 1095) {
        const date = new Date(Date.UTC(2022, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
        const status = random() < 0.1 ? 'cancelled' : 'completed';
        orders.push({ id: `o${orders.length}`, customer: `c${c}`, date, status });
        if (random() < 0.3) break;
        day += Math.floor(random() < 0.3 ? random() * 20 : random() * 400);
      }
    }

    // Act
    const built = await buildTables(['int_trailing_12m_customers_v1', 'loyalty_kpis_monthly_v1'], {
      asOf: '2024-12-31',
      staging: { orders: orders.map((o) => ({ order_id: o.id, customer_id: o.customer, ordered_at: o.date, amount: 10, status: o.status })) },
    });
    const trailing = built.int_trailing_12m_customers_v1!;
    const kpis = built.loyalty_kpis_monthly_v1!;

    // Assess: the spec's definition, counted directly — completed orders in the 12 months ending with m
    expect(failingTests(trailing)).toEqual([]);
    expect(failingTests(kpis)).toEqual([]);
    const completed = orders.filter((o) => o.status === 'completed');
    for (const [i, row] of kpis.rows.entries()) {
      const m = monthIndex(String(row.month));
      const perCustomer = new Map<string, number>();
      for (const o of completed) {
        if (monthIndex(o.date) > m - 12 && monthIndex(o.date) <= m) perCustomer.set(o.customer, (perCustomer.get(o.customer) ?? 0) + 1);
      }
      const repeat = [...perCustomer.values()].filter((n) => n >= 2).length;
      expect([row.month, Number(row.customers_12m), Number(row.orders_12m)]).toEqual([
        row.month,
        perCustomer.size,
        [...perCustomer.values()].reduce((a, b) => a + b, 0),
      ]);
      expect(row.repeat_purchase_rate_12m).toBeCloseTo(perCustomer.size ? repeat / perCustomer.size : Number.NaN, 12);
      expect(trailing.rows[i]).toEqual({ month: row.month, customers_12m: String(perCustomer.size), repeat_customers_12m: String(repeat) });
    }
    expect(kpis.rows.length).toBe(36);
    expect(trailing.rows.length).toBe(36);
  });
});
