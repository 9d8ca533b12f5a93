import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { withHooks } from '../helpers/counting-lake.js';
import { hashFiles } from '../helpers/lake-state.js';
import { killedPublishIsRepaired, MORE_ORDERS, ORDERS, TABLES } from '../helpers/publish-crash.js';
import { run, tempLake } from '../helpers/temp-lake.js';

describe('publish journal', () => {
  it('an I/O error on the third history snapshot changes no byte of metrics/ or history/', async () => {
    // Prepare: a published lake, then new data with a later as-of date (new snapshots)
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    expect((await run(lake)).status).toBe('succeeded');
    const before = hashFiles(dir);
    put('inbox/orders/more.csv', MORE_ORDERS);
    let snapshots = 0;
    const failing = withHooks(lake, {
      beforeWrite: (key) => {
        if (key.startsWith('history/') && ++snapshots === 3) throw new Error('injected: EIO on the third snapshot');
      },
    });

    // Act
    const failed = await runPipeline({ lake: failing, threads: 2 });

    // Assess: every object back, the snapshots of 2024-03-01 gone, no journal or copies left
    expect(failed).toMatchObject({ status: 'failed', published: false });
    expect(failed.error).toBe(`injected: EIO on the third snapshot (while publishing; put back the previous content of all ${2 * TABLES} objects)`);
    expect(hashFiles(dir)).toEqual(before);
    expect(existsSync(join(dir, '_runs/publish.json'))).toBe(false);
    expect(existsSync(join(dir, '_runs/publish'))).toBe(false);
  });

  it('exits 1, not 2, when latest.json cannot be written after publishing, and puts the tables back', async () => {
    // Prepare: latest.json cannot be replaced (a folder holds its name)
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    expect((await run(lake)).status).toBe('succeeded');
    const before = hashFiles(dir);
    put('inbox/orders/more.csv', MORE_ORDERS);
    rmSync(join(dir, '_runs/latest.json'));
    put('_runs/latest.json/blocker', 'x');
    const errors: string[] = [];
    const log = console.log;
    console.log = (line: string) => void errors.push(line);

    // Act
    try {
      await main(['run', '--lake', dir]);
    } finally {
      console.log = log;
    }
    const exitCode = process.exitCode;
    process.exitCode = undefined;

    // Assess
    expect(exitCode).toBe(1);
    expect(errors.join('\n')).toMatch(/could not write the run manifest _runs\/latest\.json: .*; put back the previous content of all \d+ objects/);
    expect(hashFiles(dir)).toEqual(before);
    // and once latest.json can be written, the next run publishes
    rmSync(join(dir, '_runs/latest.json'), { recursive: true });
    expect((await run(lake)).status).toBe('succeeded');
  });

  it('rolls back a run killed after 5 tables, before anything else, and leaves no temp file in metrics/ or history/ (local lake)', async () => {
    const { dir, lake, put } = tempLake();
    await killedPublishIsRepaired(lake, dir, put);
  }, 60_000);

  it('removes the temp files an earlier version left in metrics/ and history/ when killed', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    put('metrics/customer_summary/v1/data.parquet.5f0e9a.tmp-upload', 'half a table');
    put('history/customer_summary/v1/as_of=2024-01-31/data.parquet.77c1.tmp-upload', 'half a snapshot');
    const lines: string[] = [];

    // Act
    const manifest = await run(lake, { onProgress: (line) => lines.push(line) });

    // Assess
    expect(manifest.status).toBe('succeeded');
    expect([...hashFiles(dir).keys()].filter((key) => key.endsWith('.tmp-upload'))).toEqual([]);
    expect(lines).toContain('removed metrics/customer_summary/v1/data.parquet.5f0e9a.tmp-upload, a temp file an earlier version left among the tables');
  });
});
