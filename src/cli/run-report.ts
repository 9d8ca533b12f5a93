import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBSession, sqlIdent, sqlString } from '../core/duckdb.js';
import type { Lake } from '../core/lake/lake.js';
import { LakeKeys, LakePrefix } from '../core/lake/lake-layout.js';
import type { RunManifest } from '../core/pipeline/run-manifest.js';
import { alertLine } from '../core/targets/targets.js';
import type { PurchaseModelName } from '../core/predictive/purchase-models.js';
import { asOfBasis } from '../report/data-health.js';
import { rejectedFileLines, topReasonsText, warningLines } from './run-findings.js';
import { valueNotes } from './value-notes.js';

type Row = Record<string, unknown>;

/** The rows of the published tables that the report shows; a part is missing when its tables were not published. */
export interface ReportTables {
  readonly retention?: Row[];
  readonly kpis?: Row[];
  readonly scorecard?: Row;
  /** mrr_monthly's latest months, newest first (a lake with subscriptions). */
  readonly mrr?: Row[];
  readonly predictions?: { readonly fit?: Row; readonly backtest?: Row; readonly bands: Row[]; readonly models?: Row[] };
}

/** clv_model v2: the purchase models fitted side by side, one row each, the one predictions come from selected. */
const MODEL_CHOICE_TABLE = 'clv_model_v2';
const MODEL_LABELS: Record<PurchaseModelName, string> = { bg_nbd: 'BG/NBD', mbg_nbd: 'MBG/NBD', pareto_nbd: 'Pareto/NBD' };

/** The model tables the report reads (version 1 of each). */
const REPORTED_MODELS = ['cohort_retention', 'loyalty_kpis_monthly', 'loyalty_scorecard_monthly', 'mrr_monthly', 'clv_model', 'clv_backtest', 'churn_risk'] as const;
type ReportedModel = (typeof REPORTED_MODELS)[number];
const tableOf = (model: ReportedModel) => `${model}_v1`;

const count = (n: number) => n.toLocaleString('en-US');
const percent = (rate: unknown) => (rate === null || rate === undefined ? '   –' : `${Math.round(Number(rate) * 100)}%`.padStart(4));

/**
 * Prints what a run did: where its as-of date came from, its files (every one with rejects
 * named), its inputs and models; if it published, the tables a person reads first and why a
 * surprising number is what it is; last, its warnings.
 * `tables`: the rows read while the run still had its tables (PipelineOptions.readPublished);
 * without them, the published tables are downloaded (a run done elsewhere, such as in Lambda).
 */
export async function printRunReport(lake: Lake, manifest: RunManifest, elapsedMs: number, tables?: ReportTables): Promise<void> {
  const built = manifest.models.filter((m) => m.status === 'built');
  const skipped = manifest.models.filter((m) => m.status === 'skipped');
  const ok = manifest.status === 'succeeded';
  const warnings = manifest.warnings?.length ?? 0;
  console.log('');
  console.log(
    `${ok ? 'OK' : 'FAILED'}  run ${manifest.run_id} in ${(elapsedMs / 1000).toFixed(1)} s` +
      (manifest.as_of ? ` — as of ${manifest.as_of} (${asOfBasis(manifest)}), churn window ${manifest.churn_window_days} days` : '') +
      (warnings ? ` — ${warnings} WARNING${warnings === 1 ? '' : 'S'}, listed at the end` : ''),
  );
  printIngest(lake, manifest.ingest);
  printInputs(manifest);
  console.log(`  models  ${built.length} built${skipped.length ? `, ${skipped.length} skipped (${skippedByReason(skipped)})` : ''}; data tests ${manifest.tests.passed} passed, ${manifest.tests.failed} failed`);
  if (!ok) {
    console.log(`  error   ${manifest.error}`);
    console.log(`  nothing was published; the previous tables are unchanged. Manifest: ${lake.uri}/${LakeKeys.runManifest(manifest.run_id)}`);
  } else {
    console.log(`  tables  ${lake.uri}/${LakeKeys.metrics('<model>', '<N>')} (${built.filter((m) => m.published_to).length} tables)`);
    console.log(`  run     ${lake.uri}/${LakeKeys.runManifest(manifest.run_id)}`);
    printAlerts(manifest);
    const shown = tables ?? (await downloadReportTables(lake, manifest));
    printTables(shown);
    printNotes(valueNotes(shown, manifest.as_of));
  }
  // Last, so that nothing printed after them pushes them out of sight.
  for (const line of warningLines(manifest)) console.log(line);
}

