import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csv, query, readParquet, run, tempLake } from '../helpers/temp-lake.js';

describe('money range: sums over accepted amounts cannot overflow', () => {
  it('rejects amounts over 1,000,000,000.00 with the reason, and builds every model from the rest', async () => {
    // Prepare: two maximal DECIMAL(18,2) values summed overflowed customer_summary's revenue.
    const { dir, lake, put } = tempLake();
    put(
      'inbox/orders/orders.csv',
      csv(
        'order_id,customer_id,ordered_at,amount,refunded_amount',
        'o1,c1,2024-01-05,9999999999999999.99,0',
        'o2,c1,2024-01-06,9999999999999999.99,0',
        'o3,c1,2024-01-07,1000000000.00,1000000000.00', // the largest accepted, refunded in full
        'o4,c1,2024-01-08,1000000000.01,0',
        'o5,c1,2024-01-09,10,1000000000.01',
        'o6,c2,2024-01-10,1000000000,0',
      ),
    );
    put('inbox/subscriptions/s.csv', csv('subscription_id,customer_id,mrr,started_at', 's1,c1,1000000000.01,2024-01-01', 's2,c1,1000000000,2024-01-01'));
    put('inbox/retention_costs/r.csv', csv('month,amount', '2024-01,1000000000.01', '2024-01,1000000000'));

    // Act
    const manifest = await run(lake);

    // Assess
    expect(manifest.error).toBeUndefined();
    const orders = manifest.ingest.files.find((f) => f.dataset === 'orders')!;
    const rejects = await readParquet(dir, orders.rejects_key!, '_source_line');
    expect(rejects.map((r) => `${r._source_line}: ${r._reject_reason}`)).toEqual([
      "2: amount must be ≤ 1000000000, got 9999999999999999.99",
      "3: amount must be ≤ 1000000000, got 9999999999999999.99",
      "5: amount must be ≤ 1000000000, got 1000000000.01",
      "6: refunded_amount must be ≤ 1000000000, got 1000000000.01; refunded_amount is greater than amount",
    ]);
    expect(manifest.ingest).toMatchObject({ rows_loaded: 2 + 1 + 1, rows_rejected: 4 + 1 + 1 });
    // o6 is the one completed order left: 1,000,000,000.00 (o3 is refunded in full, net 0)
    const summary = await readParquet(dir, 'metrics/customer_summary/v1/data.parquet', 'customer_id');
    expect(summary.map((r) => [r.customer_id, String(r.revenue)])).toEqual([
      ['c1', '0.00'],
      ['c2', '1000000000.00'],
    ]);
  });
});

describe('money range: rows an older version staged', () => {
  it('leaves staged amounts out of range out of the models, naming their file, so the next run repairs the lake', async () => {
    // Prepare: the staging file an older version wrote for two maximal DECIMAL(18,2) orders
    const { dir, lake, put } = tempLake();
    put('inbox/orders/new.csv', csv('order_id,customer_id,ordered_at,amount', 'o3,c2,2024-01-07,10'));
    const staging = 'staging/orders/old.csv@0123456789ab.parquet';
    put(staging, '');
    await query(`copy (
        select * from (values ('o1', 2), ('o2', 3)) as t(order_id, _source_line)
        cross join (select 'c1' as customer_id, timestamp '2024-01-05' as ordered_at, 9999999999999999.99::decimal(18,2) as amount,
            0::decimal(18,2) as refunded_amount, null::varchar as currency, 'completed' as status,
            'inbox/orders/old.csv' as _source_key, timestamp '2024-01-06' as _landed_at)
    ) to '${join(dir, staging)}' (format parquet)`);

    // Act
    const manifest = await run(lake);

    // Assess: before, customer_summary's sum overflowed on every run
    expect(manifest.error).toBeUndefined();
    expect(manifest.out_of_range_left_out).toEqual({ rows: 2, staging_files: [staging] });
    const summary = await readParquet(dir, 'metrics/customer_summary/v1/data.parquet', 'customer_id');
    expect(summary.map((r) => r.customer_id)).toEqual(['c2']);
  });
});
