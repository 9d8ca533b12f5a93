import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ingestKeys } from '../../src/core/ingest/ingest.js';
import { inputFileId } from '../../src/core/lake/lake-layout.js';
import { csv, ingestOnly, readParquet, tempLake } from '../helpers/temp-lake.js';

const ORDERS = csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c2,2024-01-20,20');
const bytes = (text: string) => Buffer.byteLength(text);
/** A CJK name of about `size` UTF-8 bytes (3 bytes a character), ending in `ending`. */
const cjk = (size: number, ending = '') => `${'注文データ'.repeat(size).slice(0, Math.floor((size - bytes(ending)) / 3))}${ending}`;

describe('file identity: long names', () => {
  it('keeps short paths as they are, so files ingested before keep their ids', () => {
    expect(inputFileId('2024/orders.csv', '"0123456789abcdef"')).toBe('2024/orders.csv@0123456789ab');
    const longest = `${'a'.repeat(180)}/${'b'.repeat(180)}/${'c'.repeat(180)}/${'d'.repeat(180)}/${'e'.repeat(76)}`; // 800 bytes, no segment over 180
    expect(inputFileId(longest, 'ffffffffffffff')).toBe(`${longest}@ffffffffffff`);
  });

  it('hashes a path with a segment over 180 bytes or over 800 bytes in all, keeping the start of its name', () => {
    for (const path of [cjk(200, '.csv'), `2024/${cjk(1000, '.csv')}`, `${'a/'.repeat(400)}x.csv`, 'b'.repeat(181)]) {
      const id = inputFileId(path, 'ffffffffffffffff');
      expect(bytes(id), path).toBeLessThanOrEqual(60 + 1 + 16 + 13);
      expect(id).toMatch(/^[^/]+~[0-9a-f]{16}@ffffffffffff$/);
      expect(path.split('/').at(-1)!.startsWith(id.split('~')[0]!)).toBe(true);
    }
    const [a, b] = [cjk(300, '-1.csv'), cjk(300, '-2.csv')];
    expect(inputFileId(a, 'ff')).not.toBe(inputFileId(b, 'ff'));
    // A character is never cut in half.
    expect(inputFileId(cjk(200, '.csv'), 'ff').split('~')[0]).toBe(cjk(200).slice(0, 20));
  });

  it('ingests a file with a 200-byte CJK name, and the file after it, and knows both on the next run', async () => {
    // Prepare: the long name sorts first, so that the file after it shows the run went on.
    const { dir, lake, put } = tempLake();
    const long = `inbox/orders/a/${cjk(200, '.csv')}`;
    expect(bytes(long.split('/').at(-1)!)).toBeGreaterThanOrEqual(187);
    put(long, ORDERS);
    // 250 bytes: the longest a file system allows, and no room for a suffix in scratch either.
    const longest = `inbox/orders/a2/${cjk(250, '.csv.gz')}`;
    put(longest, gzipSync(ORDERS));
    put('inbox/orders/b.csv', csv('order_id,customer_id,ordered_at,amount', 'o3,c3,2024-02-01,30'));
    put(`inbox/customers/${cjk(240, '.csv')}`, 'not,a\n"valid csv\n');
    // 180 bytes: the longest name kept as it is, also in the longest names made from it (a quarantine report)
    const kept = `inbox/customers/${cjk(176)}xx.csv`;
    expect(bytes(kept.split('/').at(-1)!)).toBe(180);
    put(kept, 'not,a\n"valid csv\n');

    // Act
    const first = await ingestOnly(lake);
    const second = await ingestOnly(lake);

    // Assess
    expect(first.map((r) => [r.key, r.outcome])).toEqual([
      [kept, 'quarantined'],
      [`inbox/customers/${cjk(240, '.csv')}`, 'quarantined'],
      [long, 'loaded'],
      [longest, 'loaded'],
      ['inbox/orders/b.csv', 'loaded'],
    ]);
    expect(second.map((r) => r.outcome)).toEqual(Array(5).fill('already_ingested'));
    expect(first[0]!.quarantine_key).toBe(`quarantine/customers/${cjk(176)}xx.csv@${first[0]!.etag.slice(0, 12)}`);
    const staged = await readParquet(dir, first[2]!.staging_key!, '_source_line');
    expect(staged.map((row) => [row.order_id, row._source_key])).toEqual([['o1', long], ['o2', long]]);
    expect(first[2]!.staging_key).toMatch(/^staging\/orders\/注文データ.*~[0-9a-f]{16}@[0-9a-f]{12}\.parquet$/);
  });

  it('ingests a file whose key is over 1000 bytes', async () => {
    const { lake, put } = tempLake();
    // A file system allows 255 bytes per name: the 1000 bytes span several folders, none over 180 bytes.
    const long = `inbox/orders/a/${[1, 2, 3, 4, 5].map(() => cjk(180)).join('/')}/${cjk(100, '.csv')}`;
    expect(bytes(long)).toBeGreaterThan(1000);
    put(long, ORDERS);
    put('inbox/orders/b.csv', ORDERS);
    const reports = await ingestOnly(lake);
    expect(reports.map((r) => [r.key, r.outcome, r.rows_loaded])).toEqual([
      [long, 'loaded', 2],
      ['inbox/orders/b.csv', 'loaded', 2],
    ]);
    expect(bytes(reports[0]!.staging_key!)).toBeLessThan(130);
  });
});

