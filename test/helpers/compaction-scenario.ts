import { expect } from 'vitest';
import type { Lake } from '../../src/core/lake/lake.js';
import { readStagingIndex, stagedFiles } from '../../src/core/pipeline/compact-staging.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { csv } from './temp-lake.js';

// Three order exports landed one after the other, with re-exported orders across files:
//   a.csv (landed 2024-03-01): o1 c1 10, o2 c2 20
//   b.csv (landed 2024-03-02): o1 c1 15 (o1 again, later), o3 c1 30
//   c.csv (landed 2024-03-03): o2 c2 25 (o2 again, later)
// Latest landed wins, by hand: o1 = 15 (b over a), o2 = 25 (c over a), o3 = 30. 5 staged rows, 3 current.
export const HEADER = 'order_id,customer_id,ordered_at,amount';
export const FILES = [
  { key: 'inbox/orders/a.csv', content: csv(HEADER, 'o1,c1,2024-01-05,10', 'o2,c2,2024-01-20,20'), landed: new Date('2024-03-01T00:00:00Z') },
  { key: 'inbox/orders/b.csv', content: csv(HEADER, 'o1,c1,2024-01-05,15', 'o3,c1,2024-02-10,30'), landed: new Date('2024-03-02T00:00:00Z') },
  { key: 'inbox/orders/c.csv', content: csv(HEADER, 'o2,c2,2024-01-20,25'), landed: new Date('2024-03-03T00:00:00Z') },
];
export const CURRENT = [
  { order_id: 'o1', amount: 15 },
  { order_id: 'o2', amount: 25 },
  { order_id: 'o3', amount: 30 },
];

export type Put = (key: string, content: string, landed?: Date) => Promise<void> | void;

/** A run on `lake` with the current orders it built (order id and amount) and every published table's rows. */
export async function runAndRead(lake: Lake): Promise<{ status: string; files: number; loaded: number; already: number; rows: number; current: unknown[]; tables: Map<string, unknown[]> }> {
  let current: unknown[] = [];
  const tables = new Map<string, unknown[]>();
  const manifest = await runPipeline({
    lake,
    threads: 2,
    asOf: '2024-02-29',
    readPublished: async (db, published) => {
      current = (await db.rows('select order_id, cast(amount as double) as amount from stg_orders order by order_id')).map((r) => ({ ...r, amount: Number(r.amount) }));
      for (const table of [...published].sort()) tables.set(table, await db.rows(`select * from ${table} order by all`));
    },
  });
  const orders = manifest.inputs.find((i) => i.dataset === 'orders');
  return {
    status: manifest.status === 'succeeded' ? 'succeeded' : `${manifest.status}: ${manifest.error}`,
    files: orders?.files.length ?? 0,
    loaded: manifest.ingest.files_loaded,
    already: manifest.ingest.files_already_ingested,
    rows: orders?.rows ?? 0,
    current,
    tables,
  };
}

/** Before and after compaction: the same current rows and the same tables; the staging folder then holds one file, the index the three. */
export async function sameTablesAfterCompaction(lake: Lake, put: Put): Promise<void> {
  // Prepare: compaction off (more files allowed than there are)
  await put('loyaltylake.yml', 'staging:\n  compact_above_files: 1000\n');
  for (const file of FILES) await put(file.key, file.content, file.landed);
  const before = await runAndRead(lake);
  expect(before).toMatchObject({ status: 'succeeded', files: 3, loaded: 3, rows: 5, current: CURRENT });

  // Act: compaction on above 2 files; nothing new in the inbox
  await put('loyaltylake.yml', 'staging:\n  compact_above_files: 2\n');
  const after = await runAndRead(lake);

  // Assess: one compacted file read, holding all 5 staged rows; the same tables, row for row
  expect(after).toMatchObject({ status: 'succeeded', files: 1, loaded: 0, already: 3, rows: 5, current: CURRENT });
  expect([...after.tables.keys()]).toEqual([...before.tables.keys()]);
  for (const [table, rows] of before.tables) expect(after.tables.get(table), table).toEqual(rows);
  const staged = (await lake.list('staging/orders/')).map((o) => o.key);
  expect(staged).toHaveLength(1);
  expect(staged[0]).toMatch(/^staging\/orders\/compacted-[^/@]+\.parquet$/);
  const index = await readStagingIndex(lake, 'orders');
  expect(index?.parts.map((p) => p.replace(/@.*$/, ''))).toEqual(['staging/orders/a.csv', 'staging/orders/b.csv', 'staging/orders/c.csv']);
  expect(index?.rows).toBe(5);
  expect(await stagedFiles(lake, 'orders')).toMatchObject({ files: staged, stray: [] });

  // A file dropped later is a new part beside the compacted file; the three are not ingested again.
  await put('inbox/orders/d.csv', csv(HEADER, 'o4,c3,2024-02-20,40'), new Date('2024-03-04T00:00:00Z'));
  const more = await runAndRead(lake);
  expect(more).toMatchObject({ status: 'succeeded', files: 2, loaded: 1, already: 3, rows: 6, current: [...CURRENT, { order_id: 'o4', amount: 40 }] });
}
