import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, findObject, localCopy, localMirrorPath, readJson, writeJson } from '../../src/core/lake/lake-helpers.js';
import { countingDownloads } from '../helpers/counting-lake.js';
import { tempDir, tempLake } from '../helpers/temp-lake.js';

describe('lake helpers', () => {
  it('finds an object by its exact key, not by a longer key that starts with it', async () => {
    const { lake, put } = tempLake();
    put('inbox/orders/a.csv.gz', 'zipped');
    expect(await exists(lake, 'inbox/orders/a.csv')).toBe(false);
    expect(await exists(lake, 'inbox/orders/a.csv.gz')).toBe(true);
    // MD5 of 'zipped', from `printf zipped | md5sum`
    expect(await findObject(lake, 'inbox/orders/a.csv.gz', { etags: true })).toMatchObject({ size: 6, etag: '8e2be1eae346c25168e1543766d2356e' });
  });

  it('writes JSON and reads back the same value; reading a missing key gives undefined', async () => {
    // Prepare
    const { dir, lake } = tempLake();
    const value = { run_id: 'r1', counts: [1, 2], nested: { ok: true } };

    // Act
    await writeJson(lake, '_runs/r1.json', value);

    // Assess
    expect(await readJson(lake, '_runs/r1.json')).toEqual(value);
    expect(readFileSync(join(dir, '_runs/r1.json'), 'utf8')).toBe(`${JSON.stringify(value, null, 2)}\n`);
    expect(await readJson(lake, '_runs/missing.json')).toBeUndefined();
  });

  it('downloads a key into the scratch mirror once, and not at all when the run wrote it there', async () => {
    // Prepare
    const { lake: local, put } = tempLake();
    put('staging/orders/a.parquet', 'a');
    put('staging/orders/b.parquet', 'b');
    const { lake, downloads } = countingDownloads(local);
    const scratch = tempDir();
    const written = localMirrorPath(scratch, 'staging/orders/b.parquet');
    await local.download('staging/orders/b.parquet', written); // as ingest leaves its own staging file

    // Act
    const first = await localCopy(lake, 'staging/orders/a.parquet', scratch);
    const again = await localCopy(lake, 'staging/orders/a.parquet', scratch);
    const own = await localCopy(lake, 'staging/orders/b.parquet', scratch);

    // Assess
    expect(downloads).toEqual(['staging/orders/a.parquet']);
    expect([first, again, own].map((path) => readFileSync(path, 'utf8'))).toEqual(['a', 'a', 'b']);
  });

  it('fails on a key that would leave the scratch mirror', () => {
    expect(() => localMirrorPath(tempDir(), 'staging/../../../outside')).toThrow(/escapes the scratch folder/);
  });
});
