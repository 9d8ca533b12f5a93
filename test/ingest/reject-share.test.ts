import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { ingestInbox, ingestLimits, type FileReport, type IngestContext } from '../../src/core/ingest/ingest.js';
import { formatShare } from '../../src/core/ingest/reject-share.js';
import type { LocalLake } from '../../src/core/lake/local-lake.js';
import { LakeSettingsSchema } from '../../src/core/settings/lake-settings.js';
import { csv, tempDir, tempLake } from '../helpers/temp-lake.js';

async function ingest(lake: LocalLake, options: Partial<IngestContext> = {}): Promise<FileReport[]> {
  const workDir = tempDir();
  const db = await DuckDBSession.open({ workDir, threads: 2 });
  try {
    return await ingestInbox({ lake, db, workDir, runId: 'test', ...options });
  } finally {
    db.closeSync();
  }
}

const HEADER = 'order_id,customer_id,ordered_at,amount';
/** `count` good orders from o<from>. */
const good = (count: number, from = 1) => Array.from({ length: count }, (_, i) => `o${from + i},c1,2024-01-05,10.00`);
/** `count` orders from o<from> whose amount has a Swiss apostrophe grouping (1'250.00), which no reading takes. */
const swiss = (count: number, from: number) => Array.from({ length: count }, (_, i) => `o${from + i},c1,2024-01-05,1'250.00`);
const INVALID = 'amount is not a valid decimal';

