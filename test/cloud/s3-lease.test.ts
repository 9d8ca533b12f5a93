import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCloud } from '../../dev/local-cloud.js';
import { s3ClientFromEnvironment, S3Lake } from '../../src/core/lake/s3-lake.js';
import { takeLease } from '../../src/core/pipeline/run-lease.js';
import { tempDir } from '../helpers/temp-lake.js';

function file(content: string): string {
  const path = join(tempDir(), 'object');
  writeFileSync(path, content);
  return path;
}

describe('S3 lease (s3rver)', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });

  it('creates exclusively with If-None-Match: * (which s3rver 3.7.1 ignores: real S3 answers 412 for an existing key)', async () => {
    // Prepare: a client that records each request's headers
    const client = s3ClientFromEnvironment();
    const headers: Record<string, string>[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        headers.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return await next(args);
      },
      { step: 'finalizeRequest' },
    );
    const lake = new S3Lake(`${cloud.lakeUri}/exclusive`, { client });

    // Act
    const first = await lake.createExclusive(file('first'), '_runs/lease.json');
    const second = await lake.createExclusive(file('second'), '_runs/lease.json');

    // Assess: the condition is sent; s3rver stores the second PUT anyway (so the lease reads first, see below)
    expect(headers.map((h) => h['if-none-match'])).toEqual(['*', '*']);
    expect([first, second]).toEqual([true, true]);
  });

  it('stops a second run while the first holds the lease, and frees the lake on release', async () => {
    // Prepare
    const lake = new S3Lake(`${cloud.lakeUri}/lease`);

    // Act
    const first = await takeLease(lake, 'run-a');
    const second = await takeLease(lake, 'run-b');
    if (first.held) await first.lease.release();
    const third = await takeLease(lake, 'run-c');

    // Assess
    expect(first.held).toBe(true);
    expect(second).toMatchObject({ held: false, message: expect.stringMatching(/^another run \(run-a on .*\) holds the lake until /) });
    expect(third.held).toBe(true);
    if (third.held) await third.lease.release();
    expect(await lake.list('_runs/lease.json')).toEqual([]);
  });

  it('takes over an expired lease', async () => {
    // Prepare
    const lake = new S3Lake(`${cloud.lakeUri}/expired`);
    await lake.upload(file(JSON.stringify({ run_id: 'old', host: 'elsewhere', pid: 1, expires_at: '2020-01-01T00:00:00.000Z' })), '_runs/lease.json');

    // Act
    const taken = await takeLease(lake, 'run-new');

    // Assess
    expect(taken.held).toBe(true);
    expect((await lake.list('_runs/lease-takeover/')).map((o) => o.key)).toEqual(['_runs/lease-takeover/old.json']);
    if (taken.held) await taken.lease.release();
  });
});
