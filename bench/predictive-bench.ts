// The predictive steps on N simulated customers, in its own process so that its peak RSS is its own.
// Usage: node dist/bench/predictive-bench.js [--customers 1000000] [--seed 1]
// Prints one JSON line: fit and prediction times beside baselines measured in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBSession } from '../src/core/duckdb.js';
import { loadModels } from '../src/core/models/model-declaration.js';
import { buildModel } from '../src/core/models/model-runner.js';
import { defaultModelsDir } from '../src/core/paths.js';
import { fitBgNbd } from '../src/core/predictive/bg-nbd.js';
import { histories, numberColumns } from '../src/core/predictive/clv-steps.js';
import { fitGammaGamma } from '../src/core/predictive/gamma-gamma.js';
import { PREDICTIVE_STEPS } from '../src/core/predictive/predictive-steps.js';
import { CDNOW_LIKE, simulateCustomers, writeCustomers } from './simulate-customers.js';

const { values } = parseArgs({ options: { customers: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' } } });
const customers = Number(values.customers);
const scratch = mkdtempSync(join(tmpdir(), 'loyaltylake-predictive-bench-'));
const db = await DuckDBSession.open({ workDir: scratch });
const seconds = async <T>(work: () => T | Promise<T>): Promise<{ seconds: number; result: T }> => {
  const started = performance.now();
  const result = await work();
  return { seconds: (performance.now() - started) / 1000, result };
};
try {
  await writeCustomers(db, 'int_customer_rfm_v1', simulateCustomers(customers, { ...CDNOW_LIKE, seed: Number(values.seed) }));
  await db.run(`create table run_params as select date '2024-06-30' as as_of_date`);
  const models = loadModels(defaultModelsDir());
  const model = (table: string) => models.find((m) => m.table === table)!;

  // Baseline: DuckDB alone reading every customer's history and grouping them, as the fit's input query does.
  const scan = await seconds(() => db.scalar('select count(*) from (select frequency, recency_days, t_days, count(*) from int_customer_rfm_v1 group by all)'));
  const rows = await histories(db, '(select frequency, recency_days, t_days, 1 as customers from int_customer_rfm_v1)', 7);
  const spendColumns = await numberColumns(
    db,
    'select cast(frequency as double) as frequency, cast(monetary_value as double) as monetary_value, cast(count(*) as double) as customers from int_customer_rfm_v1 where frequency > 0 and monetary_value > 0 group by all order by all',
  );
  const spend = spendColumns.frequency!.map((x, i) => ({ frequency: x, monetaryValue: spendColumns.monetary_value![i]!, weight: spendColumns.customers![i]! }));

  const bgNbd = await seconds(() => fitBgNbd(rows));
  const gammaGamma = await seconds(() => fitGammaGamma(spend));
  // Baseline: the gradient-free Nelder–Mead search used before, on the same distinct histories.
  const bgNbdNelderMead = await seconds(() => fitBgNbd(rows, { optimizer: 'nelder-mead', maxIterations: 1_000 }));
  const gammaGammaNelderMead = await seconds(() => fitGammaGamma(spend, { optimizer: 'nelder-mead', maxIterations: 1_000 }));

  const fitStep = await seconds(() => buildModel(db, model('clv_model_v1'), PREDICTIVE_STEPS));
  // Baseline: DuckDB alone copying the customers into a new table, the floor of any step writing a row per customer.
  const copy = await seconds(() => db.run('create table copied_customers as select * from int_customer_rfm_v1'));
  // The prediction step alone, then as the pipeline runs it (with the runner's cast, sort by customer_id and data tests).
  const predictOnly = await seconds(() =>
    PREDICTIVE_STEPS.predict_clv!.run({
      db,
      model: model('clv_predictions_v1'),
      inputs: { int_customer_rfm: 'int_customer_rfm_v1', clv_model: 'clv_model_v1' },
      table: 'clv_predictions_step_only',
    }),
  );
  const predictStep = await seconds(() => buildModel(db, model('clv_predictions_v1'), PREDICTIVE_STEPS));
  const [published] = await db.rows('select customers, fitted_customers, bg_nbd_status, gamma_gamma_status from clv_model_v1');
  const fitSummary = (fit: typeof bgNbd | typeof gammaGamma) => ({
    seconds: fit.seconds,
    iterations: fit.result.iterations,
    converged: fit.result.converged,
    logLikelihood: fit.result.logLikelihood,
    params: fit.result.params,
  });
  const summary = {
    customers,
    distinctHistories: rows.length,
    distinctSpendRows: spend.length,
    duckdbScanSeconds: scan.seconds,
    duckdbCopySeconds: copy.seconds,
    bgNbd: { ...fitSummary(bgNbd), standardErrors: bgNbd.result.standardErrors },
    gammaGamma: { ...fitSummary(gammaGamma), standardErrors: gammaGamma.result.standardErrors },
    bgNbdNelderMead: fitSummary(bgNbdNelderMead),
    gammaGammaNelderMead: fitSummary(gammaGammaNelderMead),
    fitModelSeconds: fitStep.seconds,
    predictStepOnlySeconds: predictOnly.seconds,
    predictModelSeconds: predictStep.seconds,
    published,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  const s = (value: number) => `${value.toFixed(2)} s`;
  const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(1)}×`;
  const vsNelderMead = (fit: ReturnType<typeof fitSummary>, baseline: ReturnType<typeof fitSummary>) =>
    `${s(fit.seconds)} (${fit.iterations} BFGS iterations) vs Nelder–Mead ${s(baseline.seconds)} (${baseline.iterations} iterations): ` +
    `${ratio(baseline.seconds, fit.seconds)} faster; log-likelihood ${fit.logLikelihood.toFixed(6)} vs ${baseline.logLikelihood.toFixed(6)} (${(fit.logLikelihood - baseline.logLikelihood).toExponential(1)})`;
  const count = (n: number) => n.toLocaleString('en-US');
  console.log(`predictive, ${count(customers)} customers simulated from CDNOW's BG/NBD and Gamma-Gamma estimates (${count(rows.length)} distinct histories, ${count(spend.length)} distinct spend rows)`);
  console.log(`  BG/NBD fit: ${vsNelderMead(summary.bgNbd, summary.bgNbdNelderMead)}`);
  console.log(`  Gamma-Gamma fit: ${vsNelderMead(summary.gammaGamma, summary.gammaGammaNelderMead)}`);
  console.log(`  both fits: ${s(bgNbd.seconds + gammaGamma.seconds)} (target ≤ 2 s)`);
  console.log(
    `  clv_model (histories read, both fits, standard errors; the runner's checks): ${s(fitStep.seconds)} = ${ratio(fitStep.seconds, scan.seconds)} DuckDB grouping the histories (${s(scan.seconds)}); fitted ${count(Number(published?.fitted_customers))} of ${count(Number(published?.customers))} customers`,
  );
  console.log(
    `  clv_predictions step: ${s(predictOnly.seconds)} = ${ratio(predictOnly.seconds, copy.seconds)} DuckDB copying the customers (${s(copy.seconds)}); as a model with the runner's cast, sort and tests: ${s(predictStep.seconds)}`,
  );
  console.log(`  peak RSS ${Math.round(summary.peakRssMb)} MB`);
  console.log(JSON.stringify(summary));
} finally {
  db.closeSync();
  rmSync(scratch, { recursive: true, force: true });
}
