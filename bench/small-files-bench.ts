// Many small files (issue 12, part 5): where the time of a run over many one-row files goes,
// and how long a run with nothing new takes on a lake of many staged files.
// Usage: node dist/bench/small-files-bench.js ingest <files> [compact above]      — a run over <files> one-row files, time per file and by kind
//        node dist/bench/small-files-bench.js noop <staged files> [compact above] — a lake of that many staged files: the check, then runs with nothing new
//        node dist/bench/small-files-bench.js s3 <files> [compact above]         — on s3rver: a run over <files> one-row files, then the check and a run with nothing new
// [compact above]: the lake's `staging.compact_above_files` (unset: the default).
// Figures are the minimum of the repetitions where there are several; compare only within one output.
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBSession, sqlString } from '../src/core/duckdb.js';
import type { Lake } from '../src/core/lake/lake.js';
import { LakeKeys } from '../src/core/lake/lake-layout.js';
import { LocalLake } from '../src/core/lake/local-lake.js';
import { runPipeline } from '../src/core/pipeline/run-pipeline.js';
import { transformNeeded } from '../src/core/pipeline/transform-needed.js';

const [mode, countText, compactAbove] = process.argv.slice(2) as [string, string, string | undefined];
const count = Number(countText);
const root = mkdtempSync(join(tmpdir(), 'small-files-bench-'));
const lakeDir = join(root, 'lake');

/** Milliseconds spent in each kind of call, summed over the run. */
const spent: Record<string, number> = {};
function timeMethods<T extends object>(target: T, kind: string, names: string[]): void {
  for (const name of names) {
    const original = (target as Record<string, unknown>)[name] as (...args: unknown[]) => Promise<unknown>;
    (target as Record<string, unknown>)[name] = async function (this: unknown, ...args: unknown[]) {
      const started = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        spent[`${kind}.${name}`] = (spent[`${kind}.${name}`] ?? 0) + performance.now() - started;
      }
    };
  }
}

/** One order per file; with CURRENCY=1 in the environment, with a currency column (the first file then sets the lake's). */
function orderFile(i: number): string {
  const day = String((i % 28) + 1).padStart(2, '0');
  if (process.env.CURRENCY === '1') return `order_id,customer_id,ordered_at,amount,currency\no${i},c${i % 500},2024-01-${day},${(i % 90) + 10},EUR\n`;
  return `order_id,customer_id,ordered_at,amount\no${i},c${i % 500},2024-01-${day},${(i % 90) + 10}\n`;
}

if (compactAbove) {
  mkdirSync(lakeDir, { recursive: true });
  writeFileSync(join(lakeDir, 'loyaltylake.yml'), `staging:\n  compact_above_files: ${compactAbove}\n`);
}