/** Files and rows of the run's ingest: every refused file, every file with rejected rows, every note left on a file. */
function printIngest(lake: Lake, ingest: RunManifest['ingest']): void {
  if (ingest.files.length === 0 && ingest.files_already_ingested === 0) console.log('  files   none ingested by this run');
  else console.log(
    `  files   ${ingest.files_loaded} loaded, ${ingest.files_quarantined} quarantined, ${ingest.files_already_ingested} already ingested` +
      `; rows ${count(ingest.rows_in)} in = ${count(ingest.rows_loaded)} loaded + ${count(ingest.rows_rejected)} rejected`,
  );
  for (const file of ingest.files.filter((f) => f.outcome === 'quarantined')) {
    const reasons = topReasonsText(file);
    console.log(
      `  refused ${file.key}: ${file.error}${reasons ? ` — ${reasons}` : ''}` +
        (file.quarantine_key ? `\n          report: ${lake.uri}/${LakeKeys.quarantineReport(file.quarantine_key)}` : ''),
    );
  }
  for (const line of rejectedFileLines(ingest.files)) console.log(line);
  for (const file of ingest.files) for (const note of file.notes ?? []) console.log(`  note    ${file.key}: ${note}`);
  if (ingest.rows_rejected > 0) console.log(`          rejected rows: ${lake.uri}/${LakePrefix.rejects} (each row with its reason and source line)`);
}

/** The rows each dataset has, the datasets never dropped, and what a lake without orders has instead. */
function printInputs(manifest: RunManifest): void {
  for (const input of manifest.inputs.filter((i) => i.files.length > 0)) {
    console.log(`  input   ${input.dataset}: ${count(input.rowsCurrent)} rows current (${count(input.rows)} staged in ${input.files.length} files)`);
  }
  if (manifest.missing_datasets?.length) {
    console.log(`  missing ${manifest.missing_datasets.join(', ')} (never dropped: their models are skipped, their scorecard columns NULL)`);
  }
  const withoutOrders = lakeWithoutOrders(manifest);
  if (withoutOrders) console.log(`  lake    ${withoutOrders}`);
}

/** "no orders data: int_orders_completed v1, …; no events data: …": one group per reason, so a lake without orders reads in one line. */
function skippedByReason(skipped: readonly RunManifest['models'][number][]): string {
  const byReason = new Map<string, string[]>();
  for (const model of skipped) {
    const reason = model.skipped_because ?? 'skipped';
    byReason.set(reason, [...(byReason.get(reason) ?? []), `${model.model} v${model.version}`]);
  }
  return [...byReason].map(([reason, models]) => `${reason}: ${models.join(', ')}`).join('; ');
}

/** For a lake with no orders: what it has, and that the order-based tables are not there (not zero). */
function lakeWithoutOrders(manifest: RunManifest): string | undefined {
  const withRows = manifest.inputs.filter((input) => input.rowsCurrent > 0);
  if (withRows.length === 0 || withRows.some((input) => input.dataset === 'orders')) return undefined;
  const has = withRows.map((input) => `${input.dataset} (${count(input.rowsCurrent)} rows)`).join(', ');
  const mrr = withRows.some((input) => input.dataset === 'subscriptions') ? `; its subscriptions give MRR${manifest.status === 'succeeded' ? ', shown below' : ''}` : '';
  return `has ${has} and no orders: no retention triangle, order KPIs or CLV${mrr}`;
}

function printNotes(notes: readonly string[]): void {
  if (notes.length === 0) return;
  console.log('\nWhy some numbers look surprising (each follows its definition in docs/metrics.md):');
  for (const note of notes) console.log(`- ${note}`);
}

/**
 * Reads the report's rows from the model tables in `db` (named as in a run: `cohort_retention_v1`, …),
 * only from those in `published`.
 */
