// npm run bench [-- --orders 10000000 --memory-limit 1GB --clv-customers 1000000]
// Generates N orders, then times DuckDB alone converting them to Parquet (the baseline)
// and the whole pipeline on the same files — with the orders models only, and with every
// model — each in its own process and its own copy of the inbox; then the predictive
// fits and predictions on simulated customers (predictive-bench.ts), in a process of their own.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
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

type Measured = { seconds: number; peakRssMb: number; detail?: PipelineDetail };
type PipelineDetail = {
  timings_ms: Record<string, number>;
  model_ms: Record<string, number>;
  clv_model?: { customers: number; fitted_customers: number; repeat_customers: number; bg_nbd_status: string };
};

/** One step in its own process; each pipeline run gets its own copy of the generated inbox. */
const measure = (step: string): Measured => {
  const lake = step === 'baseline' ? lakeDir : join(root, step);
  if (lake !== lakeDir) cpSync(join(lakeDir, 'inbox'), join(lake, 'inbox'), { recursive: true });
  const output = execFileSync(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'measure-step.js'), step, lake, memoryLimit], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as Measured;
};

/** The second release's models that run on orders and customers alone (issue 13's performance target). */
const SEGMENT_MODELS = ['int_customer_segments_v1', 'int_combination_months_v1', 'cohort_retention_by_segment_v1', 'segment_kpis_monthly_v1'];
const OTHER_SECOND_RELEASE_MODELS = ['loyalty_scorecard_monthly_v2', 'churn_risk_v2', 'kpi_targets_monthly_v1'];
const PREDICTIVE_MODELS = [
  'clv_backtest_v1',
  'clv_model_v1',
  'clv_predictions_v1',
  'clv_backtest_v2',
  'clv_model_v2',
  'clv_predictions_v2',
  'churn_risk_v1',
  'churn_risk_v2',
];

try {
  const generating = performance.now();
  await generateOrders(lakeDir, orders);
  console.log(`generated ${orders.toLocaleString('en-US')} orders in ${((performance.now() - generating) / 1000).toFixed(1)} s (${root})`);
  const baseline = measure('baseline');
  const ordersOnly = measure('pipeline-orders');
  const pipeline = measure('pipeline');
  const rows = (s: number) => Math.round(orders / s).toLocaleString('en-US');
  const ratio = (seconds: number) => `${(seconds / baseline.seconds).toFixed(2)}× baseline`;
  const steps = (m: Measured) =>
    Object.entries(m.detail!.timings_ms)
      .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(2)} s (${ratio(ms / 1000)})`)
      .join(', ');
  console.log(`DuckDB memory_limit ${memoryLimit}, ${orders.toLocaleString('en-US')} orders`);
  console.log(`baseline (DuckDB CSV → Parquet): ${baseline.seconds.toFixed(1)} s, ${rows(baseline.seconds)} rows/s, peak RSS ${Math.round(baseline.peakRssMb)} MB`);
  for (const [label, m] of [['pipeline, orders models', ordersOnly], ['pipeline, every model', pipeline]] as const) {
    console.log(`${label}: ${m.seconds.toFixed(1)} s = ${ratio(m.seconds)}, ${rows(m.seconds)} rows/s, peak RSS ${Math.round(m.peakRssMb)} MB`);
    console.log(`  steps: ${steps(m)}`);
  }
  const modelMs = pipeline.detail!.model_ms;
  const predictiveMs = PREDICTIVE_MODELS.filter((m) => m in modelMs).map((m) => `${m} ${((modelMs[m] ?? 0) / 1000).toFixed(2)} s`);
  const fit = pipeline.detail!.clv_model;
  const predictiveSeconds = PREDICTIVE_MODELS.reduce((total, m) => total + (modelMs[m] ?? 0), 0) / 1000;
  console.log(`  predictive steps (${predictiveSeconds.toFixed(1)} s): ${predictiveMs.join(', ')}; clv_model fitted ${fit?.fitted_customers.toLocaleString('en-US')} of ${fit?.customers.toLocaleString('en-US')} customers (${fit?.bg_nbd_status})`);
  console.log(`  every model's time (ms): ${JSON.stringify(modelMs)}`);
  // Both sides from the run with every model: one process, the same conditions.
  const ordersModels = Object.keys(ordersOnly.detail!.model_ms);
  const secondsOf = (models: readonly string[]) => models.reduce((total, m) => total + (modelMs[m] ?? 0), 0) / 1000;
  const share = (models: readonly string[]) => `${secondsOf(models).toFixed(2)} s = +${((100 * secondsOf(models)) / secondsOf(ordersModels)).toFixed(0)}%`;
  console.log(
    `  beside the orders models (${ordersModels.length} with their dependencies, ${secondsOf(ordersModels).toFixed(2)} s in that run):` +
      ` segment models ${share(SEGMENT_MODELS)}; with the other second-release models on orders ${share([...SEGMENT_MODELS, ...OTHER_SECOND_RELEASE_MODELS])}`,
  );
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
