import { describe, expect, it } from 'vitest';
import { csv, readParquet, run, tempLake } from '../helpers/temp-lake.js';
import { seededUniform } from '../helpers/random.js';


const monthIndex = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;

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
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount,status', ...orders.map((o) => `${o.id},${o.customer},${o.date},10,${o.status}`)));

    // Act
    const manifest = await run(lake, { asOf: '2024-12-31' });
    const kpis = await readParquet(dir, 'metrics/loyalty_kpis_monthly/v1/data.parquet', 'month');

    // Assess: the spec's definition, counted directly — completed orders in the 12 months ending with m
    expect(manifest.status).toBe('succeeded');
    const completed = orders.filter((o) => o.status === 'completed');
    for (const row of kpis) {
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
    }
    expect(kpis.length).toBe(36);
  });
});
