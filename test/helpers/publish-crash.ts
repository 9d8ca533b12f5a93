import { expect } from 'vitest';
import type { Lake } from '../../src/core/lake/lake.js';
import { readJson } from '../../src/core/lake/lake-helpers.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import type { PublishJournal } from '../../src/core/pipeline/publish.js';
import { latestManifest } from '../../src/core/pipeline/run-manifest.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { transformNeeded } from '../../src/core/pipeline/transform-needed.js';
import { hashFiles, hashObjects, spawnCrashingRun, tableStamps } from './lake-state.js';
import { csv } from './temp-lake.js';

export const ORDERS = csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c2,2024-01-20,20', 'o3,c1,2024-02-10,30');
export const MORE_ORDERS = csv('order_id,customer_id,ordered_at,amount', 'o4,c3,2024-03-01,40');
/** The published models an orders-only lake builds (the others need data it lacks). */
export const TABLES = loadModels(defaultModelsDir()).filter((m) => m.publish && m.requires.every((d) => d === 'orders')).length;

/** Shared by the local and the S3 test: publish, kill a run mid-publish, repair, publish again. */
export async function killedPublishIsRepaired(lake: Lake, location: string, put: (key: string, content: string) => Promise<void> | void): Promise<void> {
  // Prepare: a published lake, then new data
  await put('inbox/orders/orders.csv', ORDERS);
  const first = await runPipeline({ lake, threads: 2 });
  expect(first.status).toBe('succeeded');
  const before = await hashObjects(lake);
  expect(new Set((await tableStamps(lake)).values())).toEqual(new Set([`${first.run_id} 2024-02-10`]));
  await put('inbox/orders/more.csv', MORE_ORDERS);

  // Act 1: a run killed (SIGKILL) after replacing 5 of the tables
  expect(TABLES).toBeGreaterThan(5);
  expect(await spawnCrashingRun(location, 5, 'killed-run')).toBe('SIGKILL');

  // Assess 1: 5 tables of the killed run, the rest of the first; the journal names the killed run
  const stamps = [...(await tableStamps(lake)).values()];
  expect(stamps.filter((s) => s === 'killed-run 2024-03-01')).toHaveLength(5);
  expect(stamps.filter((s) => s === `${first.run_id} 2024-02-10`)).toHaveLength(TABLES - 5);
  const journal = await readJson<PublishJournal>(lake, '_runs/publish.json');
  expect(journal).toMatchObject({ run_id: 'killed-run', state: 'replacing' });
  expect(journal!.objects).toHaveLength(2 * TABLES);
  expect((await latestManifest(lake))!.run_id).toBe(first.run_id);
  expect(await transformNeeded(lake)).toEqual({ needed: true, reason: 'the publish of run killed-run was interrupted: a run finishes it first' });

  // Act 2: the next run, which then fails (a bad settings file): the repair comes before anything else
  await put('loyaltylake.yml', 'churn_window_days: nope\n');
  const repairing = await runPipeline({ lake, threads: 2 });

  // Assess 2: rolled back to the first run's bytes, and the manifest says so
  expect(repairing.status).toBe('failed');
  // 5 tables and their 5 snapshots were replaced when the run was killed (metrics, then history, per table)
  expect(repairing.recovered_publish).toEqual({ run_id: 'killed-run', action: 'rolled_back', objects: 2 * TABLES, replaced: 10 });
  expect(await hashObjects(lake)).toEqual(before);
  expect(await lake.list('_runs/publish')).toEqual([]);

  // Act 3: a good run
  await lake.delete('loyaltylake.yml');
  const good = await runPipeline({ lake, threads: 2 });

  // Assess 3: every table from that one run; nothing but data.parquet files under metrics/ and history/
  expect(good.status).toBe('succeeded');
  expect(good.recovered_publish).toBeUndefined();
  expect(new Set((await tableStamps(lake)).values())).toEqual(new Set([`${good.run_id} 2024-03-01`]));
  const keys = [...(await hashObjects(lake)).keys()];
  expect(keys.filter((key) => !key.endsWith('/data.parquet'))).toEqual([]);
  expect(keys).toHaveLength(3 * TABLES); // metrics + two as-of snapshots each
  if (!location.startsWith('s3://')) {
    const files = [...hashFiles(location).keys()];
    expect(files.filter((file) => !file.endsWith('/data.parquet'))).toEqual([]);
    expect(files).toHaveLength(3 * TABLES);
  }
}
