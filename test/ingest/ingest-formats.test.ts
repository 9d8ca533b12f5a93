import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqlString } from '../../src/core/duckdb.js';
import { csv, ingestOnly, query, tempLake } from '../helpers/temp-lake.js';

const stagedOrders = (dir: string) =>
  query(`
    select order_id, customer_id, cast(ordered_at as varchar) as ordered_at, cast(amount as varchar) as amount,
           cast(refunded_amount as varchar) as refunded_amount, currency, status
    from read_parquet(${sqlString(join(dir, 'staging/orders/*.parquet'))}) order by order_id`);

// The same two orders, as every format the spec accepts must stage them.
const expectedOrders = [
  {
    order_id: 'o1',
    customer_id: 'c 1',
    ordered_at: '2024-02-01 01:30:00', // 2024-01-31T23:30:00-02:00 in UTC
    amount: '10.50',
    refunded_amount: '0.00', // absent → default 0
    currency: 'EUR',
    status: 'completed', // absent → default completed
  },
  {
    order_id: 'o2',
    customer_id: 'c;2, "quoted"',
    ordered_at: '2024-02-03 00:00:00', // a date alone is midnight UTC
    amount: '5.00',
    refunded_amount: '1.25',
    currency: 'EUR', // 'eur' → upper case
    status: 'refunded', // 'Refunded' → lower case
  },
];

