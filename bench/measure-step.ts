// One measured step of the benchmark, in its own process so that its peak RSS is its own.
// Usage: node dist/bench/measure-step.js baseline|pipeline|pipeline-orders <lakeDir> <memoryLimit>
// (pipeline-orders: only the orders models and their dependencies.)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBSession, sqlString } from '../src/core/duckdb.js';
import { LakeKeys } from '../src/core/lake/lake-layout.js';
import { LocalLake } from '../src/core/lake/local-lake.js';
import { runPipeline } from '../src/core/pipeline/run-pipeline.js';
import { ordersModelsDir } from './orders-models.js';

const [step, lakeDir, memoryLimit] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
let detail: Record<string, unknown> | undefined;
let ended: number | undefined;
if (step === 'baseline') {
  // DuckDB alone: read the same CSV files and write them as Parquet.
  const db = await DuckDBSession.open({ workDir: join(lakeDir, '..', 'baseline-scratch'), memoryLimit });
  for (const dataset of ['customers', 'orders']) {
    const folder = join(lakeDir, LakeKeys.inboxFolder(dataset));
    const files = readdirSync(folder).map((f) => join(folder, f));
    await db.run(
      `copy (select * from read_csv([${files.map(sqlString).join(', ')}], header = true)) to ${sqlString(join(lakeDir, '..', `baseline-${dataset}.parquet`))} (format parquet, compression zstd)`,
    );
  }
  db.closeSync();
} else {
  const modelsDir = step === 'pipeline-orders' ? ordersModelsDir(join(lakeDir, '..', 'orders-models')) : undefined;
  const manifest = await runPipeline({ lake: new LocalLake(lakeDir), memoryLimit, scratchDir: join(lakeDir, '..'), modelsDir });
  if (manifest.status !== 'succeeded') throw new Error(`pipeline failed: ${manifest.error}`);
  ended = performance.now();
  detail = {
    clv_model: step === 'pipeline' ? await fitSizes(lakeDir) : undefined,
    timings_ms: manifest.timings_ms,
    model_ms: Object.fromEntries(manifest.models.map((m) => [`${m.model}_v${m.version}`, m.duration_ms])),
    rows_loaded: manifest.ingest.rows_loaded,
    tests_passed: manifest.tests.passed,
  };
}
const seconds = ((ended ?? performance.now()) - started) / 1000;
console.log(JSON.stringify({ step, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, detail }));

/** Customers in clv_model's fits (v1): all of them unless a time budget forced a sample. */
async function fitSizes(lake: string): Promise<Record<string, unknown>> {
  const db = await DuckDBSession.open({ workDir: join(lake, '..', 'read-scratch') });
  try {
    const [row] = await db.rows(
      `select customers, fitted_customers, repeat_customers, bg_nbd_status, gamma_gamma_status from ${sqlString(join(lake, LakeKeys.metrics('clv_model', 1)))}`,
    );
    return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
  } finally {
    db.closeSync();
  }
}
