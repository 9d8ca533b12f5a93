import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forgetCustomer } from '../../src/core/control/forget.js';
import { undoWithdraw, withdrawFile } from '../../src/core/control/withdraw.js';
import { DuckDBSession, sqlString } from '../../src/core/duckdb.js';
import { ingestKey } from '../../src/core/ingest/ingest.js';
import { readStagingIndex, stagedFiles } from '../../src/core/pipeline/compact-staging.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { transformNeeded } from '../../src/core/pipeline/transform-needed.js';
import { CURRENT, FILES, HEADER, runAndRead, sameTablesAfterCompaction } from '../helpers/compaction-scenario.js';
import { spawnCompactionCrash } from '../helpers/compaction-crash.js';
import { csv, ingestOnly, query, tempDir, tempLake } from '../helpers/temp-lake.js';

/** A local lake with the three files of the scenario, compacted by a first run (above 2 files). */
async function compactedLake() {
  const { dir, lake, put } = tempLake();
  put('loyaltylake.yml', 'staging:\n  compact_above_files: 2\n');
  for (const file of FILES) put(file.key, file.content, file.landed);
  const first = await runAndRead(lake);
  expect(first).toMatchObject({ status: 'succeeded', files: 1, loaded: 3, rows: 5, current: CURRENT });
  return { dir, lake, put };
}

