import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runControlCommand } from '../../src/cli/control-commands.js';
import { forgetRecordsSince } from '../../src/core/control/forget-records.js';
import { takeLease } from '../../src/core/pipeline/run-lease.js';
import { transformNeeded } from '../../src/core/pipeline/transform-needed.js';
import { csv, query, readParquet, run, tempLake } from '../helpers/temp-lake.js';

// Shopify's orders export header as in test/ingest/presets.test.ts (Shopify admin → Orders → Export);
// one row per line item, the order's fields on its first row. Rows invented.
const SHOPIFY_HEADER =
  'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing City,Billing Zip,Billing Country,Shipping Name,Shipping City,Shipping Zip,Shipping Country,Notes,Cancelled at,Payment Method,Refunded Amount,Vendor,Id,Tags,Source';
const SHOPIFY_BOB = '#1002,bob@example.com,paid,2024-01-12 09:01:00 -0500,,,no,EUR,25.00,0.00,4.75,29.75,,0.00,,2024-01-12 09:00:00 -0500,1,Bowl,25.00,,BW-1,true,true,,Bob B,Paris,75001,FR,,,,,,,Card,0.00,Acme,5002,,web';
const SHOPIFY = csv(
  SHOPIFY_HEADER,
  // #1001: Ann's order of two line items (Shopify writes her e-mail with capitals; the preset lower-cases it)
  '#1001,Ann@Example.com,paid,2024-01-05 10:16:00 +0100,fulfilled,2024-01-06 09:00:00 +0100,yes,EUR,30.00,4.90,5.70,40.60,,0.00,Standard,2024-01-05 10:15:32 +0100,1,Mug,10.00,,MUG-1,true,true,fulfilled,Ann A,Berlin,10115,DE,Ann A,Berlin,10115,DE,,,Card,0.00,Acme,5001,,web',
  '#1001,Ann@Example.com,,,,,,,,,,,,,,,2,"Plate, large",10.00,,PL-2,true,true,fulfilled,,,,,,,,,,,,,,,,',
  SHOPIFY_BOB,
  '#1003,ann@example.com,paid,2024-01-20 12:00:00 +0100,fulfilled,,yes,EUR,20.00,4.90,3.80,28.70,,0.00,Standard,2024-01-20 11:59:00 +0100,2,Cup,10.00,,CP-1,true,true,fulfilled,Ann A,Berlin,10115,DE,Ann A,Berlin,10115,DE,,,Card,0.00,Acme,5003,,web',
);
const ORDERS = csv(
  'order_id,customer_id,ordered_at,amount',
  'o1,ann@example.com,2024-01-05,10',
  'o2,bob@example.com,2024-01-06,20',
  'o3,ann@example.com,2024-01-07,oops',
  'o4,cid@example.com,2024-01-08,30',
);
const CUSTOMERS = csv(
  'customer_id,created_at,referred_by',
  'ann@example.com,2023-12-01,',
  'bob@example.com,2023-12-02,ann@example.com',
  'cid@example.com,2023-12-03,bob@example.com',
);
// Refused whole (no customer_id column), and it names Ann in another column.
const BROKEN = csv('order_id,buyer,ordered_at,amount', 'b1,ann@example.com,2024-01-09,5');

