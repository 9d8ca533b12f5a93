import { describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { ingestInbox, type FileReport, type IngestContext } from '../../src/core/ingest/ingest.js';
import type { LocalLake } from '../../src/core/lake/local-lake.js';
import { csv, readParquet, tempDir, tempLake } from '../helpers/temp-lake.js';

const HEADER = 'order_id,customer_id,ordered_at,amount,refunded_amount,currency,status';
const NBSP = '\u00a0';
const NARROW_NBSP = '\u202f';

/** Ingests the inbox (no models) with the given context options. */
async function ingest(lake: LocalLake, options: Partial<IngestContext> = {}): Promise<FileReport[]> {
  const workDir = tempDir();
  const db = await DuckDBSession.open({ workDir, threads: 2 });
  try {
    return await ingestInbox({ lake, db, workDir, runId: 'test', ...options });
  } finally {
    db.closeSync();
  }
}

/** order_id → amount as staged text, and `line: reason` of each reject. */
async function outcome(dir: string, report: FileReport) {
  const staged = await readParquet(dir, report.staging_key!, 'order_id');
  const rejects = report.rejects_key ? await readParquet(dir, report.rejects_key, '_source_line') : [];
  return {
    amounts: Object.fromEntries(staged.map((r) => [r.order_id, String(r.amount)])),
    refunds: Object.fromEntries(staged.map((r) => [r.order_id, String(r.refunded_amount)])),
    rejects: rejects.map((r) => `${r._source_line}: ${r._reject_reason}`),
  };
}

describe('locale amounts: a file is read in the conventions it proves', () => {
  it('reads thousands commas, currency symbols and codes once a value proves "." is the decimal mark', async () => {
    // Prepare: "1,250.00" proves it (a comma group, then .dd); so "1,250" is 1250 here.
    const { dir, lake, put } = tempLake();
    put(
      'inbox/orders/thousands.csv',
      csv(
        HEADER,
        'o1,c1,2024-01-05,"1,250.00",0,USD,completed', // 1250.00
        'o2,c1,2024-01-06,44.48,0,USD,completed', // 44.48, as today
        'o3,c2,2024-01-07,"$1,250.00",0,USD,completed', // $ names no one currency: not compared
        'o4,c2,2024-01-08,"12,500,000.5",0,USD,completed', // 12500000.50
        'o5,c3,2024-01-09,"1,250",0,USD,completed', // 1250.00: the file proves ',' groups thousands
        'o6,c3,2024-01-10,USD 12.00,0,USD,completed', // the row's own currency: 12.00
        'o7,c3,2024-01-11,EUR 12.00,0,USD,completed', // another currency than the row's: rejected
        `o8,c4,2024-01-12,1${NBSP}250.00,0,USD,completed`, // a no-break space groups thousands: 1250.00
        'o9,c4,2024-01-13,"1,250.005",0,USD,completed', // 1250.005: more than 2 decimals, rejected
        'o10,c4,2024-01-14,"1,2,3",0,USD,completed', // no grouping: not a number
      ),
    );

    // Act
    const [report] = await ingest(lake);

    // Assess
    expect(report).toMatchObject({ outcome: 'loaded', rows_in: 10, rows_loaded: 7, rows_rejected: 3 });
    const { amounts, rejects } = await outcome(dir, report!);
    expect(amounts).toEqual({ o1: '1250.00', o2: '44.48', o3: '1250.00', o4: '12500000.50', o5: '1250.00', o6: '12.00', o8: '1250.00' });
    expect(rejects).toEqual([
      "8: amount is written in another currency than its row's (or the lake's): 'EUR 12.00'",
      "10: amount has more than 2 decimal places: '1,250.005'",
      "11: amount is not a valid decimal: '1,2,3'",
    ]);
  });

  it('reads a decimal comma with "." or spaces grouping thousands, and a euro sign either side', async () => {
    // Prepare: "44,48" proves ',' is the decimal mark; so "€ 1.250" is 1250.
    const { dir, lake, put } = tempLake();
    put(
      'inbox/orders/comma.csv',
      csv(
        HEADER,
        'o1,c1,2024-01-05,"44,48","0,00",EUR,completed', // 44.48, refund 0.00
        'o2,c1,2024-01-06,"1.250,00 €","12,5",EUR,completed', // 1250.00, refund 12.50
        'o3,c2,2024-01-07,€ 1.250,0,EUR,completed', // 1250.00
        `o4,c2,2024-01-08,"1${NARROW_NBSP}250,5",0,EUR,completed`, // a narrow no-break space groups: 1250.50
        'o5,c3,2024-01-09,"-3,00",0,EUR,completed', // -3.00
        'o6,c3,2024-01-10,"£ 3,00",0,EUR,completed', // £ is GBP, not the row's EUR
        'o7,c3,2024-01-11,20,0,,completed', // 20.00, no currency
      ),
    );

    // Act
    const [report] = await ingest(lake);

    // Assess
    expect(report).toMatchObject({ outcome: 'loaded', rows_in: 7, rows_loaded: 5, rows_rejected: 2 });
    const { amounts, refunds, rejects } = await outcome(dir, report!);
    expect(amounts).toEqual({ o1: '44.48', o2: '1250.00', o3: '1250.00', o4: '1250.50', o7: '20.00' });
    expect(refunds).toEqual({ o1: '0.00', o2: '12.50', o3: '0.00', o4: '0.00', o7: '0.00' });
    expect(rejects).toEqual([
      // -3,00 is read as -3.00: below the minimum, and below its refund of 0
      '6: amount must be ≥ 0, got -3,00; refunded_amount is greater than amount',
      "7: amount is written in another currency than its row's (or the lake's): '£ 3,00'",
    ]);
  });

  it('rejects a value whose reading depends on the decimal mark when the file never shows it, unless the mark is declared', async () => {
    // Prepare: "1,250" and "1.250" are 1250 or 1.25; "20" and "1 250" (a space groups) are the same either way.
    const { dir, lake, put } = tempLake();
    const file = csv(HEADER, 'o1,c1,2024-01-05,"1,250",0,EUR,completed', 'o2,c1,2024-01-06,1.250,0,EUR,completed', 'o3,c1,2024-01-07,20,0,EUR,completed', 'o4,c1,2024-01-08,1 250,0,EUR,completed');
    put('inbox/orders/unknown.csv', file);
    const ambiguous = "amount is ambiguous: no value in this file shows whether '.' or ',' is the decimal mark (declare ingest.formats.decimal_mark)";

    // Act
    const [detected] = await ingest(lake);

    // Assess
    expect(detected).toMatchObject({ outcome: 'loaded', rows_loaded: 2, rows_rejected: 2, top_reasons: [{ reason: ambiguous, rows: 2 }] });
    const read = await outcome(dir, detected!);
    expect(read.amounts).toEqual({ o3: '20.00', o4: '1250.00' });
    expect(read.rejects).toEqual([`2: ${ambiguous}: '1,250'`, `3: ${ambiguous}: '1.250'`]);

    // Act: the same rows declared with '.' and then with ',' as the decimal mark
    const { dir: dotDir, lake: dotLake, put: putDot } = tempLake();
    putDot('inbox/orders/unknown.csv', file);
    const [dot] = await ingest(dotLake, { formats: { decimal_mark: '.' } });
    const { dir: commaDir, lake: commaLake, put: putComma } = tempLake();
    putComma('inbox/orders/unknown.csv', file);
    const [comma] = await ingest(commaLake, { formats: { decimal_mark: ',' } });

    // Assess: '.' reads 1,250 as 1250 and 1.250 as 1.25 (a zero past the second decimal); ',' the other way round
    expect((await outcome(dotDir, dot!)).amounts).toEqual({ o1: '1250.00', o2: '1.25', o3: '20.00', o4: '1250.00' });
    expect((await outcome(commaDir, comma!)).amounts).toEqual({ o1: '1.25', o2: '1250.00', o3: '20.00', o4: '1250.00' });
  });

  it('takes a value written as the spec writes it as proof of its "." too: 12.00 and 12.5, not 1.250', async () => {
    // Prepare: "1,250" is ambiguous alone; "12.00" (a) or "12.5" (b) proves '.', so it is 1250; "1.250" (c) proves nothing
    const { dir, lake, put } = tempLake();
    put('inbox/orders/a.csv', csv(HEADER, 'o1,c1,2024-01-05,"1,250",0,EUR,completed', 'o2,c1,2024-01-06,12.00,0,EUR,completed'));
    put('inbox/orders/b.csv', csv(HEADER, 'o3,c1,2024-01-05,"1,250",0,EUR,completed', 'o4,c1,2024-01-06,12.5,0,EUR,completed'));
    put('inbox/orders/c.csv', csv(HEADER, 'o5,c1,2024-01-05,"1,250",0,EUR,completed', 'o6,c1,2024-01-06,1.250,0,EUR,completed'));

    // Act
    const [a, b, c] = await ingest(lake);

    // Assess
    expect((await outcome(dir, a!)).amounts).toEqual({ o1: '1250.00', o2: '12.00' });
    expect((await outcome(dir, b!)).amounts).toEqual({ o3: '1250.00', o4: '12.50' });
    expect(c).toMatchObject({ rows_loaded: 0, rows_rejected: 2 });
  });

  it('rejects the values with a decimal mark when the file proves both marks', async () => {
    // Prepare: "1,250.00" proves '.', "44,48" proves ','
    const { dir, lake, put } = tempLake();
    put('inbox/orders/mixed.csv', csv(HEADER, 'o1,c1,2024-01-05,"1,250.00",0,EUR,completed', 'o2,c1,2024-01-06,"44,48",0,EUR,completed', 'o3,c1,2024-01-07,20,0,EUR,completed'));
    const mixed = "amount is ambiguous: this file writes amounts with both '.' and ',' as the decimal mark (declare ingest.formats.decimal_mark)";

    // Act
    const [report] = await ingest(lake);

    // Assess
    const read = await outcome(dir, report!);
    expect(read.amounts).toEqual({ o3: '20.00' });
    expect(read.rejects).toEqual([`2: ${mixed}: '1,250.00'`, `3: ${mixed}: '44,48'`]);
  });

  it('reads amounts in each column by its own evidence', async () => {
    // Prepare: amount proves ',' ("9,99"); refunded_amount proves '.' ("1,000.50")
    const { dir, lake, put } = tempLake();
    put('inbox/orders/columns.csv', csv(HEADER, 'o1,c1,2024-01-05,"9,99",0,EUR,completed', 'o2,c1,2024-01-06,"2.000,00","1,000.50",EUR,completed'));

    // Act
    const [report] = await ingest(lake);

    // Assess
    const read = await outcome(dir, report!);
    expect(read.amounts).toEqual({ o1: '9.99', o2: '2000.00' });
    expect(read.refunds).toEqual({ o1: '0.00', o2: '1000.50' });
  });

  it("reads a Stripe payments export's thousands separators through its preset", async () => {
    // Prepare: Stripe's unified payments layout (the header of test/ingest/presets.test.ts), amounts over 999 quoted with a comma
    const { dir, lake, put } = tempLake();
    put(
      'inbox/stripe_payments/unified_payments.csv',
      csv(
        'id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Converted Amount Refunded,Converted Currency,Description,Fee,Mode,Status,Statement Descriptor,Customer ID,Customer Description,Customer Email,Card ID,Invoice ID',
        'py_1,2024-01-05 10:15:32,"1,250.00",0.00,usd,true,"1,250.00",0.00,usd,Annual plan,36.55,Live,Paid,ACME,cus_A,,a@example.com,card_1,in_1',
        'py_2,2024-01-20 08:00:00,49.00,10.00,usd,true,49.00,10.00,usd,Club box,1.67,Live,Paid,ACME,cus_B,,b@example.com,card_2,in_2',
        'py_3,2024-02-01 09:30:00,"2,000.00","2,000.00",usd,true,"2,000.00","2,000.00",usd,Annual plan,58.30,Live,Refunded,ACME,cus_A,,a@example.com,card_1,',
      ),
    );

    // Act
    const [report] = await ingest(lake);

    // Assess: 1250.00; 49.00 refunded 10.00; 2000.00 refunded in full
    expect(report).toMatchObject({ outcome: 'loaded', rows_in: 3, rows_loaded: 3, rows_rejected: 0 });
    const read = await outcome(dir, report!);
    expect(read.amounts).toEqual({ py_1: '1250.00', py_2: '49.00', py_3: '2000.00' });
    expect(read.refunds).toEqual({ py_1: '0.00', py_2: '10.00', py_3: '2000.00' });
  });

  it('reads NDJSON and Parquet values as written: their numbers are typed, not a locale', async () => {
    // Prepare: a JSON string "1,250.00" is no amount there
    const { lake, put } = tempLake();
    put('inbox/orders/o.jsonl', `${JSON.stringify({ order_id: 'o1', customer_id: 'c1', ordered_at: '2024-01-05', amount: '1,250.00' })}\n`);

    // Act
    const [report] = await ingest(lake);

    // Assess
    expect(report).toMatchObject({ rows_rejected: 1, top_reasons: [{ reason: 'amount is not a valid decimal', rows: 1 }] });
  });
});