export async function readReportTables(db: DuckDBSession, published: ReadonlySet<string>): Promise<ReportTables> {
  const has = (...models: ReportedModel[]) => models.every((model) => published.has(tableOf(model)));
  const from = (model: ReportedModel) => sqlIdent(tableOf(model));
  const orders = has('cohort_retention', 'loyalty_kpis_monthly');
  const retention = orders ? await db.rows(`
      select strftime(cohort_month, '%Y-%m') as cohort, cohort_size, period_number, retention_rate
      from ${from('cohort_retention')}
      where cohort_month >= (select max(cohort_month) from ${from('cohort_retention')}) - interval 7 month
        and period_number <= 6
      order by cohort_month, period_number`) : undefined;
  const kpis = orders ? await db.rows(`
      select strftime(month, '%Y-%m') as month, is_partial_period, active_customers, new_customers, orders, revenue,
             avg_order_value, repeat_purchase_rate_12m, avg_order_value_12m, avg_monthly_churn_12m, expected_lifespan_years, clv_formula
      from ${from('loyalty_kpis_monthly')} order by month desc limit 3`) : undefined;
  const mrr = has('mrr_monthly')
    ? await db.rows(`
      select strftime(month, '%Y-%m') as month, is_partial_period, mrr, paying_customers, arpa, new_mrr, expansion_mrr,
             contraction_mrr, churned_mrr, reactivation_mrr, net_revenue_retention, gross_revenue_retention
      from ${from('mrr_monthly')} order by month desc limit 3`)
    : undefined;
  const [scorecard] = has('loyalty_scorecard_monthly')
    ? await db.rows(`
      select strftime(month, '%Y-%m') as month, * exclude (month)
      from ${from('loyalty_scorecard_monthly')} where not is_partial_period order by month desc limit 1`)
    : [];
  const predictions = has('clv_model', 'clv_backtest', 'churn_risk')
    ? {
        fit: (await db.rows(`select bg_nbd_converged, gamma_gamma_converged, customers, fitted_customers from ${from('clv_model')}`))[0],
        backtest: (
          await db.rows(
            `select actual_repeat_purchases, predicted_repeat_purchases, relative_error, holdout_days, converged, fit_status from ${from('clv_backtest')} where frequency_group = 'all'`,
          )
        )[0],
        bands: await db.rows(`select risk_band, count(*) as customers from ${from('churn_risk')} group by risk_band order by risk_band`),
        models: published.has(MODEL_CHOICE_TABLE)
          ? await db.rows(`select model, selected, backtest_error, converged, flat_ridge, status from ${sqlIdent(MODEL_CHOICE_TABLE)}`)
          : undefined,
      }
    : undefined;
  return { retention, kpis, scorecard, mrr, predictions };
}

/** For a run done elsewhere: downloads the published tables the report shows and reads them. */
async function downloadReportTables(lake: Lake, manifest: RunManifest): Promise<ReportTables> {
  const scratch = await mkdtemp(join(tmpdir(), 'loyaltylake-report-'));
  const db = await DuckDBSession.open({ workDir: scratch, threads: 1 });
  try {
    const published = new Set<string>();
    for (const model of REPORTED_MODELS) {
      const key = manifest.models.find((m) => m.model === model && m.version === 1)?.published_to;
      if (!key) continue;
      const path = join(scratch, `${tableOf(model)}.parquet`);
      await lake.download(key, path);
      await db.run(`create view ${sqlIdent(tableOf(model))} as select * from read_parquet(${sqlString(path)})`);
      published.add(tableOf(model));
    }
    const choice = manifest.models.find((m) => m.model === 'clv_model' && m.version === 2)?.published_to;
    if (choice) {
      const path = join(scratch, `${MODEL_CHOICE_TABLE}.parquet`);
      await lake.download(choice, path);
      await db.run(`create view ${sqlIdent(MODEL_CHOICE_TABLE)} as select * from read_parquet(${sqlString(path)})`);
      published.add(MODEL_CHOICE_TABLE);
    }
    return await readReportTables(db, published);
  } finally {
    db.closeSync();
    await rm(scratch, { recursive: true, force: true });
  }
}

