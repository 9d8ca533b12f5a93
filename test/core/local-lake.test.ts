import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, tempLake } from '../helpers/temp-lake.js';

describe('LocalLake', () => {
  it('lists objects under a prefix in key order, with size and MD5 etag when asked', async () => {
    // Prepare
    const { lake, put } = tempLake();
    put('inbox/orders/b.csv', 'bb');
    put('inbox/orders/2024/a.csv', 'a');
    put('inbox/customers/c.csv', 'c');

    // Act
    const objects = await lake.list('inbox/orders/', { etags: true });

    // Assess
    expect(objects.map((o) => o.key)).toEqual(['inbox/orders/2024/a.csv', 'inbox/orders/b.csv']);
    expect(objects[1]!.size).toBe(2);
    expect(objects[1]!.etag).toBe(createHash('md5').update('bb').digest('hex'));
  });

  it('lists keys without reading the files when no etags are asked for', async () => {
    const { lake, put } = tempLake();
    put('staging/orders/a.parquet', 'a');
    const [object] = await lake.list('staging/');
    expect(object).toMatchObject({ key: 'staging/orders/a.parquet', size: 1 });
    expect(object!.etag).toBeUndefined();
  });

  it('lists nothing for a prefix that does not exist', async () => {
    const { lake } = tempLake();
    expect(await lake.list('metrics/')).toEqual([]);
  });

  it('uploads by write-then-rename and downloads the same bytes', async () => {
    // Prepare
    const { dir, lake } = tempLake();
    const source = join(tempDir(), 'table.parquet');
    writeFileSync(source, 'new table');

    // Act
    await lake.upload(source, 'metrics/m/v1/data.parquet');
    const copy = join(tempDir(), 'copy');
    await lake.download('metrics/m/v1/data.parquet', copy);

    // Assess
    expect(readFileSync(copy, 'utf8')).toBe('new table');
    expect(readdirSync(join(dir, 'metrics/m/v1'))).toEqual(['data.parquet']);
  });

  it('fails to download a missing object', async () => {
    const { lake } = tempLake();
    await expect(lake.download('inbox/nothing.csv', join(tempDir(), 'x'))).rejects.toThrow(/ENOENT/);
  });

  it('fails on a key that escapes the lake folder', async () => {
    const { lake } = tempLake();
    await expect(lake.download('../outside', join(tempDir(), 'x'))).rejects.toThrow(/escapes the lake/);
  });
});
