// One measured step of the benchmark, in its own process so that its peak RSS is its own.
// Usage: node dist/bench/measure-step.js baseline|pipeline <lakeDir> <memoryLimit>
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBSession, sqlString } from '../src/core/duckdb.js';
import { LakeKeys } from '../src/core/lake/lake-layout.js';
import { LocalLake } from '../src/core/lake/local-lake.js';
import { runPipeline } from '../src/core/pipeline/run-pipeline.js';

const [step, lakeDir, memoryLimit] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
let detail: unknown;
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
  const manifest = await runPipeline({ lake: new LocalLake(lakeDir), memoryLimit, scratchDir: join(lakeDir, '..') });
  if (manifest.status !== 'succeeded') throw new Error(`pipeline failed: ${manifest.error}`);
  detail = {
    timings_ms: manifest.timings_ms,
    model_ms: Object.fromEntries(manifest.models.map((m) => [`${m.model}_v${m.version}`, m.duration_ms])),
    rows_loaded: manifest.ingest.rows_loaded,
    tests_passed: manifest.tests.passed,
  };
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ step, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, detail }));
