import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LocalCloud } from '../../dev/local-cloud.js';
import { csv, tempDir } from '../helpers/temp-lake.js';

describe('loyaltylake CLI on an S3 lake', () => {
  let cloud: LocalCloud;
  let output: string[];
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });
  beforeEach(() => {
    output = [];
    process.exitCode = undefined;
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('runs the whole pipeline against s3://bucket/prefix like against a folder', async () => {
    // Prepare
    const file = join(tempDir(), 'orders.csv');
    writeFileSync(file, csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c1,2024-02-05,20'));
    await cloud.drop(file, 'shop-a/inbox/orders/orders.csv');

    // Act
    await main(['run', '--lake', `s3://${cloud.bucket}/shop-a`]);

    // Assess
    const text = output.join('\n');
    expect(process.exitCode).toBeUndefined();
    expect(text).toMatch(/files {3}1 loaded, 0 quarantined/);
    expect(text).toMatch(/tables {2}s3:\/\/loyaltylake-local\/shop-a\/metrics\/<model>\/v<N>\/data.parquet \(\d+ tables\)/);
    const published = await cloud.lake().list('shop-a/metrics/');
    expect(published.map((o) => o.key)).toContain('shop-a/metrics/cohort_retention/v1/data.parquet');
  });
});