describe('staging compaction', () => {
  it('publishes the same tables before and after compaction, latest landed winning across files', async () => {
    const { lake, put } = tempLake();
    await sameTablesAfterCompaction(lake, put);
  }, 60_000);

  it('a compacted file counts as ingested for the ingest Lambda too (one key at a time)', async () => {
    const { lake } = await compactedLake();
    const db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
    try {
      const report = await ingestKey({ lake, db, workDir: tempDir(), runId: 'lambda' }, 'inbox/orders/b.csv');
      expect(report?.outcome).toBe('already_ingested');
    } finally {
      db.closeSync();
    }
    // Nothing staged beside the compacted file.
    expect((await lake.list('staging/orders/')).map((o) => o.key)).toHaveLength(1);
  }, 60_000);

  it('counts files the ingest Lambda loaded once, though the run that counts them compacted their staging files', async () => {
    // Prepare: three files loaded by an ingest that writes no manifest (as the Lambda)
    const { lake, put } = tempLake();
    put('loyaltylake.yml', 'staging:\n  compact_above_files: 2\n');
    for (const file of FILES) put(file.key, file.content, file.landed);
    await ingestOnly(lake);

    // Act: a transform run (no ingest) compacts them, then counts the unfinished run's files
    const manifest = await runPipeline({ lake, threads: 2, ingest: false, asOf: '2024-02-29' });

    // Assess: the 3 files counted as loaded (5 rows), by the run that compacted them
    expect(manifest.status).toBe('succeeded');
    expect(manifest.ingest).toMatchObject({ files_loaded: 3, rows_loaded: 5 });
    expect(manifest.inputs.find((i) => i.dataset === 'orders')?.files).toHaveLength(1);
  }, 60_000);

  it('withdraw after compaction takes the file’s rows out; undo brings them back', async () => {
    // Prepare
    const { lake } = await compactedLake();
    const compactedBefore = (await readStagingIndex(lake, 'orders'))!.compacted;

    // Act: withdraw b.csv (o1 15, o3 30)
    const result = await withdrawFile(lake, 'inbox/orders/b.csv');

    // Assess: its staging key is reported removed; a new compacted file without its rows; the next run
    // sees o1 from a.csv (10, the only one left) and no o3: o1 10, o2 25.
    expect(result.removed).toHaveLength(1);
    expect(result.removed[0]).toMatch(/^staging\/orders\/b\.csv@[0-9a-f]{12}\.parquet$/);
    const index = (await readStagingIndex(lake, 'orders'))!;
    expect(index.compacted).not.toBe(compactedBefore);
    expect(index.parts.map((p) => p.replace(/@.*$/, ''))).toEqual(['staging/orders/a.csv', 'staging/orders/c.csv']);
    expect(index.rows).toBe(3);
    expect((await transformNeeded(lake)).needed).toBe(true);
    const withdrawn = await runAndRead(lake);
    expect(withdrawn).toMatchObject({ status: 'succeeded', loaded: 0, rows: 3, current: [{ order_id: 'o1', amount: 10 }, { order_id: 'o2', amount: 25 }] });

    // Act 2: undo; b.csv is ingested again, with its landing time: o1 15 wins again
    await undoWithdraw(lake, 'inbox/orders/b.csv');
    const restored = await runAndRead(lake);
    expect(restored).toMatchObject({ status: 'succeeded', loaded: 1, rows: 5, current: CURRENT });
  }, 60_000);

  it('forget after compaction removes the customer’s rows and renumbers the lines of rewritten files', async () => {
    // Prepare
    const { dir, lake } = await compactedLake();

    // Act: forget c1 (o1 in a.csv and b.csv, o3 in b.csv)
    const result = await forgetCustomer({ lake, customerId: 'c1', scratchDir: tempDir() });

    // Assess: the inbox files without c1; the compacted file replaced
    expect(readFileSync(join(dir, 'inbox/orders/a.csv'), 'utf8')).toBe(csv(HEADER, 'o2,c2,2024-01-20,20'));
    expect(result.staging).toHaveLength(1);
    expect(result.staging[0]!.key).toMatch(/compacted-/);
    const index = (await readStagingIndex(lake, 'orders'))!;
    expect(result.staging[0]!.to).toBe(index.compacted);
    // Rows left, by hand: a.csv's o2 (line 3, now line 2: line 2 was o1) and c.csv's o2 (line 2): 2 rows (BIGINT read back as text).
    const rows = await query(
      `select _source_key, _source_line, order_id from read_parquet(${sqlString(join(dir, index.compacted))}) order by _source_key`,
    );
    expect(rows).toEqual([
      { _source_key: 'inbox/orders/a.csv', _source_line: '2', order_id: 'o2' },
      { _source_key: 'inbox/orders/c.csv', _source_line: '2', order_id: 'o2' },
    ]);
    // The index names the rewritten files' staging keys: the next run ingests none of them again.
    const next = await runAndRead(lake);
    expect(next).toMatchObject({ status: 'succeeded', loaded: 0, rows: 2, current: [{ order_id: 'o2', amount: 25 }] });
  }, 60_000);

  // A process killed (SIGKILL) at each step of a compaction: the staging read is the same rows once,
  // a run is needed, and the next run finishes the compaction and publishes the same current rows.
  for (const step of ['before-index', 'before-first-delete', 'before-last-delete'] as const) {
    it(`a compaction killed ${step.replaceAll('-', ' ')} leaves a lake that reads every row once`, async () => {
      // Prepare: three files staged apart (compaction off)
      const { dir, lake, put } = tempLake();
      put('loyaltylake.yml', 'staging:\n  compact_above_files: 1000\n');
      for (const file of FILES) put(file.key, file.content, file.landed);
      expect(await runAndRead(lake)).toMatchObject({ status: 'succeeded', rows: 5, current: CURRENT });
      put('loyaltylake.yml', 'staging:\n  compact_above_files: 2\n');

      // Act
      expect(await spawnCompactionCrash(dir, step)).toBe('SIGKILL');

      // Assess: the files read hold the 5 staged rows once (the o1, o2 re-exports included)
      const staging = await stagedFiles(lake, 'orders');
      expect(staging.stray.length).toBeGreaterThan(0);
      const paths = staging.files.map((key) => sqlString(join(dir, key)));
      const staged = await query(`select order_id, cast(amount as double) as amount from read_parquet([${paths.join(', ')}], union_by_name = true) order by order_id, amount`);
      expect(staged).toEqual([
        { order_id: 'o1', amount: 10 },
        { order_id: 'o1', amount: 15 },
        { order_id: 'o2', amount: 20 },
        { order_id: 'o2', amount: 25 },
        { order_id: 'o3', amount: 30 },
      ]);
      expect((await transformNeeded(lake)).needed).toBe(true);
      const next = await runAndRead(lake);
      expect(next).toMatchObject({ status: 'succeeded', loaded: 0, files: 1, rows: 5, current: CURRENT });
      expect((await lake.list('staging/orders/')).map((o) => o.key)).toEqual([(await readStagingIndex(lake, 'orders'))!.compacted]);
    }, 60_000);
  }
});
