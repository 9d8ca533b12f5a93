import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { ingestInbox } from '../../src/core/ingest/ingest.js';
import { csv, ingestOnly, readParquet, run, tempDir, tempLake } from '../helpers/temp-lake.js';

const HEADER = 'order_id,customer_id,ordered_at,amount,currency';

describe('currency: a lake holds one', () => {
  it('takes the currency of the first loaded file, rejects rows in another with the reason, and goes on', async () => {
    // Prepare: the first file is mostly EUR; the next has one USD row among EUR ones.
    const { dir, lake, put } = tempLake();
    put('inbox/orders/a.csv', csv(HEADER, 'o1,c1,2024-01-05,10,EUR', 'o2,c1,2024-01-06,20,eur', 'o3,c2,2024-01-07,30,USD'), new Date('2024-02-01'));
    put('inbox/orders/b.csv', csv(HEADER, 'o4,c2,2024-01-08,40,EUR', 'o5,c3,2024-01-09,50,USD', 'o6,c3,2024-01-10,60,'), new Date('2024-02-02'));

    // Act
    const first = await run(lake);
    put('inbox/orders/c.csv', csv(HEADER, 'o7,c4,2024-01-11,70,USD'));
    const second = await run(lake);

    // Assess
    expect(first.error).toBeUndefined();
    expect(first.currency).toEqual({ code: 'EUR', source: 'first_loaded_file', file: 'inbox/orders/a.csv' });
    const reason = "currency USD is not the lake's currency EUR (that of the first orders loaded; `currency` in loyaltylake.yml sets it)";
    expect(first.ingest.files.map((f) => [f.key, f.rows_loaded, f.rows_rejected])).toEqual([
      ['inbox/orders/a.csv', 2, 1],
      ['inbox/orders/b.csv', 2, 1],
    ]);
    const rejects = await readParquet(dir, first.ingest.files[1]!.rejects_key!);
    expect(rejects.map((r) => [r._source_key, r._source_line, r._reject_reason])).toEqual([['inbox/orders/b.csv', '3', reason]]);
    expect(second.error).toBeUndefined();
    expect(second.currency).toEqual(first.currency);
    expect(second.ingest.files).toMatchObject([{ key: 'inbox/orders/c.csv', rows_loaded: 0, rows_rejected: 1 }]);
  });

  it('takes the currency of the settings when set', async () => {
    const { lake, put } = tempLake();
    put('loyaltylake.yml', 'currency: usd\n');
    put('inbox/orders/a.csv', csv(HEADER, 'o1,c1,2024-01-05,10,EUR', 'o2,c1,2024-01-06,20,EUR', 'o3,c2,2024-01-07,30,USD'));

    const manifest = await run(lake);

    expect(manifest.currency).toEqual({ code: 'USD', source: 'setting' });
    expect(manifest.ingest).toMatchObject({ rows_loaded: 1, rows_rejected: 2 });
    expect(manifest.as_of).toBe('2024-01-07');
  });

  it('leaves out rows of another currency staged before this rule, naming their files, instead of failing every run', async () => {
    // Prepare: EUR staged first, then USD, as an older version staged them (no currency recorded).
    const { lake, put, dir } = tempLake();
    const forgetCurrency = () => rmSync(join(dir, '_runs/currency.json'));
    put('inbox/orders/a.csv', csv(HEADER, 'o1,c1,2024-01-05,10,EUR'), new Date('2024-02-01'));
    await ingestOnly(lake);
    forgetCurrency();
    put('inbox/orders/b.csv', csv(HEADER, 'o2,c2,2024-03-05,20,USD', 'o3,c2,2024-03-06,30,USD'), new Date('2024-02-02'));
    const workDir = tempDir();
    const db = await DuckDBSession.open({ workDir, threads: 1 });
    await ingestInbox({ lake, db, workDir, runId: 'older', currency: 'USD' });
    db.closeSync();

    // Act
    const manifest = await run(lake);

    // Assess: EUR, from the earliest landed file; the two USD rows are not counted.
    expect(manifest.error).toBeUndefined();
    expect(manifest.currency).toMatchObject({ code: 'EUR', source: 'first_loaded_file', file: 'inbox/orders/a.csv' });
    expect(manifest.currency?.rows_left_out).toEqual({ rows: 2, staging_files: [expect.stringMatching(/^staging\/orders\/b\.csv@/)] });
    expect(manifest.as_of).toBe('2024-01-05');
  });
});