describe('file identity: the dataset or preset a file is read as', () => {
  // Total: since issue 11 the preset reads it (refunds are taken at the Subtotal/Total share).
  const SHOPIFY = csv(
    'Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Cancelled at,Refunded Amount',
    '#1001,ann@example.com,paid,EUR,30.00,35.70,2024-01-05 10:15:32 +0100,,0.00',
    '#1002,bob@example.com,paid,EUR,25.00,29.75,2024-02-01 09:00:00 -0500,,0.00',
  );

  it('loads a vendor export refused under inbox/orders/<preset>/ once it is put under inbox/<preset>/', async () => {
    // Prepare: the export dropped one folder too deep is read as orders, and refused.
    const { dir, lake, put } = tempLake();
    put('inbox/orders/shopify_orders/orders_export.csv', SHOPIFY);
    const misplaced = await ingestOnly(lake);
    expect(misplaced).toMatchObject([{ outcome: 'quarantined', error: expect.stringMatching(/missing required column/) }]);

    // Act: the same file, where it belongs
    put('inbox/shopify_orders/orders_export.csv', SHOPIFY);
    const reports = await ingestOnly(lake);

    // Assess
    expect(reports.map((r) => [r.key, r.outcome, r.rows_loaded])).toEqual([
      ['inbox/orders/shopify_orders/orders_export.csv', 'already_ingested', undefined],
      ['inbox/shopify_orders/orders_export.csv', 'loaded', 2],
    ]);
    const staged = await readParquet(dir, reports[1]!.staging_key!, 'order_id');
    expect(staged.map((row) => row.order_id)).toEqual(['#1001', '#1002']);
  });

  it('gives a file each of the names it can be read under its own id', () => {
    const object = (key: string) => ({ key, etag: '0123456789abcdef', size: 1, lastModified: new Date(0) });
    const ids = [
      'inbox/orders/shopify_orders/x.csv',
      'inbox/shopify_orders/x.csv',
      'inbox/orders/~shopify_orders/x.csv',
      'inbox/orders/~~shopify_orders/x.csv',
      'inbox/orders/~x.csv',
      'inbox/orders/x.csv',
    ].map((key) => ingestKeys(object(key)).staging);
    expect(new Set(ids).size).toBe(ids.length);
    // Ordinary files and preset files keep the ids they had.
    expect(ids.at(-1)).toBe('staging/orders/x.csv@0123456789ab.parquet');
    expect(ids.at(-2)).toBe('staging/orders/~x.csv@0123456789ab.parquet');
    expect(ids[1]).toBe('staging/orders/shopify_orders/x.csv@0123456789ab.parquet');
  });
});
