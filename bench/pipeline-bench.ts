// npm run bench [-- --orders 10000000 --memory-limit 1GB --clv-customers 1000000]
// Generates N orders, then times DuckDB alone converting them to Parquet (the baseline)
// and the whole pipeline on the same files, each in its own process; then the predictive
// fits and predictions on simulated customers (predictive-bench.ts), in a process of their own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureColdStart } from './cold-start.js';
import { generateOrders } from './generate-orders.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000000' },
    'memory-limit': { type: 'string', default: '1GB' },
    'clv-customers': { type: 'string', default: '1000000' },
  },
});
const orders = Number(values.orders);
const memoryLimit = values['memory-limit'];
const root = mkdtempSync(join(tmpdir(), 'loyaltylake-bench-'));
const lakeDir = join(root, 'lake');

const measure = (step: string) => {
  const output = execFileSync(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'measure-step.js'), step, lakeDir, memoryLimit], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as { seconds: number; peakRssMb: number; detail?: unknown };
};

try {
  const generating = performance.now();
  await generateOrders(lakeDir, orders);
  console.log(`generated ${orders.toLocaleString('en-US')} orders in ${((performance.now() - generating) / 1000).toFixed(1)} s (${root})`);
  const baseline = measure('baseline');
  const pipeline = measure('pipeline');
  const rows = (s: number) => Math.round(orders / s).toLocaleString('en-US');
  console.log(`DuckDB memory_limit ${memoryLimit}, ${orders.toLocaleString('en-US')} orders`);
  console.log(`baseline (DuckDB CSV → Parquet): ${baseline.seconds.toFixed(1)} s, ${rows(baseline.seconds)} rows/s, peak RSS ${Math.round(baseline.peakRssMb)} MB`);
  console.log(`pipeline (ingest + models + publish): ${pipeline.seconds.toFixed(1)} s, ${rows(pipeline.seconds)} rows/s, peak RSS ${Math.round(pipeline.peakRssMb)} MB`);
  console.log(`pipeline / baseline: ${(pipeline.seconds / baseline.seconds).toFixed(2)}×   steps: ${JSON.stringify(pipeline.detail)}`);
  const ingestSeconds = (pipeline.detail as { timings_ms: { ingest: number } }).timings_ms.ingest / 1000;
  console.log(`ingest / baseline: ${(ingestSeconds / baseline.seconds).toFixed(2)}× (ingest step ${ingestSeconds.toFixed(2)} s, baseline in the same run)`);
  const predictive = execFileSync(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'predictive-bench.js'), '--customers', values['clv-customers']], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  console.log(predictive.trim().split('\n').slice(0, -1).join('\n'));
  const coldStarts = await measureColdStart();
  const range = (values: number[]) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))} ms`;
  console.log(
    `ingest Lambda cold start (new process → first event handled, local S3): ${range(coldStarts.map((c) => c.firstEventMs))}` +
      ` (module imports: ${range(coldStarts.map((c) => c.importMs))})`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
