import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqlString } from '../../src/core/duckdb.js';
import { csv, ingestOnly, query, tempLake } from '../helpers/temp-lake.js';

// Ingest reads a CSV file on every thread and numbers a row by its place in the validated table
// (stage-file.ts) when it is 8 MB or more. These files are large enough (9-12 MB) for DuckDB's
// parallel CSV reader to split them between threads (it starts one thread per 8 MB of file,
// CSVGlobalState::MaxThreads, up to the session's 2), and every expected line comes from how the file is built: the
// header is line 1 and record i (counted from 1) is line i + 1 — a quoted field spanning lines
// stays one record, as README ("Line numbers") and docs/input-rules.md say.

const HEADER = 'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status';
const RECORDS = 200_000;
/** Records with an amount that is no decimal: one every 20,000, spread over the whole file. */
const isReject = (i: number) => i % 20_000 === 10_000;
/** The record just before each reject has a customer id spanning two lines (CRLF inside the quotes). */
const isMultiLine = (i: number) => isReject(i + 1);

/** The orders file, CRLF line ends, one header; the expected lines of its rejects beside it. */
function ordersFile(): { content: string; rejectLines: number[] } {
  const lines = [HEADER];
  const rejectLines: number[] = [];
  for (let i = 1; i <= RECORDS; i++) {
    const customer = isMultiLine(i) ? `"c${i}\r\nsecond line, with a comma"` : `c${i % 1000}`;
    const amount = isReject(i) ? `x${i}` : '10.00';
    lines.push(`o${i},${customer},2024-01-01T00:00:00Z,${amount},0,EUR,completed`);
    if (isReject(i)) rejectLines.push(i + 1);
  }
  return { content: `${lines.join('\r\n')}\r\n`, rejectLines };
}

