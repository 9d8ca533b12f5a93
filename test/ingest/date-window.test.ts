import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { ingestInbox } from '../../src/core/ingest/ingest.js';
import { csv, ingestOnly, query, readParquet, run, tempDir, tempLake } from '../helpers/temp-lake.js';

/** The UTC date `days` after today (the run date), YYYY-MM-DD. */
const daysFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const ORDERS_HEADER = 'order_id,customer_id,ordered_at,amount';

describe('date window: implausible dates are rejected with their reason', () => {
  it('rejects order dates before 1990-01-01 or after the run date plus one day, and keeps the as-of date and months from the good rows', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put(
      'inbox/orders/orders.csv',
      csv(
        ORDERS_HEADER,
        'o1,c1,2024-01-05,10', // line 2
        'o2,c1,2024-03-10T12:00:00Z,20',
        'o3,c2,9999-12-31,30',
        'o4,c2,2100-01-01,40',
        'o5,c3,0001-01-01,50',
        'o6,c3,1989-12-31T23:59:59Z,60',
        'o7,c3,1990-01-01T00:00:00Z,70', // the first moment accepted
        'o8,c4,1990-01-01T01:00:00+02:00,80', // 1989-12-31T23:00Z
      ),
    );

    // Act
    const manifest = await run(lake);

    // Assess
    expect(manifest.error).toBeUndefined();
    expect(manifest.ingest).toMatchObject({ rows_in: 8, rows_loaded: 3, rows_rejected: 5 });
    const rejects = await readParquet(dir, manifest.ingest.files[0]!.rejects_key!, '_source_line');
    const after = `ordered_at is after ${daysFromToday(1)} (the run date plus ingest.latest_date_days_ahead), got`;
    const before = 'ordered_at is before 1990-01-01 (ingest.earliest_date), got';
    expect(rejects.map((r) => `${r._source_line}: ${r._reject_reason}`)).toEqual([
      `4: ${after} '9999-12-31'`,
      `5: ${after} '2100-01-01'`,
      `6: ${before} '0001-01-01'`,
      `7: ${before} '1989-12-31T23:59:59Z'`,
      `9: ${before} '1990-01-01T01:00:00+02:00'`,
    ]);
    // The as-of date is the latest good completed order; months run from 1990-01 (o7) to 2024-03.
    expect(manifest.as_of).toBe('2024-03-10');
    const months = await query(`select cast(count(*) as integer) as months, cast(min(month) as varchar) as first from read_parquet('${dir}/metrics/loyalty_kpis_monthly/v1/data.parquet')`);
    expect(months).toEqual([{ months: (2024 - 1990) * 12 + 3, first: '1990-01-01' }]);
  });

  it('accepts dates up to the run date plus one day, and a subscription that ends in the future', async () => {
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv(ORDERS_HEADER, `o1,c1,${daysFromToday(1)}T23:59:59Z,10`, `o2,c1,${daysFromToday(2)},10`));
    put(
      'inbox/subscriptions/subs.csv',
      csv(
        'subscription_id,customer_id,mrr,started_at,ended_at',
        's1,c1,10,2024-01-01,2999-12-31', // ends far ahead: accepted
        `s2,c1,10,${daysFromToday(2)},`, // starts after the run date plus one day
        's3,c1,10,1985-06-01,', // started before 1990
      ),
    );
    put('inbox/retention_costs/costs.csv', csv('month,amount', '2024-01,100', '0001-01,100', '2999-01,100'));
    put('inbox/survey_responses/r.csv', csv('response_id,survey,score,responded_at', 'r1,nps,9,2024-01-01', 'r2,nps,9,2100-01-01'));
    put('inbox/events/e.csv', csv('customer_id,event_name,occurred_at', 'c1,login,2024-01-01', 'c1,login,0001-01-01'));

    const reports = await ingestOnly(lake);

    const byDataset = Object.fromEntries(reports.map((r) => [r.dataset, [r.rows_loaded, r.rows_rejected]]));
    expect(byDataset).toEqual({ orders: [1, 1], subscriptions: [1, 2], retention_costs: [1, 2], survey_responses: [1, 1], events: [1, 1] });
  });

  it("takes the window from the lake's settings", async () => {
    const { lake, put } = tempLake();
    put('loyaltylake.yml', 'ingest:\n  earliest_date: 2024-02-01\n  latest_date_days_ahead: 0\n');
    put('inbox/orders/orders.csv', csv(ORDERS_HEADER, 'o1,c1,2024-01-31,10', 'o2,c1,2024-02-01,10', `o3,c1,${daysFromToday(1)},10`));

    const manifest = await run(lake);

    expect(manifest.ingest).toMatchObject({ rows_loaded: 1, rows_rejected: 2 });
    expect(manifest.as_of).toBe('2024-02-01');
  });
});

describe('ingest limits from the lake settings', () => {
  it('quarantines a .gz file that inflates past ingest.max_inflated_bytes, and goes on', async () => {
    const { lake, put } = tempLake();
    put('loyaltylake.yml', 'ingest:\n  max_inflated_bytes: 1024\n');
    put('inbox/orders/big.csv.gz', gzipSync(csv(ORDERS_HEADER, ...Array.from({ length: 100 }, (_, i) => `o${i},c1,2024-01-05,10`))));
    put('inbox/orders/small.csv', csv(ORDERS_HEADER, 'x1,c1,2024-01-05,10'));

    const manifest = await run(lake);

    expect(manifest.ingest.files.map((f) => [f.key, f.outcome, f.error])).toEqual([
      ['inbox/orders/big.csv.gz', 'quarantined', 'file inflates to more than 1 KiB (the limit for a decompressed file): split it, or raise the limit'],
      ['inbox/orders/small.csv', 'loaded', undefined],
    ]);
  });
});

describe('date window: rows an older version staged', () => {
  it('leaves staged rows outside the window out of the models, naming their files, so the next run repairs the lake', async () => {
    // Prepare: staged with no window, as before it existed
    const { lake, put } = tempLake();
    put('inbox/orders/old.csv', csv(ORDERS_HEADER, 'o1,c1,2024-01-05,10', 'o2,c1,2100-01-01,20', 'o3,c2,1985-01-01,30'));
    const workDir = tempDir();
    const db = await DuckDBSession.open({ workDir, threads: 1 });
    const [staged] = await ingestInbox({ lake, db, workDir, runId: 'older', dates: { earliest: '0001-01-01', latest: '9999-12-31' } });
    db.closeSync();
    expect(staged).toMatchObject({ rows_loaded: 3 });

    // Act
    const manifest = await run(lake);

    // Assess
    expect(manifest.error).toBeUndefined();
    expect(manifest.as_of).toBe('2024-01-05');
    expect(manifest.out_of_range_left_out).toEqual({ rows: 2, staging_files: [staged!.staging_key] });
  });
});
