import { describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { ingestInbox, type FileReport, type IngestContext } from '../../src/core/ingest/ingest.js';
import type { LocalLake } from '../../src/core/lake/local-lake.js';
import { csv, readParquet, run, tempDir, tempLake } from '../helpers/temp-lake.js';

const HEADER = 'order_id,customer_id,ordered_at,amount';

async function ingest(lake: LocalLake, options: Partial<IngestContext> = {}): Promise<FileReport[]> {
  const workDir = tempDir();
  const db = await DuckDBSession.open({ workDir, threads: 2 });
  try {
    return await ingestInbox({ lake, db, workDir, runId: 'test', ...options });
  } finally {
    db.closeSync();
  }
}

/** order_id → ordered_at as staged (UTC, `YYYY-MM-DD HH:MM:SS`), and `line: reason` of each reject. */
async function outcome(dir: string, report: FileReport) {
  const staged = await readParquet(dir, report.staging_key!, 'order_id');
  const rejects = report.rejects_key ? await readParquet(dir, report.rejects_key, '_source_line') : [];
  return {
    dates: Object.fromEntries(staged.map((r) => [r.order_id, String(r.ordered_at).replace('T', ' ').slice(0, 19)])),
    rejects: rejects.map((r) => `${r._source_line}: ${r._reject_reason}`),
  };
}

/** One order a line, ordered_at as given, from o1. */
const orders = (...dates: string[]) => csv(HEADER, ...dates.map((date, i) => `o${i + 1},c1,${date},10`));

const AMBIGUOUS = 'ordered_at is ambiguous: no date in this file shows whether the day or the month comes first (declare ingest.formats.date_order)';
const MIXED = 'ordered_at is ambiguous: this file writes dates both day first and month first (declare ingest.formats.date_order)';

describe('locale dates: day first or month first only when the file proves it', () => {
  it('reads every numeric date day first when one has a first part above 12', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put(
      'inbox/orders/day-first.csv',
      orders(
        '13/01/2024 09:00', // 13 can be no month: day first, 2024-01-13 09:00
        '01/02/2024', // 1 February
        '1.2.2024 13:51', // 1 February, 13:51
        '05-06-2024 7:05:09', // 5 June, 07:05:09
        '01.02.2024 13:51+01:00', // 1 February 13:51 at UTC+1: 12:51 UTC
        '2024-03-04T10:00:00Z', // ISO 8601 as always
        '31/02/2024', // 31 February: no date
        '01/02-2024', // two different separators: no date
      ),
    );

    // Act
    const [report] = await ingest(lake);

    // Assess
    const read = await outcome(dir, report!);
    expect(read.dates).toEqual({
      o1: '2024-01-13 09:00:00',
      o2: '2024-02-01 00:00:00',
      o3: '2024-02-01 13:51:00',
      o4: '2024-06-05 07:05:09',
      o5: '2024-02-01 12:51:00',
      o6: '2024-03-04 10:00:00',
    });
    expect(read.rejects).toEqual(["8: ordered_at is not a valid timestamp: '31/02/2024'", "9: ordered_at is not a valid timestamp: '01/02-2024'"]);
  });

  it('reads every numeric date month first when one has a second part above 12', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/month-first.csv', orders('01/13/2024', '1/2/2024 09:00', '12/11/2024 23:59:59.5'));

    // Act
    const [report] = await ingest(lake);

    // Assess: 13 January; 2 January 09:00; 11 December 23:59:59.5
    const read = await outcome(dir, report!);
    expect(read.dates).toEqual({ o1: '2024-01-13 00:00:00', o2: '2024-01-02 09:00:00', o3: '2024-12-11 23:59:59' });
    expect(read.rejects).toEqual([]);
  });

  it('rejects a date that reads differently either way when the file never says, but not one with day and month equal', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    const file = orders('01/02/2024', '03/04/2024 10:00', '05/05/2024', '2024-01-07');
    put('inbox/orders/ambiguous.csv', file);

    // Act
    const [report] = await ingest(lake);

    // Assess: 05/05 is 5 May either way; the ISO date is read as always
    const read = await outcome(dir, report!);
    expect(read.dates).toEqual({ o3: '2024-05-05 00:00:00', o4: '2024-01-07 00:00:00' });
    expect(read.rejects).toEqual([`2: ${AMBIGUOUS}: '01/02/2024'`, `3: ${AMBIGUOUS}: '03/04/2024 10:00'`]);
    expect(report!.top_reasons).toEqual([{ reason: AMBIGUOUS, rows: 2 }]);

    // Act: declared day first, the same file reads whole; a date against the declaration is no date
    const { dir: declaredDir, lake: declaredLake, put: putDeclared } = tempLake();
    putDeclared('inbox/orders/ambiguous.csv', `${file}o5,c1,01/13/2024,10\n`);
    const [declared] = await ingest(declaredLake, { formats: { date_order: 'day_first' } });

    // Assess: 1 February, 3 April 10:00, 5 May, 7 January; 01/13 has no month 13
    const declaredRead = await outcome(declaredDir, declared!);
    expect(declaredRead.dates).toEqual({ o1: '2024-02-01 00:00:00', o2: '2024-04-03 10:00:00', o3: '2024-05-05 00:00:00', o4: '2024-01-07 00:00:00' });
    expect(declaredRead.rejects).toEqual(["6: ordered_at is not a valid timestamp: '01/13/2024'"]);
  });

  it('rejects the numeric dates that depend on the order when the file proves both orders', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/mixed.csv', orders('13/01/2024', '01/13/2024', '02/02/2024', '2024-01-07'));

    // Act
    const [report] = await ingest(lake);

    // Assess: 02/02 is the same either way
    const read = await outcome(dir, report!);
    expect(read.dates).toEqual({ o3: '2024-02-02 00:00:00', o4: '2024-01-07 00:00:00' });
    expect(read.rejects).toEqual([`2: ${MIXED}: '13/01/2024'`, `3: ${MIXED}: '01/13/2024'`]);
  });
});

