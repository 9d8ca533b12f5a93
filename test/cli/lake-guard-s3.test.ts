// A mistyped S3 --lake prefix is refused like a mistyped folder (s3rver as the bucket).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LocalCloud } from '../../dev/local-cloud.js';
import { csv, tempDir } from '../helpers/temp-lake.js';

describe('--lake s3://bucket/prefix that is no lake', () => {
  let cloud: LocalCloud;
  let output: string[];
  beforeAll(async () => {
    cloud = await LocalCloud.start();
    const file = join(tempDir(), 'orders.csv');
    writeFileSync(file, csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c1,2024-02-05,20'));
    await cloud.drop(file, 'shop-a/inbox/orders/orders.csv');
  });
  afterAll(async () => {
    await cloud.stop();
  });
  beforeEach(() => {
    output = [];
    process.exitCode = undefined;
    const capture = (...args: unknown[]) => void output.push(args.join(' '));
    vi.spyOn(console, 'log').mockImplementation(capture);
    vi.spyOn(console, 'error').mockImplementation(capture);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('refuses a prefix with no inbox/ and no lake files, writes nothing to the bucket, exits 2', async () => {
    // Act: shop-b instead of shop-a
    await main(['run', '--lake', `s3://${cloud.bucket}/shop-b`, '--as-of', '2024-02-29']);

    // Assess
    expect(process.exitCode).toBe(2);
    expect(output.join('\n')).toContain(`loyaltylake: s3://${cloud.bucket}/shop-b is no lake: it has no inbox/ and no lake files`);
    expect(output.join('\n')).toContain('--create');
    expect(await cloud.lake().list('shop-b/')).toEqual([]);
  });

  it('runs on the prefix that has an inbox, and on a new one with --create', async () => {
    await main(['run', '--lake', `s3://${cloud.bucket}/shop-a`]);
    expect(process.exitCode).toBeUndefined();

    await main(['run', '--lake', `s3://${cloud.bucket}/shop-c`, '--create', '--as-of', '2024-01-31']);
    expect(process.exitCode).toBeUndefined();
    const written = (await cloud.lake().list('shop-c/')).map((object) => object.key);
    expect(written).toContain('shop-c/_runs/latest.json');
  });

  it('a bucket that cannot be read is no usage error: exit 1 with what S3 said', async () => {
    await main(['run', '--lake', 's3://no-such-bucket/shop-a']);
    expect(process.exitCode).toBe(1);
    expect(output.join('\n')).toMatch(/^loyaltylake: .*bucket/im);
  });
});
