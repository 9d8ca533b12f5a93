import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCloud } from '../../dev/local-cloud.js';
import { S3Lake } from '../../src/core/lake/s3-lake.js';
import { tempDir } from './temp-lake.js';

/** A fresh lake under its own prefix of the local cloud's bucket, and a way to put a text object in it. */
export function s3LakeUnder(cloud: LocalCloud, prefix: string): { lake: S3Lake; put: (key: string, content: string) => Promise<void> } {
  const lake = new S3Lake(`${cloud.lakeUri}/${prefix}`);
  const put = async (key: string, content: string) => {
    const path = join(tempDir(), 'object');
    writeFileSync(path, content);
    await lake.upload(path, key);
  };
  return { lake, put };
}
