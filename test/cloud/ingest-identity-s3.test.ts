import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as ingest } from '../../functions/ingest.js';
import { handler as transform } from '../../functions/transform.js';
import { readJson } from '../../src/core/lake/lake-helpers.js';
import type { RunManifest } from '../../src/core/pipeline/run-manifest.js';
import { LocalCloud } from '../../dev/local-cloud.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { S3Lake } from '../../src/core/lake/s3-lake.js';
import { csv, tempDir } from '../helpers/temp-lake.js';

const ORDERS = csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c2,2024-01-20,20');
/** A CJK name of `chars` characters (3 UTF-8 bytes each). */
const cjk = (chars: number) => '注文データ'.repeat(chars).slice(0, chars);

describe('long object keys and ingest records on S3', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await LocalCloud.start();
    process.env.SCRATCH_DIR = join(tempDir(), 'lambda-tmp');
  });
  afterAll(async () => {
    await cloud.stop();
    delete process.env.SCRATCH_DIR;
  });

  async function drop(key: string, content: string): Promise<void> {
    const path = join(tempDir(), 'upload');
    writeFileSync(path, content);
    await cloud.drop(path, key);
  }

  it('ingests 200-byte and 1000-byte CJK names (through the pipeline and the ingest handler), and the file after them', async () => {
    // Prepare: s3rver keeps each key segment as a file name, so the 1000 bytes span folders of 228 bytes.
    const lake = new S3Lake(`${cloud.lakeUri}/pipeline`);
    const name200 = `inbox/orders/a/${cjk(66)}.csv`;
    const name1000 = `inbox/orders/b/${[1, 2, 3, 4].map(() => cjk(76)).join('/')}.csv`;
    expect(Buffer.byteLength(name200)).toBeGreaterThanOrEqual(200 + 'inbox/orders/a/'.length);
    expect(Buffer.byteLength(name1000)).toBeGreaterThan(900 + 'inbox/orders/b/'.length);
    for (const key of [name200, name1000, 'inbox/orders/c.csv']) await drop(`pipeline/${key}`, ORDERS.replaceAll(/,c(\d)/g, `,c${key.length}-$1`));
    cloud.takeEvents();

    // Act
    const manifest = await runPipeline({ lake, threads: 2, asOf: '2024-01-31' });
    const again = await runPipeline({ lake, threads: 2, asOf: '2024-01-31' });
    await drop(`handler/${name1000}`, ORDERS);
    await drop('handler/inbox/orders/c.csv', ORDERS);
    process.env.LAKE_URI = `${cloud.lakeUri}/handler`;
    const handled = await ingest(cloud.takeEvents());

    // Assess
    expect(manifest.error).toBeUndefined();
    expect(manifest.ingest.files.map((f) => f.error)).toEqual([undefined, undefined, undefined]);
    expect(manifest.ingest.files.map((f) => [f.key, f.outcome])).toEqual([
      [name200, 'loaded'],
      [name1000, 'loaded'],
      ['inbox/orders/c.csv', 'loaded'],
    ]);
    expect(again.ingest.files_already_ingested).toBe(3);
    expect(handled).toEqual({ batchItemFailures: [] });
    const staged = (await new S3Lake(`${cloud.lakeUri}/handler`).list('staging/')).map((o) => o.key);
    expect(staged).toHaveLength(2);
    for (const key of staged) expect(Buffer.byteLength(key)).toBeLessThan(130);
  });

  it("counts the files the ingest handler loaded in the next transform's manifest, once", async () => {
    process.env.LAKE_URI = `${cloud.lakeUri}/records`;
    cloud.takeEvents();
    await drop('records/inbox/orders/a.csv', ORDERS);
    await drop('records/inbox/orders/b.csv', csv('order_id,customer_id,ordered_at,amount', 'o3,c3,2024-01-07,-5'));

    expect(await ingest(cloud.takeEvents())).toEqual({ batchItemFailures: [] });
    await transform({});
    const lake = new S3Lake(process.env.LAKE_URI);
    const first = await readJson<RunManifest>(lake, '_runs/latest.json');
    await transform({ force: true });
    const second = await readJson<RunManifest>(lake, '_runs/latest.json');

    expect(first!.ingest.files.map((f) => [f.key, f.ingested_by_unfinished_run?.startsWith('ingest-')])).toEqual([
      ['inbox/orders/a.csv', true],
      ['inbox/orders/b.csv', true],
    ]);
    expect(first!.ingest).toMatchObject({ rows_in: 3, rows_loaded: 2, rows_rejected: 1 });
    expect(second!.run_id).not.toBe(first!.run_id);
    expect(second!.ingest).toMatchObject({ files: [], rows_in: 0 });
  });
});
