import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBSession, sqlString } from '../src/core/duckdb.js';
import { LakeKeys } from '../src/core/lake/lake-layout.js';

const ROWS_PER_FILE = 1_000_000;

/**
 * Writes N synthetic orders (≈ N/5 customers, three years, 3% refunded, 2% cancelled,
 * 2% partly refunded) as CSV files of at most a million rows into the lake's inbox.
 * Deterministic: values come from hash(row, column), not a random generator.
 */
export async function generateOrders(lakeDir: string, orders: number): Promise<string[]> {
  const customers = Math.max(1, Math.floor(orders / 5));
  const db = await DuckDBSession.open({ workDir: join(lakeDir, '..', 'generate-scratch') });
  const files: string[] = [];
  try {
    mkdirSync(join(lakeDir, LakeKeys.inboxFolder('orders')), { recursive: true });
    mkdirSync(join(lakeDir, LakeKeys.inboxFolder('customers')), { recursive: true });
    const customersFile = join(lakeDir, LakeKeys.inboxFile('customers', 'customers.csv'));
    await db.run(`
      copy (
          select 'c' || i as customer_id,
                 strftime(date '2023-01-01' + cast(hash(i, 'created') % 1000 as integer), '%Y-%m-%d') as created_at,
                 ['organic', 'paid_search', 'social', 'email', 'referral'][1 + cast(hash(i, 'channel') % 5 as integer)] as acquisition_channel,
                 case when hash(i, 'referred') % 10 = 0 then 'c' || (hash(i, 'referrer') % ${customers}) end as referred_by
          from range(${customers}) as t(i)
      ) to ${sqlString(customersFile)} (header true)`);
    files.push(customersFile);
    for (let start = 0, part = 1; start < orders; start += ROWS_PER_FILE, part++) {
      const end = Math.min(orders, start + ROWS_PER_FILE);
      const file = join(lakeDir, LakeKeys.inboxFile('orders', `orders-part-${String(part).padStart(3, '0')}.csv`));
      await db.run(`
        copy (
            select
                'o' || i as order_id,
                'c' || (hash(i, 'customer') % ${customers}) as customer_id,
                strftime(timestamp '2023-11-01' + to_seconds(cast(hash(i, 'time') % (3 * 365 * 86400) as bigint)), '%Y-%m-%dT%H:%M:%SZ') as ordered_at,
                amount,
                case when kind < 3 then amount when kind < 5 then round(amount / 3, 2) else 0 end as refunded_amount,
                'EUR' as currency,
                case when kind < 3 then 'refunded' when kind < 7 and kind >= 5 then 'cancelled' else 'completed' end as status
            from (
                select i, round(5 + (hash(i, 'amount') % 20000) / 100.0, 2) as amount, hash(i, 'kind') % 100 as kind
                from range(${start}, ${end}) as t(i)
            )
        ) to ${sqlString(file)} (header true)`);
      files.push(file);
    }
  } finally {
    db.closeSync();
  }
  return files;
}