describe('line numbers of a CSV file read on several threads', () => {
  it('names the exact line of every reject and of every staged row', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    const { content, rejectLines } = ordersFile();
    expect(content.length).toBeGreaterThan(8_000_000);
    expect(rejectLines).toEqual([10_001, 30_001, 50_001, 70_001, 90_001, 110_001, 130_001, 150_001, 170_001, 190_001]);
    put('inbox/orders/big.csv', content);

    // Act
    const [report] = await ingestOnly(lake);

    // Assess
    expect(report).toMatchObject({ outcome: 'loaded', rows_in: RECORDS, rows_loaded: RECORDS - 10, rows_rejected: 10 });
    const rejects = await query(
      `select cast(_source_line as integer) as line, order_id, amount, _reject_reason as reason
       from read_parquet(${sqlString(join(dir, report!.rejects_key!))}) order by line`,
    );
    // Record i holds order o<i> and amount x<i>: line, values and reason all name the same record.
    expect(rejects).toEqual(
      rejectLines.map((line) => ({ line, order_id: `o${line - 1}`, amount: `x${line - 1}`, reason: `amount is not a valid decimal: 'x${line - 1}'` })),
    );
    // Every staged row: order o<i> is on line i + 1, the multi-line ids arrive whole.
    const [staged] = await query(`
      select count(*) as n,
             count(*) filter (where _source_line <> cast(substr(order_id, 2) as bigint) + 1) as misnumbered,
             count(*) filter (where contains(customer_id, chr(13) || chr(10))) as multi_line
      from read_parquet(${sqlString(join(dir, report!.staging_key!))})`);
    expect(staged).toEqual({ n: String(RECORDS - 10), misnumbered: '0', multi_line: '10' });
  }, 30_000);

  it('names the exact line of a malformed record deep in a large file', async () => {
    // Prepare: 200,000 records (about 9 MB), record 180,000 with one field too many (line 180,001)
    const { lake, put } = tempLake();
    const lines = [HEADER];
    for (let i = 1; i <= 200_000; i++) lines.push(`o${i},c${i % 1000},2024-01-01,10.00,0,EUR,completed${i === 180_000 ? ',extra' : ''}`);
    put('inbox/orders/broken.csv', `${lines.join('\n')}\n`);

    // Act
    const [report] = await ingestOnly(lake);

    // Assess
    expect(report!.outcome).toBe('quarantined');
    expect(report!.error).toMatch(/^line 180001 has 8 fields where the header has 7/);
  }, 30_000);

  it('trims values as before: spaces and Unicode spaces at either end, not tabs', async () => {
    // Prepare: validation skips trim on all-ASCII values without an edge space (validate-sql.ts);
    // every other value still goes through DuckDB's trim, which removes ' ', U+00A0, U+202F, U+3000 (…) and no tab
    const { dir, lake, put } = tempLake();
    put(
      'inbox/orders/spaces.csv',
      csv(
        HEADER,
        'o1, c1 ,2024-01-01,10.00,0,EUR,completed',
        'o2,\u00a0c2\u202f,2024-01-01,10.00,0,EUR,completed',
        'o3,\tc3,2024-01-01,10.00,0,EUR,completed',
        'o4,ç4 ,2024-01-01,10.00,0,EUR,completed',
        'o5,\u3000,2024-01-01,10.00,0,EUR,completed',
        'o6,c6,2024-01-01, 7.5 ,0,EUR,completed',
      ),
    );

    // Act
    const [report] = await ingestOnly(lake);

    // Assess
    const staged = await query(`select order_id, customer_id, cast(amount as varchar) as amount from read_parquet(${sqlString(join(dir, report!.staging_key!))}) order by order_id`);
    expect(staged).toEqual([
      { order_id: 'o1', customer_id: 'c1', amount: '10.00' },
      { order_id: 'o2', customer_id: 'c2', amount: '10.00' },
      { order_id: 'o3', customer_id: '\tc3', amount: '10.00' },
      { order_id: 'o4', customer_id: 'ç4', amount: '10.00' },
      { order_id: 'o6', customer_id: 'c6', amount: '7.50' },
    ]);
    const rejects = await query(`select cast(_source_line as integer) as line, _reject_reason as reason from read_parquet(${sqlString(join(dir, report!.rejects_key!))})`);
    expect(rejects).toEqual([{ line: 6, reason: 'customer_id is missing' }]);
  });

  it('numbers Parquet rows exactly, read on several threads, and a file with its own file_row_number column too', async () => {
    // Prepare: 300,000 rows in row groups of 20,000 (DuckDB reads row groups in parallel); row i
    // (from 1) is order o<i>, its amount no decimal where i = 25,000 + 50,000 k; a Parquet row's line is its row number
    const { dir, lake, put } = tempLake();
    put('inbox/orders/big.parquet', '');
    put('inbox/orders/own.parquet', '');
    await query(`
      copy (select 'o' || i as order_id, 'c' || (i % 1000) as customer_id, '2024-01-01' as ordered_at,
                   case when i % 50000 = 25000 then 'x' || i else '10.00' end as amount
            from range(1, 300001) as t(i) order by i)
      to ${sqlString(join(dir, 'inbox/orders/big.parquet'))} (format parquet, row_group_size 20000)`);
    await query(`
      copy (select * from (values (7, 'o1', 'c1', '2024-01-01', '1.00'), (8, 'o2', 'c2', '2024-01-01', 'bad'), (9, 'o3', 'c3', '2024-01-01', '3.00'))
            as t(file_row_number, order_id, customer_id, ordered_at, amount))
      to ${sqlString(join(dir, 'inbox/orders/own.parquet'))} (format parquet)`);

    // Act
    const reports = await ingestOnly(lake);

    // Assess
    const big = reports.find((r) => r.key.endsWith('big.parquet'))!;
    expect(big).toMatchObject({ outcome: 'loaded', rows_in: 300_000, rows_rejected: 6 });
    const rejects = await query(`select cast(_source_line as integer) as line, order_id from read_parquet(${sqlString(join(dir, big.rejects_key!))}) order by line`);
    expect(rejects).toEqual([25_000, 75_000, 125_000, 175_000, 225_000, 275_000].map((i) => ({ line: i, order_id: `o${i}` })));
    const [staged] = await query(`
      select count(*) filter (where _source_line <> cast(substr(order_id, 2) as bigint)) as misnumbered
      from read_parquet(${sqlString(join(dir, big.staging_key!))})`);
    expect(staged).toEqual({ misnumbered: '0' });
    const own = reports.find((r) => r.key.endsWith('own.parquet'))!;
    const ownRejects = await query(`select cast(_source_line as integer) as line, file_row_number from read_parquet(${sqlString(join(dir, own.rejects_key!))})`);
    expect(ownRejects).toEqual([{ line: 2, file_row_number: '8' }]); // rejects keep values as text
  }, 30_000);

  it('reads a large file in a locale\'s conventions (read twice, both times on several threads) with exact lines', async () => {
    // Prepare: Excel's European re-save (docs/input-rules.md): ';', decimal commas, day-first dates;
    // 200,000 records (about 9 MB), record i (from 1) is line i + 1, amount 'abc' where i = 20,000 + 40,000 k
    const { dir, lake, put } = tempLake();
    const lines = ['order_id;customer_id;ordered_at;amount'];
    for (let i = 1; i <= 200_000; i++) lines.push(`o${i};customer-${i % 1000};13.01.2024 10:00;${i % 40_000 === 20_000 ? 'abc' : '1234,50'}`);
    const content = `${lines.join('\n')}\n`;
    expect(content.length).toBeGreaterThan(8_000_000);
    put('inbox/orders/eu.csv', content);

    // Act
    const [report] = await ingestOnly(lake);

    // Assess
    expect(report).toMatchObject({ outcome: 'loaded', rows_in: 200_000, rows_rejected: 5 });
    const rejects = await query(`select cast(_source_line as integer) as line, order_id from read_parquet(${sqlString(join(dir, report!.rejects_key!))}) order by line`);
    expect(rejects).toEqual([20_000, 60_000, 100_000, 140_000, 180_000].map((i) => ({ line: i + 1, order_id: `o${i}` })));
    const [staged] = await query(`
      select count(*) filter (where _source_line <> cast(substr(order_id, 2) as bigint) + 1) as misnumbered,
             min(cast(amount as varchar)) as amount, min(cast(ordered_at as varchar)) as ordered_at
      from read_parquet(${sqlString(join(dir, report!.staging_key!))})`);
    // '1234,50' with a decimal comma; 13.01.2024 day first (13 is no month), no offset: UTC
    expect(staged).toEqual({ misnumbered: '0', amount: '1234.50', ordered_at: '2024-01-13 10:00:00' });
  }, 30_000);
});
