// A backfill on S3 (s3rver): history snapshots only, metrics/ and latest.json untouched
// (backfill.test.ts: the same on a local lake).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCloud } from '../../dev/local-cloud.js';
import { readText } from '../../src/core/lake/lake-helpers.js';
import { S3Lake } from '../../src/core/lake/s3-lake.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { hashObjects } from '../helpers/lake-state.js';
import { ORDERS } from '../helpers/publish-crash.js';
import { tempDir } from '../helpers/temp-lake.js';

describe('a backfill on S3 (s3rver)', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });

  it('writes history snapshots only, keyed by as-of date and settings', async () => {
    // Prepare: a published lake (as-of 2024-02-10 from the data)
    const lake = new S3Lake(`${cloud.lakeUri}/backfill`);
    const path = join(tempDir(), 'orders.csv');
    writeFileSync(path, ORDERS);
    await lake.upload(path, 'inbox/orders/orders.csv');
    const current = await runPipeline({ lake, threads: 2 });
    expect(current.status).toBe('succeeded');
    const metricsBefore = await hashObjects(lake, ['metrics/']);
    const latestBefore = await readText(lake, '_runs/latest.json');

    // Act
    const backfill = await runPipeline({ lake, threads: 2, asOf: '2024-01-31' });

    // Assess
    expect(backfill).toMatchObject({ status: 'succeeded', publish_mode: 'history_only', backfill: { current_run_id: current.run_id } });
    expect(await hashObjects(lake, ['metrics/'])).toEqual(metricsBefore);
    expect(await readText(lake, '_runs/latest.json')).toBe(latestBefore);
    const snapshots = (await lake.list('history/customer_summary/v1/')).map((o) => o.key);
    expect(snapshots).toEqual([
      `history/customer_summary/v1/as_of=2024-01-31/settings=${backfill.history_settings}/data.parquet`,
      `history/customer_summary/v1/as_of=2024-02-10/settings=${current.history_settings}/data.parquet`,
    ]);
    expect(await lake.list('_runs/publish')).toEqual([]);
  }, 60_000);
});