describe('loyaltylake forget', () => {
  let output: string[];
  beforeEach(() => {
    output = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it('removes a customer from the inbox, staging, rejects, quarantine, tables and history; the next run rebuilds without them', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    put('inbox/customers/customers.csv', CUSTOMERS);
    put('inbox/shopify_orders/orders_export_1.csv', SHOPIFY);
    put('inbox/orders/broken.csv', BROKEN);
    const first = await run(lake, { asOf: '2024-01-31' });
    expect(first.status).toBe('succeeded');
    expect(first.ingest.files_quarantined).toBe(1);
    const ids = async () => (await readParquet(dir, 'metrics/customer_summary/v1/data.parquet', 'customer_id')).map((r) => r.customer_id);
    expect(await ids()).toEqual(['ann@example.com', 'bob@example.com', 'cid@example.com']);
    // A report that names her (as the churn-risk list would).
    put('report/index.html', '<td>ann@example.com</td><td>bob@example.com</td>');

    // Act
    const code = await runControlCommand('forget', ['--customer', 'ann@example.com', '--lake', dir]);

    // Assess: the inbox originals without Ann's rows, values as written.
    expect(readFileSync(join(dir, 'inbox/orders/orders.csv'), 'utf8')).toBe(csv('order_id,customer_id,ordered_at,amount', 'o2,bob@example.com,2024-01-06,20', 'o4,cid@example.com,2024-01-08,30'));
    expect(readFileSync(join(dir, 'inbox/customers/customers.csv'), 'utf8')).toBe(
      csv('customer_id,created_at,referred_by', 'bob@example.com,2023-12-02,forgotten', 'cid@example.com,2023-12-03,bob@example.com'),
    );
    // Both of #1001's line items and #1003 go; Bob's order stays.
    // (DuckDB's CSV writer quotes a value that starts with '#', a comment marker to some readers: the same value.)
    const shopify = readFileSync(join(dir, 'inbox/shopify_orders/orders_export_1.csv'), 'utf8');
    expect(shopify.replace('"#1002"', '#1002')).toBe(csv(SHOPIFY_HEADER, SHOPIFY_BOB));
    // Staging: Ann's rows gone, lines renumbered as the rewritten files number them (o2 was line 3, o4 line 5).
    const orders = await readParquet(dir, 'staging/orders/orders.csv@*.parquet', 'order_id');
    expect(orders.map((r) => [r.order_id, Number(r._source_line)])).toEqual([['o2', 2], ['o4', 3]]);
    const customers = await readParquet(dir, 'staging/customers/*.parquet', 'customer_id');
    expect(customers.map((r) => [r.customer_id, r.referred_by, Number(r._source_line)])).toEqual([
      ['bob@example.com', 'forgotten', 2],
      ['cid@example.com', 'bob@example.com', 3],
    ]);
    // The only reject (o3) was Ann's: no rejects file is left.
    expect(await lake.list('rejects/')).toEqual([]);
    // The quarantine copy named Ann: removed; its report stays, so the file is not ingested again.
    const quarantine = (await lake.list('quarantine/')).map((o) => o.key);
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]).toMatch(/^quarantine\/orders\/broken\.csv@\w+\.error\.json$/);
    // Tables and snapshots without Ann, stamped as the run published them.
    expect(await ids()).toEqual(['bob@example.com', 'cid@example.com']);
    const [snapshot] = await lake.list('history/customer_summary/v1/as_of=2024-01-31/');
    const history = await readParquet(dir, snapshot!.key, 'customer_id');
    expect(history.map((r) => r.customer_id)).toEqual(['bob@example.com', 'cid@example.com']);
    const stamp = await query(`select decode(key) as k, decode(value) as v from parquet_kv_metadata('${join(dir, 'metrics/customer_summary/v1/data.parquet')}') order by k`);
    expect(stamp).toEqual([{ k: 'as_of', v: '2024-01-31' }, { k: 'run_id', v: first.run_id }]);
    // The report named her: removed (the next run writes it again).
    expect(await lake.list('report/')).toEqual([]);
    // The broken file cannot be cleaned row by row: forget says so and exits 1.
    expect(code).toBe(1);
    expect(output.join('\n')).toMatch(/!! {3}inbox\/orders\/broken.csv: still holds the id as text outside the customer id column/);
    // The record says that a forget happened, not whom.
    const [recordKey] = (await lake.list('_runs/forgets/')).map((o) => o.key);
    const record = readFileSync(join(dir, recordKey!), 'utf8');
    expect(record).not.toMatch(/ann|Ann/);
    expect(JSON.parse(record)).toMatchObject({ objects_changed: { inbox: 3, staging: 3, rejects: 1, quarantine: 1, report: 1 }, unresolved: 1 });
    expect(await forgetRecordsSince(lake, first.finished_at)).toEqual([JSON.parse(record)]);
    expect(await forgetRecordsSince(lake, new Date(Date.now() + 1000).toISOString())).toEqual([]);

    // Act: the next run
    expect((await transformNeeded(lake)).needed).toBe(true);
    const next = await run(lake, { asOf: '2024-01-31' });

    // Assess: the rewritten files count as ingested (nothing loaded twice); Ann is in no table.
    expect(next.status).toBe('succeeded');
    expect(next.ingest.files_loaded).toBe(0);
    expect(await ids()).toEqual(['bob@example.com', 'cid@example.com']);
    // Orders left: o2 (20), o4 (30) and Shopify #1002 (25.00): 3 orders, 75.00.
    const [totals] = await query(`select count(*) as n, sum(amount) as revenue from read_parquet('${join(dir, 'staging/orders/**/*.parquet')}')`);
    expect(totals).toEqual({ n: '3', revenue: '75.00' });
  });
});