if (mode === 'ingest') {
  for (let i = 0; i < count; i++) {
    const folder = join(lakeDir, 'inbox', 'orders');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `order-${String(i).padStart(6, '0')}.csv`), orderFile(i));
  }
  const lake = new LocalLake(lakeDir);
  timeMethods(lake as unknown as Lake, 'lake', ['list', 'download', 'upload', 'delete']);
  timeMethods(DuckDBSession.prototype, 'duckdb', ['run', 'rows', 'scalar']);
  const started = performance.now();
  const manifest = await runPipeline({ lake, threads: 2, scratchDir: root });
  const seconds = (performance.now() - started) / 1000;
  if (manifest.status !== 'succeeded') throw new Error(`run failed: ${manifest.error}`);
  console.log(
    JSON.stringify({
      mode,
      files: count,
      seconds,
      ingest_ms_per_file: (manifest.timings_ms.ingest ?? 0) / count,
      timings_ms: manifest.timings_ms,
      spent_ms: Object.fromEntries(Object.entries(spent).map(([k, v]) => [k, Math.round(v)])),
      staged_objects: (await lake.list('staging/')).length,
    }),
  );
} else if (mode === 's3') {
  const { LocalCloud } = await import('../dev/local-cloud.js');
  const cloud = await LocalCloud.start();
  try {
    const lake = cloud.lake();
    const local = join(root, 'object');
    if (compactAbove) {
      writeFileSync(local, `staging:\n  compact_above_files: ${compactAbove}\n`);
      await lake.upload(local, 'loyaltylake.yml');
    }
    for (let i = 0; i < count; i++) {
      writeFileSync(local, orderFile(i));
      await lake.upload(local, `inbox/orders/order-${String(i).padStart(6, '0')}.csv`);
    }
    timeMethods(lake as unknown as Lake, 'lake', ['list', 'download', 'upload', 'delete']);
    let started = performance.now();
    const manifest = await runPipeline({ lake, threads: 2, scratchDir: root });
    const seconds = (performance.now() - started) / 1000;
    if (manifest.status !== 'succeeded') throw new Error(`run failed: ${manifest.error}`);
    const checks: number[] = [];
    for (let i = 0; i < 3; i++) {
      started = performance.now();
      const plan = await transformNeeded(lake);
      checks.push(performance.now() - started);
      if (plan.needed) throw new Error(`a run is needed: ${plan.reason}`);
    }
    started = performance.now();
    await runPipeline({ lake, threads: 2, scratchDir: root });
    const again = (performance.now() - started) / 1000;
    console.log(
      JSON.stringify({
        mode,
        files: count,
        seconds,
        ingest_ms_per_file: (manifest.timings_ms.ingest ?? 0) / count,
        timings_ms: manifest.timings_ms,
        spent_ms: Object.fromEntries(Object.entries(spent).map(([k, v]) => [k, Math.round(v)])),
        check_ms_min_of_3: Math.round(Math.min(...checks)),
        run_nothing_new_s: again,
        staged_objects: (await lake.list('staging/')).length,
      }),
    );
  } finally {
    await cloud.stop();
  }
} else if (mode === 'noop') {
  await stageDirectly(count);
  const lake = new LocalLake(lakeDir);
  const first = await runPipeline({ lake, threads: 2, scratchDir: root, ingest: false });
  if (first.status !== 'succeeded') throw new Error(`run failed: ${first.error}`);
  const checks: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const plan = await transformNeeded(lake);
    checks.push(performance.now() - started);
    if (plan.needed) throw new Error(`a run is needed: ${plan.reason}`);
  }
  const runs: number[] = [];
  for (let i = 0; i < 2; i++) {
    const started = performance.now();
    const again = await runPipeline({ lake, threads: 2, scratchDir: root, ingest: false });
    runs.push(performance.now() - started);
    if (again.status !== 'succeeded') throw new Error(`run failed: ${again.error}`);
  }
  console.log(
    JSON.stringify({
      mode,
      staged_files: count,
      first_run_s: (Date.parse(first.finished_at) - Date.parse(first.started_at)) / 1000,
      first_run_timings_ms: first.timings_ms,
      check_ms_min_of_5: Math.round(Math.min(...checks)),
      full_run_nothing_new_s_min_of_2: Math.min(...runs) / 1000,
      staged_objects_after: (await lake.list('staging/')).length,
    }),
  );
}
rmSync(root, { recursive: true, force: true });

/**
 * `files` staging files of one order each, written as ingest writes them (the contract's columns,
 * then `_source_key`, `_source_line`, `_landed_at`), in one DuckDB statement, moved into place.
 */
async function stageDirectly(files: number): Promise<void> {
  const scratch = join(root, 'gen');
  const db = await DuckDBSession.open({ workDir: scratch, threads: 2 });
  await db.run(`
    copy (
      select 'o' || i as order_id, 'c' || (i % 500) as customer_id,
             timestamp '2024-01-01' + to_days(cast(i % 28 as integer)) as ordered_at,
             cast((i % 90) + 10 as decimal(18,2)) as amount, 'completed' as status, 'EUR' as currency,
             'inbox/orders/order-' || lpad(cast(i as varchar), 6, '0') || '.csv' as _source_key, cast(2 as bigint) as _source_line,
             timestamp '2024-02-01' + to_seconds(i) as _landed_at, i as part
      from range(${files}) as t(i)
    ) to ${sqlString(join(scratch, 'parts'))} (format parquet, compression zstd, partition_by (part))`);
  db.closeSync();
  const folder = join(lakeDir, LakeKeys.stagingFolder('orders'));
  mkdirSync(folder, { recursive: true });
  for (const part of readdirSync(join(scratch, 'parts'))) {
    const i = Number(part.slice('part='.length));
    const [file] = readdirSync(join(scratch, 'parts', part));
    renameSync(join(scratch, 'parts', part, file!), join(folder, `order-${String(i).padStart(6, '0')}.csv@${i.toString(16).padStart(12, '0')}.parquet`));
  }
}