describe('reject share: a file with too many rejected rows is refused whole', () => {
  it('loads the UCI invoices, whose rows without a customer are 1.4%, and lists that reason', async () => {
    // Prepare: test/fixtures/reference/online_cohorts.csv, one order per invoice row. 19,573 rows,
    // 277 with an empty CustomerID (counted by hand: awk -F, 'NR>1 && $1==""' | wc -l): 277 / 19,573 = 1.42%.
    const invoices = readFileSync(join(import.meta.dirname, '../fixtures/reference/online_cohorts.csv'), 'utf8').trim().split('\n').slice(1);
    const file = csv(HEADER, ...invoices.map((line, i) => `inv${i},${line},0`));
    const { lake, put } = tempLake();
    put('inbox/orders/invoices.csv', file);

    // Act
    const [report] = await ingest(lake);

    // Assess
    expect(report).toMatchObject({ outcome: 'loaded', rows_in: 19_573, rows_loaded: 19_296, rows_rejected: 277, top_reasons: [{ reason: 'customer_id is missing', rows: 277 }] });

    // Act: a stricter lake (1%) refuses the same file
    const { lake: strict, put: putStrict } = tempLake();
    putStrict('inbox/orders/invoices.csv', file);
    const [refused] = await ingest(strict, { maxRejectShare: 0.01 });

    // Assess
    expect(refused).toMatchObject({ outcome: 'quarantined' });
    expect(refused!.error).toBe(
      '277 of 19573 rows (1.4%) would be rejected, more than ingest.max_reject_share (1%): the file was refused whole. ' +
        'Top reasons: customer_id is missing (277 rows). Fix the file (or declare its formats), or raise ingest.max_reject_share',
    );
  });

  it('fails: quarantines a file a format problem rejects 171 of 906 rows of, with a report naming the share and the reasons', async () => {
    // Prepare: 735 good rows and 171 with amounts in a grouping no reading takes: 171 / 906 = 18.9%, said 19%
    const { dir, lake, put } = tempLake();
    put('inbox/orders/stripe.csv', csv(HEADER, ...good(735), ...swiss(171, 736)));

    // Act
    const [report] = await ingest(lake);

    // Assess
    const message =
      '171 of 906 rows (19%) would be rejected, more than ingest.max_reject_share (5%): the file was refused whole. ' +
      `Top reasons: ${INVALID} (171 rows). Fix the file (or declare its formats), or raise ingest.max_reject_share`;
    expect(report).toMatchObject({ outcome: 'quarantined', error: message });
    expect(report!.staging_key).toBeUndefined();
    const details = JSON.parse(readFileSync(join(dir, `${report!.quarantine_key}.error.json`), 'utf8'));
    expect(details).toMatchObject({ outcome: 'quarantined', error: message, rows_in: 906, rows_rejected: 171, top_reasons: [{ reason: INVALID, rows: 171 }] });
  });

  it('judges a file by its share from 10 rejected rows: 10 of 200 (5%) loads, 11 of 200 is refused, 9 of 9 loads', async () => {
    // Prepare
    const { lake, put } = tempLake();
    put('inbox/orders/a-at-limit.csv', csv(HEADER, ...good(190), ...swiss(10, 191)));
    put('inbox/orders/b-past-limit.csv', csv(HEADER, ...good(189), ...swiss(11, 190)));
    put('inbox/orders/c-small.csv', csv(HEADER, ...swiss(9, 1)));

    // Act
    const reports = await ingest(lake);

    // Assess: 10 / 200 = 5% is not more than 5%; 11 / 200 = 5.5% is; 9 rejects are too few to judge a share by
    expect(reports.map((r) => [r.key, r.outcome, r.rows_rejected])).toEqual([
      ['inbox/orders/a-at-limit.csv', 'loaded', 10],
      ['inbox/orders/b-past-limit.csv', 'quarantined', undefined],
      ['inbox/orders/c-small.csv', 'loaded', 9],
    ]);
    expect(reports[1]!.error).toMatch(/^11 of 200 rows \(5\.5%\) would be rejected, more than ingest\.max_reject_share \(5%\)/);
  });

  it('lists the five most frequent reasons without the values they quote, a row with two under both', async () => {
    // Prepare: per reason, the rows that break it
    const { lake, put } = tempLake();
    put(
      'inbox/orders/many.csv',
      csv(
        'order_id,customer_id,ordered_at,amount,currency,status',
        'o1,c1,2024-01-05,x1,EUR,completed', // amount invalid
        'o2,c1,2024-01-05,x2,EUR,completed', // amount invalid
        'o3,c1,2024-01-05,x3,EUR,completed', // amount invalid
        'o4,c1,2024-01-05,x4,EUR,completed', // amount invalid
        'o5,,2024-01-05,1,EUR,completed', // customer missing
        'o6,,2024-01-05,1,EUR,pending', // customer missing and status
        'o7,,2024-01-05,1,EUR,completed', // customer missing
        'o8,c1,2024-01-05,1,EUR,paid', // status
        'o9,c1,2024-01-05,1,EUR,open', // status
        'o10,c1,yesterday,1,EUR,completed', // ordered_at
        'o11,c1,today,1,EUR,completed', // ordered_at
        'o12,c1,2024-01-05,1.0001,EUR,completed', // more than 2 decimals (1.001 would be ambiguous: 1001 with '.' grouping)
        'o13,c1,2024-01-05,1,euro,completed', // currency: sixth, one row, and last alphabetically of those with one
        'o14,c1,2024-01-05,1,EUR,completed',
      ),
    );

    // Act
    const [report] = await ingest(lake, { maxRejectShare: 1 });

    // Assess: 4, 3, 3 (ties alphabetical), 2, 1 (ties alphabetical); 13 rows rejected
    expect(report).toMatchObject({ outcome: 'loaded', rows_loaded: 1, rows_rejected: 13 });
    expect(report!.top_reasons).toEqual([
      { reason: INVALID, rows: 4 },
      { reason: 'customer_id is missing', rows: 3 },
      { reason: 'status must be one of completed, refunded, cancelled', rows: 3 },
      { reason: 'ordered_at is not a valid timestamp', rows: 2 },
      { reason: 'amount has more than 2 decimal places', rows: 1 },
    ]);
  });

  it('takes ingest.max_reject_share from the lake settings, 5% by default', () => {
    expect(ingestLimits(LakeSettingsSchema.parse({})).maxRejectShare).toBe(0.05);
    expect(ingestLimits(LakeSettingsSchema.parse({ ingest: { max_reject_share: 0.2 } })).maxRejectShare).toBe(0.2);
    expect(LakeSettingsSchema.safeParse({ ingest: { max_reject_share: 1.5 } }).success).toBe(false);
    expect(ingestLimits(LakeSettingsSchema.parse({ ingest: { formats: { decimal_mark: ',' } } })).formats).toEqual({ decimal_mark: ',' });
  });

  it('says a share in few characters', () => {
    // 171/906 = 0.1887; 277/19573 = 0.01415; 11/200 = 0.055; 1/3000 = 0.00033; 2999/3000 = 0.99967
    expect([171 / 906, 277 / 19_573, 11 / 200, 0.05, 1 / 3000, 2999 / 3000, 1].map(formatShare)).toEqual(['19%', '1.4%', '5.5%', '5%', '<0.1%', '>99%', '100%']);
  });
});
