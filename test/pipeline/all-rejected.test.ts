// When every row of a dataset is rejected, the run says so with the most common reasons (issue 11,
// "Guards against silently wrong numbers"), instead of a symptom such as "cannot tell the as-of date".
import { describe, expect, it } from 'vitest';
import { csv, run, tempLake } from '../helpers/temp-lake.js';

/** Four orders, none loadable: two amounts that are no number, one negative amount, one without customer. */
const BAD_ORDERS = csv(
  'order_id,customer_id,ordered_at,amount',
  'o1,c1,2024-01-05,ten',
  'o2,c2,2024-01-06,abc',
  'o3,c3,2024-01-07,-5',
  'o4,,2024-01-08,10',
);

describe('a dataset whose every row is rejected', () => {
  it('fails the run with the rejected rows and their most common reasons, not with a missing as-of date', async () => {
    // Prepare
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', BAD_ORDERS);

    // Act
    const manifest = await run(lake);

    // Assess: reasons grouped without the values they quote ('ten' and 'abc' are one reason), most common first, then
    // alphabetical; -5 breaks two rules (amount ≥ 0, and refunded_amount 0 ≤ amount), and the row counts once, under both
    expect(manifest).toMatchObject({ status: 'failed', published: false });
    expect(manifest.error).toBe(
      'every row of orders was rejected (4 rows in 1 file, see rejects/orders/); most common reasons: ' +
        'amount is not a valid decimal (2 rows), amount must be ≥ 0; refunded_amount is greater than amount (1 row), customer_id is missing (1 row). ' +
        'Nothing is loaded, nothing to build',
    );
    expect(manifest.error).not.toMatch(/as-of/);
    expect(manifest.ingest).toMatchObject({ rows_in: 4, rows_loaded: 0, rows_rejected: 4 });
  });

  it('fails the same way with --as-of: there is nothing to compute', async () => {
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', BAD_ORDERS);

    const manifest = await run(lake, { asOf: '2024-01-31' });

    expect(manifest.status).toBe('failed');
    expect(manifest.error).toMatch(/^every row of orders was rejected \(4 rows in 1 file/);
  });

  it('names the rejected dataset as the cause when the datasets that loaded give no as-of date', async () => {
    // Prepare: customers load (they carry no as-of date), every order is rejected
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', BAD_ORDERS);
    put('inbox/customers/customers.csv', csv('customer_id,created_at', 'c1,2024-01-01'));

    // Act
    const manifest = await run(lake);

    // Assess
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toMatch(/^every row of orders was rejected \(4 rows in 1 file, see rejects\/orders\/\); most common reasons: amount is not a valid decimal \(2 rows\)/);
    expect(manifest.error).toMatch(/\. cannot tell the as-of date: no completed orders/);
    expect(manifest.warnings).toEqual([expect.objectContaining({ kind: 'all_rejected' })]);
  });

  it('warns, and publishes the rest, when the other datasets loaded', async () => {
    // Prepare: good orders; two subscriptions, both with an mrr that is no number
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c2,2024-02-10,20'));
    put('inbox/subscriptions/subs.csv', csv('subscription_id,customer_id,mrr,started_at', 's1,c1,nine,2024-01-01', 's2,c2,nine,2024-01-15'));
    const lines: string[] = [];

    // Act
    const manifest = await run(lake, { onProgress: (line) => lines.push(line) });

    // Assess
    expect(manifest).toMatchObject({ status: 'succeeded', published: true, missing_datasets: expect.arrayContaining(['subscriptions']) });
    const message = 'every row of subscriptions was rejected (2 rows in 1 file, see rejects/subscriptions/); most common reasons: mrr is not a valid decimal (2 rows)';
    expect(manifest.warnings).toEqual([
      {
        kind: 'all_rejected',
        message,
        details: { dataset: 'subscriptions', rows_rejected: 2, rejects_files: 1, reasons: [{ reason: 'mrr is not a valid decimal', rows: 2 }], refused_files: [] },
      },
    ]);
    expect(lines).toContain(`WARNING (all_rejected): ${message}`);
  });

  it('says every file was refused when a dataset has only quarantined files', async () => {
    // Prepare: an orders file without the amount column is refused whole; customers load
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at', 'o1,c1,2024-01-05'));
    put('inbox/customers/customers.csv', csv('customer_id,created_at', 'c1,2024-01-01'));

    // Act
    const manifest = await run(lake, { asOf: '2024-01-31' });

    // Assess
    expect(manifest.status).toBe('succeeded');
    expect(manifest.warnings?.map((w) => w.kind)).toEqual(['all_rejected']);
    expect(manifest.warnings?.[0]!.message).toMatch(/^every file of orders was refused whole, no row is loaded: inbox\/orders\/orders\.csv: .*amount/);
  });
});
