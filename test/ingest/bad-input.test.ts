import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sqlString } from '../../src/core/duckdb.js';
import { csv, ingestOnly, query, tempLake } from '../helpers/temp-lake.js';

const HEADER = 'order_id,customer_id,ordered_at,amount,refunded_amount,status';

describe('fails whole files that cannot be loaded, with a report beside a copy of the file', () => {
  it.each([
    ['a row with too many fields', 'orders.csv', csv(HEADER, 'o1,c1,2024-01-01,1,0,completed', 'o2,c1,2024-01-01,1,0,completed,extra'), /^line 3 has 7 fields where the header has 6: 'o2,c1,2024-01-01,1,0,completed,extra'$/, 3],
    ['an unterminated quote', 'orders.csv', csv(HEADER, 'o1,"c1,2024-01-01,1,0,completed'), /^line 2: a quoted field is never closed \(unterminated quote\)/, 2],
    ['a missing required column', 'orders.csv', csv('order_id,customer_id,ordered_at,total', 'o1,c1,2024-01-01,1'), /missing required column amount \(found: order_id, customer_id, ordered_at, total\)/, 1],
    ['an empty file', 'orders.csv', '', /file is empty/, null],
    ['a header without rows', 'orders.csv', csv(HEADER), /no data rows/, null],
    ['a truncated gzip', 'orders.csv.gz', gzipSync(csv(HEADER, 'o1,c1,2024-01-01,1,0,completed', 'o2,c1,2024-01-01,1,0,completed')).subarray(0, 40), /cannot decompress gzip/, null],
    ['malformed NDJSON', 'orders.jsonl', '{"order_id": "o1"}\n{"order_id": "o2",,}\n{"order_id": "o3"}\n', /cannot parse file: Malformed JSON in file "inbox\/orders\/orders.jsonl".*line 2/, 2],
    ['an unsupported file type', 'orders.xlsx', 'PK...', /unsupported file type/, null],
  ])('quarantines %s', async (_case, fileName, content, error, line) => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put(`inbox/orders/${fileName}`, content);

    // Act
    const [report] = await ingestOnly(lake);

    // Assess
    expect(report).toMatchObject({ outcome: 'quarantined', key: `inbox/orders/${fileName}` });
    expect(report!.error).toMatch(error);
    const reportKey = `${report!.quarantine_key}.error.json`;
    const written = JSON.parse(readFileSync(join(dir, reportKey), 'utf8'));
    expect(written).toMatchObject({ key: `inbox/orders/${fileName}`, error: report!.error, line });
    expect(readFileSync(join(dir, report!.quarantine_key!))).toEqual(Buffer.from(content));
    expect(existsSync(join(dir, 'inbox/orders', fileName))).toBe(true); // the inbox is never touched
    expect(existsSync(join(dir, 'staging'))).toBe(false);
  });

  it('quarantines a file outside any dataset folder and is not retried', async () => {
    // Prepare
    const { lake, put } = tempLake();
    put('inbox/invoices/2024.csv', csv('a', '1'));
    put('inbox/loose.csv', csv('a', '1'));

    // Act
    const first = await ingestOnly(lake);
    const second = await ingestOnly(lake);

    // Assess
    expect(first.map((r) => [r.dataset, r.outcome])).toEqual([
      ['invoices', 'quarantined'],
      ['_unknown', 'quarantined'],
    ]);
    expect(first[0]!.error).toMatch(/'invoices' is not a dataset: put files under inbox\/<dataset>\/, one of customers, orders, subscriptions, survey_responses, events, retention_costs/);
    expect(first.map((r) => r.quarantine_key?.replace(/@\w+$/, ''))).toEqual(['quarantine/_unknown/invoices/2024.csv', 'quarantine/_unknown/loose.csv']);
    expect(second.map((r) => r.outcome)).toEqual(['already_ingested', 'already_ingested']);
  });
});

describe('rejects bad rows with a reason and loads the rest', () => {
  it('sets aside each broken rule, and the counts add up', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put(
      'inbox/orders/mixed.csv',
      csv(
        'order_id,customer_id,ordered_at,amount,refunded_amount,status,currency', // line 1
        'o1,c1,2024-01-01,10,0,completed,EUR', // 2: good
        'o2,,2024-01-01,10,0,completed,EUR', // 3: no customer
        'o3,c1,2024-02-30,10,0,completed,EUR', // 4: no such date
        'o4,c1,2024-01-01,ten,0,completed,EUR', // 5: not a number
        'o5,c1,2024-01-01,-1,0,completed,EUR', // 6: negative
        'o6,c1,2024-01-01,10,0,shipped,EUR', // 7: unknown status
        'o7,c1,2024-01-01,10,11,refunded,EUR', // 8: refund above amount
        'o8,c1,2024-01-01,10,0,COMPLETED,euro', // 9: not an ISO 4217 code
        ',c1,2024-01-01,10,0,completed,EUR', // 10: no order id
        'o10,c1,2024-01-01 10:00:00,10,,Cancelled,', // 11: good (empty refund = 0, no currency)
      ),
    );

    // Act
    const [report] = await ingestOnly(lake);

    // Assess
    expect(report).toMatchObject({ outcome: 'loaded', rows_in: 10, rows_loaded: 2, rows_rejected: 8 });
    const rejects = await query(
      `select order_id, _source_key, _source_line, _reject_reason from read_parquet(${sqlString(join(dir, 'rejects/orders/*.parquet'))}) order by _source_line`,
    );
    expect(rejects.map((r) => [Number(r._source_line), r._reject_reason])).toEqual([
      [3, 'customer_id is missing'],
      [4, "ordered_at is not a valid timestamp: '2024-02-30'"],
      [5, "amount is not a valid decimal: 'ten'"],
      [6, 'amount must be ≥ 0, got -1; refunded_amount is greater than amount'],
      [7, "status must be one of completed, refunded, cancelled, got 'shipped'"],
      [8, 'refunded_amount is greater than amount'],
      [9, "currency is not a valid currency: 'euro'"],
      [10, 'order_id is missing'],
    ]);
    expect(rejects.every((r) => r._source_key === 'inbox/orders/mixed.csv')).toBe(true);
    const staged = await query(`select order_id from read_parquet(${sqlString(join(dir, 'staging/orders/*.parquet'))}) order by 1`);
    expect(staged.map((r) => r.order_id)).toEqual(['o1', 'o10']);
  });
});