function printTables({ retention, kpis, scorecard, mrr, predictions }: ReportTables): void {
  if (retention && kpis) printOrderTables(retention, kpis);
  if (mrr?.length) printMrr(mrr);
  if (scorecard) printScorecard(scorecard);
  if (predictions) printPredictions(predictions);
}

function printOrderTables(retention: Row[], kpis: Row[]): void {
  console.log('\nRetention: share of each cohort active k months after its first order (last 8 cohorts)');
  console.log(`cohort     size ${[0, 1, 2, 3, 4, 5, 6].map((k) => `  k${k}`.padStart(4)).join(' ')}`);
  for (const cohort of [...new Set(retention.map((r) => String(r.cohort)))]) {
    const rows = retention.filter((r) => r.cohort === cohort);
    const cells = [0, 1, 2, 3, 4, 5, 6].map((k) => percent(rows.find((r) => Number(r.period_number) === k)?.retention_rate));
    console.log(`${cohort} ${count(Number(rows[0]!.cohort_size)).padStart(7)} ${cells.join(' ')}`);
  }
  console.log('\nKPIs for the latest months (12m = trailing 12 months; * = partial month)');
  for (const k of [...kpis].reverse()) {
    console.log(
      `${k.month}${k.is_partial_period ? '*' : ' '} active ${count(Number(k.active_customers))}  new ${count(Number(k.new_customers))}` +
        `  orders ${count(Number(k.orders))}  revenue ${Number(k.revenue).toFixed(2)}  AOV ${k.avg_order_value ?? '–'}` +
        `  repeat rate 12m ${percent(k.repeat_purchase_rate_12m).trim()}  churn 12m ${percent(k.avg_monthly_churn_12m).trim()}/month  CLV ${k.clv_formula ?? '–'}`,
    );
  }
}

/** mrr_monthly's latest months: the headline of a subscription business. */
function printMrr(mrr: Row[]): void {
  const money = (value: unknown) => (value === null || value === undefined ? '–' : Number(value).toFixed(2));
  console.log('\nMRR for the latest months (* = partial month, MRR on the as-of date)');
  for (const m of [...mrr].reverse()) {
    console.log(
      `${m.month}${m.is_partial_period ? '*' : ' '} MRR ${money(m.mrr)}  paying ${count(Number(m.paying_customers))}  ARPA ${money(m.arpa)}` +
        `  new ${money(m.new_mrr)}  expansion ${money(m.expansion_mrr)}  reactivation ${money(m.reactivation_mrr)}` +
        `  contraction ${money(m.contraction_mrr)}  churned ${money(m.churned_mrr)}  NRR ${percent(m.net_revenue_retention).trim()}  GRR ${percent(m.gross_revenue_retention).trim()}`,
    );
  }
}

/** The scorecard's headline metrics: label, column, how to print it. */
const SCORECARD: readonly [string, string, (value: unknown) => string][] = [
  ['retention', 'retention_rate', (v) => percent(v).trim()],
  ['churn', 'churn_rate', (v) => percent(v).trim()],
  ['MRR', 'mrr', (v) => Number(v).toFixed(2)],
  ['NRR', 'net_revenue_retention', (v) => percent(v).trim()],
  ['GRR', 'gross_revenue_retention', (v) => percent(v).trim()],
  ['NPS', 'nps', (v) => Number(v).toFixed(0)],
  ['CSAT', 'csat', (v) => percent(v).trim()],
  ['CES', 'ces', (v) => Number(v).toFixed(1)],
  ['DAU/MAU', 'dau_mau', (v) => Number(v).toFixed(2)],
  ['referrals', 'referral_rate', (v) => percent(v).trim()],
  ['retention cost', 'retention_cost', (v) => Number(v).toFixed(2)],
  ['CRC', 'crc', (v) => Number(v).toFixed(2)],
];

/** The scorecard's latest complete month: the metrics it has, then those without data (– is never a zero). */
function printScorecard(row: Row): void {
  const missing = (value: unknown) => value === null || value === undefined;
  const shown = SCORECARD.filter(([, column]) => !missing(row[column]));
  const empty = SCORECARD.filter(([, column]) => missing(row[column]));
  console.log(`\nScorecard ${row.month} (latest complete month)`);
  console.log(shown.length ? shown.map(([label, column, format]) => `${label} ${format(row[column])}`).join('  ') : 'no metric has data for this month');
  if (empty.length) console.log(`– (no data for the month, or its dataset not dropped): ${empty.map(([label]) => label).join(', ')}`);
}

