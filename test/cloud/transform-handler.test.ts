import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as ingest } from '../../functions/ingest.js';
import { handler as transform } from '../../functions/transform.js';
import type { Lake } from '../../src/core/lake/lake.js';
import { S3Lake } from '../../src/core/lake/s3-lake.js';
import { withHooks } from '../helpers/counting-lake.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { latestManifest } from '../../src/core/pipeline/run-manifest.js';
import { LocalCloud } from '../../dev/local-cloud.js';
import { csv, query, tempDir } from '../helpers/temp-lake.js';


describe('transform handler', () => {
  let cloud: LocalCloud;
  let lake: S3Lake;
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });
  beforeEach(() => {
    process.env.LAKE_URI = `s3://${cloud.bucket}/t${Math.random().toString(36).slice(2, 8)}`;
    process.env.SCRATCH_DIR = join(tempDir(), 'lambda-tmp');
    lake = new S3Lake(process.env.LAKE_URI);
    cloud.takeEvents();
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  async function dropAndIngest(name: string, ...rows: string[]): Promise<void> {
    const path = join(tempDir(), name);
    (await import('node:fs')).writeFileSync(path, csv('order_id,customer_id,ordered_at,amount', ...rows));
    await cloud.drop(path, `${lake.prefix}inbox/orders/${name}`);
    expect(await ingest(cloud.takeEvents())).toEqual({ batchItemFailures: [] });
  }

  /** Every published table, read with DuckDB: proves each file is whole. */
  async function readTables(): Promise<Record<string, Record<string, unknown>[]>> {
    const dir = tempDir();
    const tables: Record<string, Record<string, unknown>[]> = {};
    for (const { key } of await lake.list('metrics/')) {
      const path = join(dir, key.replaceAll('/', '_'));
      await lake.download(key, path);
      tables[key] = await query(`select * from read_parquet('${path}') order by all`);
    }
    return tables;
  }

  it('runs once for a burst of files, then skips until something new lands', async () => {
    // Prepare: five files land before the schedule ticks
    for (let i = 1; i <= 5; i++) await dropAndIngest(`part-${i}.csv`, `o${i},c${i},2024-0${i}-10,${i}0`);

    // Act: three ticks
    const ticks = [await transform({}), await transform({}), await transform({})];

    // Assess
    expect(ticks.map((t) => t.status)).toEqual(['succeeded', 'skipped', 'skipped']);
    expect(ticks[1]!.reason).toMatch(/^nothing new since run /);
    await dropAndIngest('part-6.csv', 'o6,c6,2024-06-10,60');
    expect(await transform({})).toMatchObject({ status: 'succeeded', as_of: '2024-06-10' });
  });

  it('leaves every table whole when S3 goes away in the middle of publishing, and the next run publishes', async () => {
    // Prepare: a published state, then new data
    await dropAndIngest('first.csv', 'o1,c1,2024-01-10,10', 'o2,c2,2024-02-10,20');
    expect(await transform({})).toMatchObject({ status: 'succeeded' });
    const before = await readTables();
    const previousRun = (await latestManifest(lake))!.run_id;
    await dropAndIngest('second.csv', 'o3,c1,2024-03-10,30');

    // Act: the server stops right after the first table is replaced
    cloud.stopAfterWriting((key) => key.startsWith(`${lake.prefix}metrics/`));
    await expect(transform({})).rejects.toThrow();
    await cloud.restartServer();

    // Assess: each table is the old one or the new one, never a part; the last manifest is untouched
    const during = await readTables();
    expect(Object.keys(during)).toEqual(Object.keys(before));
    const replaced = Object.keys(before).filter((t) => JSON.stringify(during[t]) !== JSON.stringify(before[t]));
    expect(replaced).toHaveLength(1);
    expect((await latestManifest(lake))!.run_id).toBe(previousRun);
    // and the next tick rolls the interrupted publish back first, then publishes everything
    expect(await transform({})).toMatchObject({ status: 'succeeded', as_of: '2024-03-10' });
    expect((await latestManifest(lake))!.recovered_publish).toMatchObject({ action: 'rolled_back', replaced: 1 });
    const after = await readTables();
    expect(after['metrics/customer_summary/v1/data.parquet']!.find((r) => r.customer_id === 'c1')).toMatchObject({ orders: '2', revenue: '40.00' });
  });

  it('puts the replaced tables back when a publish fails, records it in the manifest, and is retried on the next tick', async () => {
    // Prepare
    await dropAndIngest('first.csv', 'o1,c1,2024-01-10,10');
    expect(await transform({})).toMatchObject({ status: 'succeeded' });
    const before = await readTables();
    await dropAndIngest('second.csv', 'o2,c1,2024-02-10,20');

    // Act: the second table's upload fails (a wrapper around the real S3 lake)
    let metricsUploads = 0;
    const failing: Lake = withHooks(lake, {
      beforeWrite: (key) => {
        if (key.startsWith('metrics/') && ++metricsUploads === 2) throw new Error('injected: connection reset');
      },
    });
    const failed = await runPipeline({ lake: failing, ingest: false, scratchDir: tempDir() });

    // Assess
    expect(failed).toMatchObject({ status: 'failed', published: false });
    expect(failed.error).toMatch(/^injected: connection reset \(while publishing; put back the previous content of all \d+ objects\)$/);
    expect(await latestManifest(lake)).toMatchObject({ run_id: failed.run_id, status: 'failed' });
    expect(await readTables()).toEqual(before); // the first table was replaced, then put back
    const retried = await transform({});
    expect(retried).toMatchObject({ status: 'succeeded', as_of: '2024-02-10' });
  });

  it('stops without failing while another run holds the lake, and runs on a later tick', async () => {
    // Prepare: a CLI run elsewhere holds the lease
    await dropAndIngest('first.csv', 'o1,c1,2024-01-10,10');
    const path = join(tempDir(), 'lease.json');
    const until = new Date(Date.now() + 3_600_000).toISOString();
    (await import('node:fs')).writeFileSync(path, JSON.stringify({ run_id: 'cli-run', host: 'laptop', pid: 4242, expires_at: until }));
    await lake.upload(path, '_runs/lease.json');

    // Act
    const blocked = await transform({});

    // Assess: not thrown (no Lambda error), the reason logged; the lease holder is untouched
    expect(blocked).toMatchObject({ status: 'blocked', reason: expect.stringContaining(`another run (cli-run on laptop, pid 4242) holds the lake until ${until}`) });
    expect(await latestManifest(lake)).toBeUndefined();
    await lake.delete('_runs/lease.json');
    expect(await transform({})).toMatchObject({ status: 'succeeded' });
  });
});