describe('forget in NDJSON, Parquet and withdrawn files', () => {
  beforeEach(() => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it('rewrites each in its own format, leaves c10 alone when forgetting c1, and an undone withdrawal does not bring c1 back', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    const events = ['{"customer_id":"c1","event_name":"login","occurred_at":"2024-01-05T10:00:00Z"}', '{"customer_id": "c10", "event_name": "login", "occurred_at": "2024-01-06T10:00:00Z"}'] as const;
    put('inbox/events/events.jsonl.gz', gzipSync(`${events[0]}\n\n${events[1]}\n${events[0].replace('05T', '07T')}\n`));
    const parquet = join(dir, 'orders.parquet');
    await query(`copy (select * from (values ('o1', 'c1', date '2024-01-05', 10.50::decimal(10, 2)), ('o2', 'c10', date '2024-01-06', 20.00::decimal(10, 2)), ('o3', 'c2', date '2024-01-07', 5.25::decimal(10, 2))) as t(order_id, customer_id, ordered_at, amount)) to '${parquet}' (format parquet)`);
    put('inbox/orders/orders.parquet', readFileSync(parquet));
    put('inbox/orders/withdrawn.csv', csv('order_id,customer_id,ordered_at,amount', 'w1,c1,2024-01-08,7', 'w2,c10,2024-01-09,8'));
    expect((await run(lake, { asOf: '2024-01-31' })).status).toBe('succeeded');
    expect(await runControlCommand('withdraw', ['inbox/orders/withdrawn.csv', '--lake', dir])).toBe(0);

    // Act
    const code = await runControlCommand('forget', ['--customer', 'c1', '--lake', dir]);

    // Assess: NDJSON keeps c10's line as written (the blank line goes), gzip kept.
    expect(code).toBe(0);
    expect(gunzipSync(readFileSync(join(dir, 'inbox/events/events.jsonl.gz'))).toString('utf8')).toBe(`${events[1]}\n`);
    // Parquet keeps its column types, without c1's row.
    const orders = await query(`select order_id, customer_id, typeof(amount) as type from '${join(dir, 'inbox/orders/orders.parquet')}' order by order_id`);
    expect(orders).toEqual([{ order_id: 'o2', customer_id: 'c10', type: 'DECIMAL(10,2)' }, { order_id: 'o3', customer_id: 'c2', type: 'DECIMAL(10,2)' }]);
    // The withdrawn file is cleaned too, and stays withdrawn.
    expect(readFileSync(join(dir, 'inbox/orders/withdrawn.csv'), 'utf8')).toBe(csv('order_id,customer_id,ordered_at,amount', 'w2,c10,2024-01-09,8'));
    // Staged events: c10's line was the 2nd non-blank line of 3; with line 1 gone it is line 1.
    const staged = await readParquet(dir, 'staging/events/*.parquet');
    expect(staged.map((r) => [r.customer_id, Number(r._source_line)])).toEqual([['c10', 1]]);

    // Act: undo the withdrawal and run
    await runControlCommand('withdraw', ['inbox/orders/withdrawn.csv', '--lake', dir, '--undo']);
    const next = await run(lake, { asOf: '2024-01-31' });

    // Assess: the withdrawn file comes back without c1; c1 is nowhere in staging.
    expect(next.ingest.files.find((f) => f.key === 'inbox/orders/withdrawn.csv')).toMatchObject({ outcome: 'loaded', rows_loaded: 1 });
    const customers = await query(`select distinct customer_id from read_parquet('${join(dir, 'staging/**/*.parquet')}', union_by_name = true) order by 1`);
    expect(customers.map((r) => r.customer_id)).toEqual(['c10', 'c2']);
  });
});