describe('locale: the European Excel re-save', () => {
  it("loads ';', decimal commas and day-first dates whole, and builds the models from them", async () => {
    // Prepare: the canonical orders file saved again by a European Excel. Hand-derived rows:
    // o1 c1 2024-01-01 13:51 44.48; o2 c1 2024-02-15 09:05 1250.00; o3 c2 2024-03-03 18:00 19.90, refunded in full.
    const { dir, lake, put } = tempLake();
    put(
      'inbox/orders/orders.csv',
      csv(
        'order_id;customer_id;ordered_at;amount;refunded_amount;currency;status',
        'o1;c1;01.01.2024 13:51;44,48;0,00;EUR;completed',
        'o2;c1;15.02.2024 09:05;1.250,00;0;EUR;completed',
        'o3;c2;03.03.2024 18:00;19,90;19,90;EUR;refunded',
      ),
    );

    // Act
    const manifest = await run(lake, { asOf: '2024-03-31' });

    // Assess
    expect(manifest.error).toBeUndefined();
    expect(manifest.ingest.files).toMatchObject([{ outcome: 'loaded', rows_in: 3, rows_loaded: 3, rows_rejected: 0 }]);
    const staged = await readParquet(dir, manifest.ingest.files[0]!.staging_key!, 'order_id');
    expect(staged.map((r) => [r.order_id, String(r.ordered_at).replace('T', ' ').slice(0, 16), String(r.amount), String(r.refunded_amount)])).toEqual([
      ['o1', '2024-01-01 13:51', '44.48', '0.00'],
      ['o2', '2024-02-15 09:05', '1250.00', '0.00'],
      ['o3', '2024-03-03 18:00', '19.90', '19.90'],
    ]);
    // c1: 44.48 + 1250.00 = 1294.48; c2's one order is refunded in full: 0.00
    const summary = await readParquet(dir, 'metrics/customer_summary/v1/data.parquet', 'customer_id');
    expect(summary.map((r) => [r.customer_id, String(r.revenue)])).toEqual([
      ['c1', '1294.48'],
      ['c2', '0.00'],
    ]);
  });

  it('takes the formats of the lake settings over what the file would leave ambiguous', async () => {
    // Prepare: nothing in the file shows its marks or its order; loyaltylake.yml declares them
    const { dir, lake, put } = tempLake();
    put('loyaltylake.yml', 'ingest:\n  formats:\n    decimal_mark: ","\n    date_order: day_first\n');
    put('inbox/orders/orders.csv', csv('order_id;customer_id;ordered_at;amount', 'o1;c1;02.03.2024;1.250', 'o2;c1;04.03.2024 10:00;7'));

    // Act
    const manifest = await run(lake, { asOf: '2024-03-31' });

    // Assess: 2 March, 1250.00; 4 March 10:00, 7.00
    expect(manifest.error).toBeUndefined();
    const staged = await readParquet(dir, manifest.ingest.files[0]!.staging_key!, 'order_id');
    expect(staged.map((r) => [r.order_id, String(r.ordered_at).replace('T', ' ').slice(0, 16), String(r.amount)])).toEqual([
      ['o1', '2024-03-02 00:00', '1250.00'],
      ['o2', '2024-03-04 10:00', '7.00'],
    ]);
  });
});
