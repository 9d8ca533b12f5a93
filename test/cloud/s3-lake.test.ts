import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Lake } from '../../src/core/lake/s3-lake.js';
import { LocalCloud } from '../../dev/local-cloud.js';
import { tempDir } from '../helpers/temp-lake.js';

const MiB = 1024 * 1024;

describe('S3Lake', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });

  /** The event names of the objects written since the last call: s3rver says 'Put' for a single PUT, 'Post' for a completed multipart upload. */
  const writes = () => cloud.takeEvents(() => true).Records.map((r) => JSON.parse(r.body).Records[0].eventName as string);

  it('uploads files below the multipart threshold in one PUT and larger ones in parts, byte for byte', async () => {
    // Prepare: 6 MiB of varied bytes, a lake whose threshold is 5 MiB
    const source = join(tempDir(), 'file.bin');
    const content = Buffer.alloc(6 * MiB);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31 + (i >> 10)) % 251;
    writeFileSync(source, content);
    const small = new S3Lake(`s3://${cloud.bucket}/s3-lake-test`, { multipartThreshold: 7 * MiB, partSize: 5 * MiB });
    const parted = new S3Lake(`s3://${cloud.bucket}/s3-lake-test`, { multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    writes();

    // Act
    await small.upload(source, 'metrics/one-put/data.bin');
    await parted.upload(source, 'metrics/in-parts/data.bin');

    // Assess
    expect(writes()).toEqual(['ObjectCreated:Put', 'ObjectCreated:Post']);
    for (const key of ['metrics/one-put/data.bin', 'metrics/in-parts/data.bin']) {
      const copy = join(tempDir(), 'copy.bin');
      await small.download(key, copy);
      expect(readFileSync(copy).equals(content), key).toBe(true);
    }
  });

  it('keeps the 64 MiB threshold and 16 MiB parts by default', () => {
    expect(cloud.lake()).toMatchObject({ multipartThreshold: 64 * MiB, partSize: 16 * MiB });
  });

  it('fails on parts smaller than S3 allows', () => {
    expect(() => new S3Lake(`s3://${cloud.bucket}`, { partSize: MiB })).toThrow(/partSize must be at least 5 MiB/);
  });
});