describe('forget, other cases', () => {
  beforeEach(() => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it('cleans the staging of an older version of a file that the inbox no longer holds', async () => {
    // Prepare: orders.csv loaded twice, the second version overwrote the first in the inbox
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,ann@example.com,2024-01-05,10', 'o2,bob@example.com,2024-01-06,20'), new Date('2024-02-01T00:00:00Z'));
    await run(lake, { asOf: '2024-01-31' });
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o2,bob@example.com,2024-01-06,20', 'o3,cid@example.com,2024-01-07,30'), new Date('2024-02-02T00:00:00Z'));
    await run(lake, { asOf: '2024-01-31' });
    const before = (await lake.list('staging/orders/')).map((o) => o.key);
    expect(before).toHaveLength(2);
    const latest = readFileSync(join(dir, 'inbox/orders/orders.csv'), 'utf8');

    // Act
    expect(await runControlCommand('forget', ['--customer', 'ann@example.com', '--lake', dir])).toBe(0);

    // Assess: the inbox file (the second version) never held Ann and is unchanged; the first
    // version's staging is rewritten under a new key, so the next build notices.
    expect(readFileSync(join(dir, 'inbox/orders/orders.csv'), 'utf8')).toBe(latest);
    const after = (await lake.list('staging/orders/')).map((o) => o.key);
    expect(after).toHaveLength(2);
    const [kept, replaced] = [after.filter((k) => before.includes(k)), after.filter((k) => !before.includes(k))];
    expect(kept).toHaveLength(1);
    expect(replaced).toHaveLength(1);
    const rows = await readParquet(dir, replaced[0]!);
    expect(rows.map((r) => [r.order_id, r.customer_id])).toEqual([['o2', 'bob@example.com']]);
    expect((await transformNeeded(lake)).needed).toBe(true);
    const next = await run(lake, { asOf: '2024-01-31' });
    expect(next.ingest.files_loaded).toBe(0);
    expect((await readParquet(dir, 'metrics/customer_summary/v1/data.parquet', 'customer_id')).map((r) => r.customer_id)).toEqual(['bob@example.com', 'cid@example.com']);
  });

  it('changes nothing and exits 3 while a run holds the lake; so does withdraw', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const taken = await takeLease(lake, 'a-run');
    expect(taken.held).toBe(true);

    try {
      // Act + Assess
      expect(await runControlCommand('forget', ['--customer', 'ann@example.com', '--lake', dir])).toBe(3);
      expect(await runControlCommand('withdraw', ['inbox/orders/orders.csv', '--lake', dir])).toBe(3);
      expect(readFileSync(join(dir, 'inbox/orders/orders.csv'), 'utf8')).toBe(ORDERS);
      expect(await lake.list('_control/')).toEqual([]);
    } finally {
      if (taken.held) await taken.lease.release();
    }
  });
});
