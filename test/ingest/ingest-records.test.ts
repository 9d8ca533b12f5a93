import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { ingestInbox } from '../../src/core/ingest/ingest.js';
import type { Lake } from '../../src/core/lake/lake.js';
import type { RunManifest } from '../../src/core/pipeline/run-manifest.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { csv, tempDir, tempLake } from '../helpers/temp-lake.js';

/** The lake as a process sees it that is killed just before it writes the first key matching `at`: that write and every later call fail. */
function killedBefore(lake: Lake, at: (key: string) => boolean): Lake {
  let dead = false;
  const alive = () => {
    if (dead) throw new Error('killed');
  };
  return {
    uri: lake.uri,
    list: (async (prefix: string, options?: { etags?: boolean }) => {
      alive();
      return await lake.list(prefix, options as { etags: true });
    }) as Lake['list'],
    download: async (key, path) => {
      alive();
      await lake.download(key, path);
    },
    upload: async (path, key) => {
      alive();
      if (at(key)) dead = true;
      alive();
      await lake.upload(path, key);
    },
    createExclusive: async (path, key) => {
      alive();
      return await lake.createExclusive(path, key);
    },
    delete: async (key) => {
      alive();
      await lake.delete(key);
    },
  };
}

const HEADER = 'order_id,customer_id,ordered_at,amount';
const sum = (manifests: RunManifest[], field: 'rows_in' | 'rows_loaded' | 'rows_rejected' | 'files_loaded' | 'files_quarantined') =>
  manifests.reduce((total, m) => total + m.ingest[field], 0);

describe('ingest records: every file is counted in exactly one manifest, also after a kill', () => {
  it('counts the files a killed run ingested in the next run’s manifest, and nowhere else', async () => {
    // Prepare: a (1 row rejected), b, and a file that is quarantined
    const { lake, put } = tempLake();
    put('inbox/orders/a.csv', csv(HEADER, 'o1,c1,2024-01-05,10', 'o2,c1,2024-01-06,-1'));
    put('inbox/orders/b.csv', csv(HEADER, 'o3,c2,2024-01-07,10', 'o4,c2,2024-01-08,20', 'o5,c3,2024-01-09,30'));
    put('inbox/orders/c.txt', 'not a table\n\u0000');

    // Act: killed while b is being written (a is done, b's record written, its staging file not)
    const killed = killedBefore(lake, (key) => key.startsWith('staging/orders/b.csv'));
    expect(await runPipeline({ lake: killed, threads: 2, runId: 'killed-run' })).toMatchObject({ status: 'failed', error: expect.stringMatching(/killed/) });
    const next = await run2(lake);
    const after = await run2(lake);

    // Assess
    expect(next.status).toBe('succeeded');
    expect(next.ingest.files.map((f) => [f.key, f.outcome, f.ingested_by_unfinished_run])).toEqual([
      ['inbox/orders/b.csv', 'loaded', undefined],
      ['inbox/orders/c.txt', 'quarantined', undefined],
      ['inbox/orders/a.csv', 'loaded', 'killed-run'],
    ]);
    expect(next.ingest).toMatchObject({ files_loaded: 2, files_quarantined: 1, files_already_ingested: 0, rows_in: 5, rows_loaded: 4, rows_rejected: 1 });
    expect(after.ingest).toMatchObject({ files: [], files_already_ingested: 3, rows_in: 0 });
    // Totals over every manifest: each inbox row once.
    expect([sum([next, after], 'rows_in'), sum([next, after], 'rows_loaded'), sum([next, after], 'files_quarantined')]).toEqual([5, 4, 1]);
  });

  it('counts every file when the run is killed after ingest, as it writes its manifest', async () => {
    const { lake, put } = tempLake();
    put('inbox/orders/a.csv', csv(HEADER, 'o1,c1,2024-01-05,10'));
    put('inbox/orders/b.csv', csv(HEADER, 'o2,c2,2024-01-07,10', 'o3,c2,2024-01-08,20'));

    const killed = killedBefore(lake, (key) => key === '_runs/killed-run.json');
    expect(await runPipeline({ lake: killed, threads: 2, runId: 'killed-run' })).toMatchObject({ status: 'failed', error: expect.stringMatching(/killed/) });
    const next = await run2(lake);

    expect(next.ingest.files.map((f) => [f.key, f.ingested_by_unfinished_run])).toEqual([
      ['inbox/orders/a.csv', 'killed-run'],
      ['inbox/orders/b.csv', 'killed-run'],
    ]);
    expect(next.ingest).toMatchObject({ files_loaded: 2, files_already_ingested: 0, rows_in: 3, rows_loaded: 3 });
  });

  it("counts the files the ingest function loaded between runs in the next transform's manifest, once", async () => {
    // Prepare: the ingest Lambda handles each file on its own, with no manifest
    const { lake, put } = tempLake();
    put('inbox/orders/a.csv', csv(HEADER, 'o1,c1,2024-01-05,10', 'o2,c1,2024-01-06,20'));
    const workDir = tempDir();
    const db = await DuckDBSession.open({ workDir, threads: 1 });
    await ingestInbox({ lake, db, workDir, runId: 'ingest-message-1' });
    await ingestInbox({ lake, db, workDir, runId: 'ingest-message-2' }); // delivered twice: already ingested
    db.closeSync();

    // Act: the transform (no ingest of its own), twice
    const first = await run2(lake, { ingest: false });
    const second = await run2(lake, { ingest: false });

    // Assess
    expect(first.ingest).toMatchObject({ files: [{ key: 'inbox/orders/a.csv', ingested_by_unfinished_run: 'ingest-message-1' }], rows_in: 2, rows_loaded: 2 });
    expect(second.ingest).toMatchObject({ files: [], rows_in: 0 });
  });

  it('leaves the files of a run in progress to that run: a run stopped by its lease counts none', async () => {
    // Prepare: a file ingested by a run that still holds the lake (on another host)
    const { lake, put, dir } = tempLake();
    put('inbox/orders/a.csv', csv(HEADER, 'o1,c1,2024-01-05,10'));
    const workDir = tempDir();
    const db = await DuckDBSession.open({ workDir, threads: 1 });
    await ingestInbox({ lake, db, workDir, runId: 'running' });
    db.closeSync();
    const lease = { run_id: 'running', host: 'another-host', pid: 1, expires_at: new Date(Date.now() + 60_000).toISOString() };
    put('_runs/lease.json', JSON.stringify(lease));

    // Act
    const blocked = await run2(lake);
    rmSync(join(dir, '_runs/lease.json')); // that run ends without a manifest
    const next = await run2(lake);

    // Assess
    expect(blocked).toMatchObject({ status: 'blocked', ingest: { files: [], rows_in: 0 } });
    expect(next.ingest).toMatchObject({ files: [{ key: 'inbox/orders/a.csv', ingested_by_unfinished_run: 'running' }], rows_in: 1 });
  });
});

function run2(lake: Lake, options: { ingest?: boolean } = {}): Promise<RunManifest> {
  return runPipeline({ lake, threads: 2, ...options });
}