describe('ingest formats', () => {
  it.each([
    ['comma CSV with BOM and CRLF', 'orders.csv', () =>
      '\uFEFFOrder_ID,Customer_ID,Ordered_At,Amount,Refunded_Amount,Currency,Status\r\n' +
      'o1,c 1,2024-01-31T23:30:00-02:00,10.5,,EUR,\r\n' +
      'o2,"c;2, ""quoted""",2024-02-03,5,1.25,eur,Refunded\r\n'],
    ['semicolon CSV', 'orders.csv', () =>
      csv('order_id;customer_id;ordered_at;amount;refunded_amount;currency;status',
        'o1;c 1;2024-01-31 23:30:00 -0200;10.50;;EUR;',
        'o2;"c;2, ""quoted""";2024-02-03;5.00;1.25;eur;Refunded')],
    ['tab-separated', 'orders.tsv', () =>
      csv('order_id\tcustomer_id\tordered_at\tamount\trefunded_amount\tcurrency\tstatus',
        'o1\tc 1\t2024-01-31T23:30:00-02:00\t10.5\t\tEUR\t',
        'o2\t"c;2, ""quoted"""\t2024-02-03\t5\t1.25\teur\tRefunded')],
    ['pipe-separated, gzip', 'orders.csv.gz', () =>
      gzipSync(csv('order_id|customer_id|ordered_at|amount|refunded_amount|currency|status',
        'o1|c 1|2024-01-31T23:30:00-02:00|10.5||EUR|',
        'o2|"c;2, ""quoted"""|2024-02-03|5|1.25|eur|Refunded'))],
    ['NDJSON with numbers', 'orders.jsonl', () =>
      csv(JSON.stringify({ order_id: 'o1', customer_id: 'c 1', ordered_at: '2024-01-31T23:30:00-02:00', amount: 10.5, currency: 'EUR' }),
        JSON.stringify({ order_id: 'o2', customer_id: 'c;2, "quoted"', ordered_at: '2024-02-03', amount: 5, refunded_amount: 1.25, currency: 'eur', status: 'Refunded' }))],
    ['NDJSON, gzip', 'orders.ndjson.gz', () =>
      gzipSync(csv(JSON.stringify({ ORDER_ID: 'o1', customer_id: 'c 1', ordered_at: '2024-01-31T23:30:00-02:00', amount: '10.5', currency: 'EUR' }),
        JSON.stringify({ ORDER_ID: 'o2', customer_id: 'c;2, "quoted"', ordered_at: '2024-02-03', amount: '5', refunded_amount: '1.25', currency: 'eur', status: 'Refunded' })))],
  ])('stages %s', async (_name, fileName, content) => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put(`inbox/orders/${fileName}`, content());

    // Act
    const [report] = await ingestOnly(lake);

    // Assess
    expect(report).toMatchObject({ outcome: 'loaded', rows_in: 2, rows_loaded: 2, rows_rejected: 0 });
    expect(await stagedOrders(dir)).toEqual(expectedOrders);
  });

  it('stages Parquet with typed columns', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.parquet', '');
    const path = join(dir, 'inbox/orders/orders.parquet');
    await query(`copy (
      select 'o1' as order_id, 'c 1' as customer_id, timestamptz '2024-01-31 23:30:00-02:00' as ordered_at,
             10.5::decimal(10,2) as amount, null::decimal(10,2) as refunded_amount, 'EUR' as currency, null as status
      union all
      select 'o2', 'c;2, "quoted"', timestamp '2024-02-03 00:00:00', 5, 1.25, 'eur', 'Refunded'
    ) to ${sqlString(path)} (format parquet)`);

    // Act
    const [report] = await ingestOnly(lake);

    // Assess
    expect(report).toMatchObject({ outcome: 'loaded', rows_loaded: 2 });
    expect(await stagedOrders(dir)).toEqual(expectedOrders);
  });

  it('converts every ISO 8601 offset to UTC, takes no offset as UTC, and rejects named zones without disturbing later rows', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put(
      'inbox/orders/times.csv',
      csv(
        'order_id,customer_id,ordered_at,amount',
        'o1,c1,2024-01-31 23:30:00 Asia/Tokyo,1', // a named zone is not ISO 8601: rejected
        'o2,c1,2024-03-01,1', // date alone: midnight UTC
        'o3,c1,2024-03-01 00:30:00,1', // no offset: UTC
        'o4,c1,2024-03-01T10:00:00Z,1',
        'o5,c1,2024-03-01T10:00:00+02,1', // 10:00 at +02 is 08:00 UTC
        'o6,c1,2024-03-01T10:00:00.123456-05:30,1', // 10:00 at −05:30 is 15:30 UTC
        'o7,c1,2024-03-01T10:00+0530,1', // 10:00 at +05:30 is 04:30 UTC
        'o8,c1,2024-03-01 10:00:00 -0500,1',
        'o9,c1,2024-03-01T25:00:00Z,1', // no such hour
      ),
    );

    // Act
    await ingestOnly(lake);

    // Assess
    expect((await stagedOrders(dir)).map((o) => [o.order_id, o.ordered_at])).toEqual([
      ['o2', '2024-03-01 00:00:00'],
      ['o3', '2024-03-01 00:30:00'],
      ['o4', '2024-03-01 10:00:00'],
      ['o5', '2024-03-01 08:00:00'],
      ['o6', '2024-03-01 15:30:00.123456'],
      ['o7', '2024-03-01 04:30:00'],
      ['o8', '2024-03-01 15:00:00'],
    ]);
  });

  it('keeps extra columns in staging, with the source file, line and landing time', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    const landed = new Date('2025-01-02T03:04:05Z');
    put('inbox/orders/2024/export.csv', csv('order_id,customer_id,ordered_at,amount,Coupon', 'o1,c1,2024-01-01,1,WELCOME'), landed);

    // Act
    await ingestOnly(lake);

    // Assess
    const [row] = await query(
      `select "Coupon", _source_key, _source_line, cast(_landed_at as varchar) as landed from read_parquet(${sqlString(join(dir, 'staging/orders/2024/*.parquet'))})`,
    );
    expect(row).toEqual({ Coupon: 'WELCOME', _source_key: 'inbox/orders/2024/export.csv', _source_line: '2', landed: '2025-01-02 03:04:05' });
  });

  it('does not load the same file twice, but loads a changed file again', async () => {
    // Prepare
    const { lake, put } = tempLake();
    put('inbox/customers/customers.csv', csv('customer_id,created_at', 'c1,2024-01-01'));
    await ingestOnly(lake);

    // Act
    const again = await ingestOnly(lake);
    put('inbox/customers/customers.csv', csv('customer_id,created_at', 'c1,2024-01-01', 'c2,2024-01-02'));
    const changed = await ingestOnly(lake);

    // Assess
    expect(again.map((r) => r.outcome)).toEqual(['already_ingested']);
    expect(changed).toMatchObject([{ outcome: 'loaded', rows_loaded: 2 }]);
  });

  it('ignores hidden files and folder markers', async () => {
    const { lake, put } = tempLake();
    put('inbox/orders/.DS_Store', 'x');
    expect(await ingestOnly(lake)).toEqual([]);
  });
});