/** "N customers", or "a sample of n of N customers" when the fit did not see everyone. */
function fittedOn(fit: Row | undefined): string {
  const [customers, fitted] = [Number(fit?.customers ?? 0), Number(fit?.fitted_customers ?? 0)];
  return fitted < customers ? `a sample of ${count(fitted)} of ${count(customers)} customers` : `${count(customers)} customers`;
}

/** The backtest's headline; no predicted figure from a calibration fit that did not happen or converge. */
function backtestSummary(backtest: Row): string {
  const window = `backtest over the last ${Math.round(Number(backtest.holdout_days) / 7)} weeks`;
  const actual = count(Number(backtest.actual_repeat_purchases));
  if (backtest.converged !== true || backtest.predicted_repeat_purchases === null) {
    return `${window}: no prediction (calibration fit ${String(backtest.fit_status ?? 'missing')}), actual ${actual} repeat purchases`;
  }
  const error = backtest.relative_error === null ? '–' : `${(Number(backtest.relative_error) * 100).toFixed(1)}%`;
  return `${window}: predicted ${Math.round(Number(backtest.predicted_repeat_purchases)).toLocaleString('en-US')} repeat purchases, actual ${actual} (${error})`;
}

/**
 * clv_model v2's choice in one line: the selected model and each model's backtest error, e.g.
 * "model choice (holdout backtest error): Pareto/NBD selected, 3.1%; BG/NBD 4.2%; MBG/NBD not converged".
 */
export function modelChoiceLine(models: readonly Row[]): string {
  const label = (name: unknown) => (Object.hasOwn(MODEL_LABELS, String(name)) ? MODEL_LABELS[name as PurchaseModelName] : String(name));
  const describe = (row: Row) => {
    const error = row.backtest_error === null || row.backtest_error === undefined ? 'no backtest error' : `${(Number(row.backtest_error) * 100).toFixed(1)}%`;
    const usable = row.converged === true || row.flat_ridge === true;
    const state = row.flat_ridge === true ? ' (flat ridge: predictions flagged)' : usable ? '' : ` (${String(row.status)})`;
    return `${label(row.model)}${row.selected === true ? ' selected,' : ''} ${error}${state}`;
  };
  const ordered = [...models.filter((row) => row.selected === true), ...models.filter((row) => row.selected !== true)];
  const none = models.some((row) => row.selected === true) ? '' : 'no model selected, no predictions; ';
  return `model choice (holdout backtest error): ${none}${ordered.map(describe).join('; ')}`;
}

/** One line on the fitted CLV models, the backtest and the churn-risk bands. */
function printPredictions({ fit, backtest, bands, models }: NonNullable<ReportTables['predictions']>): void {
  console.log('\nPredictive CLV (BG/NBD + Gamma-Gamma)');
  console.log(
    (fit?.bg_nbd_converged && fit?.gamma_gamma_converged ? `fit converged on ${fittedOn(fit)}` : `fit DID NOT CONVERGE on ${fittedOn(fit)} — do not rely on the predictions`) +
      (backtest ? `; ${backtestSummary(backtest)}` : ''),
  );
  if (models?.length) console.log(modelChoiceLine(models));
  console.log(`churn risk: ${bands.map((b) => `${b.risk_band} ${count(Number(b.customers))}`).join(', ')}`);
}

/** The KPI targets missed in the latest complete month, set apart so they are not overlooked. */
export function printAlerts(manifest: RunManifest): void {
  const alerts = manifest.alerts ?? [];
  const targets = manifest.targets?.length ?? 0;
  if (targets === 0) return;
  if (alerts.length === 0) {
    console.log(`  targets ${targets} KPI targets, none missed in the latest complete month`);
    return;
  }
  console.log(`\n!! ${alerts.length} of ${targets} KPI targets MISSED in ${alerts[0]!.month} (latest complete month):`);
  for (const alert of alerts) console.log(`!!   ${alertLine(alert)}`);
}
