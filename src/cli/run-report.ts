import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBSession, sqlIdent, sqlString } from '../core/duckdb.js';
import type { Lake } from '../core/lake/lake.js';
import { LakeKeys, LakePrefix } from '../core/lake/lake-layout.js';
import type { RunManifest } from '../core/pipeline/run-manifest.js';
import { alertLine } from '../core/targets/targets.js';

type Row = Record<string, unknown>;

/** The rows of the published tables that the report shows; a part is missing when its tables were not published. */
export interface ReportTables {
  readonly retention?: Row[];
  readonly kpis?: Row[];
  readonly scorecard?: Row;
  readonly predictions?: { readonly fit?: Row; readonly backtest?: Row; readonly bands: Row[] };
}

/** The model tables the report reads (version 1 of each). */
const REPORTED_MODELS = ['cohort_retention', 'loyalty_kpis_monthly', 'loyalty_scorecard_monthly', 'clv_model', 'clv_backtest', 'churn_risk'] as const;
type ReportedModel = (typeof REPORTED_MODELS)[number];
const tableOf = (model: ReportedModel) => `${model}_v1`;

const count = (n: number) => n.toLocaleString('en-US');
const percent = (rate: unknown) => (rate === null || rate === undefined ? '   –' : `${Math.round(Number(rate) * 100)}%`.padStart(4));

/**
 * Prints what a run did, then (if it published) a compact retention triangle and the latest KPIs.
 * `tables`: the rows read while the run still had its tables (PipelineOptions.readPublished);
 * without them, the published tables are downloaded (a run done elsewhere, such as in Lambda).
 */
export async function printRunReport(lake: Lake, manifest: RunManifest, elapsedMs: number, tables?: ReportTables): Promise<void> {
  const { ingest } = manifest;
  const built = manifest.models.filter((m) => m.status === 'built');
  const skipped = manifest.models.filter((m) => m.status === 'skipped');
  const ok = manifest.status === 'succeeded';
  console.log('');
  console.log(
    `${ok ? 'OK' : 'FAILED'}  run ${manifest.run_id} in ${(elapsedMs / 1000).toFixed(1)} s` +
      (manifest.as_of ? ` — as of ${manifest.as_of} (${manifest.as_of_source === 'option' ? '--as-of' : 'latest completed order'}), churn window ${manifest.churn_window_days} days` : ''),
  );
  if (ingest.files.length === 0 && ingest.files_already_ingested === 0) console.log('  files   none ingested by this run');
  else console.log(
    `  files   ${ingest.files_loaded} loaded, ${ingest.files_quarantined} quarantined, ${ingest.files_already_ingested} already ingested` +
      `; rows ${count(ingest.rows_in)} in = ${count(ingest.rows_loaded)} loaded + ${count(ingest.rows_rejected)} rejected`,
  );
  for (const file of ingest.files.filter((f) => f.outcome === 'quarantined')) {
    console.log(`  refused ${file.key}: ${file.error}\n          report: ${lake.uri}/${LakeKeys.quarantineReport(file.quarantine_key!)}`);
  }
  if (ingest.rows_rejected > 0) console.log(`  rejects ${lake.uri}/${LakePrefix.rejects} (each row with its reason and source line)`);
  for (const input of manifest.inputs.filter((i) => i.files.length > 0)) {
    console.log(`  input   ${input.dataset}: ${count(input.rowsCurrent)} rows current (${count(input.rows)} staged in ${input.files.length} files)`);
  }
  if (manifest.missing_datasets?.length) {
    console.log(`  missing ${manifest.missing_datasets.join(', ')} (never dropped: their models are skipped, their scorecard columns NULL)`);
  }
  console.log(
    `  models  ${built.length} built${skipped.length ? `, ${skipped.length} skipped (${skipped.map((m) => `${m.model} v${m.version}: ${m.skipped_because}`).join('; ')})` : ''}` +
      `; data tests ${manifest.tests.passed} passed, ${manifest.tests.failed} failed`,
  );
  if (!ok) {
    console.log(`  error   ${manifest.error}`);
    console.log(`  nothing was published; the previous tables are unchanged. Manifest: ${lake.uri}/${LakeKeys.runManifest(manifest.run_id)}`);
    return;
  }
  console.log(`  tables  ${lake.uri}/${LakeKeys.metrics('<model>', '<N>')} (${built.filter((m) => m.published_to).length} tables)`);
  console.log(`  run     ${lake.uri}/${LakeKeys.runManifest(manifest.run_id)}`);
  printAlerts(manifest);
  printTables(tables ?? (await downloadReportTables(lake, manifest)));
}

/**
 * Reads the report's rows from the model tables in `db` (named as in a run: `cohort_retention_v1`, …),
 * only from those in `published`.
 */
export async function readReportTables(db: DuckDBSession, published: ReadonlySet<string>): Promise<ReportTables> {
  const has = (...models: ReportedModel[]) => models.every((model) => published.has(tableOf(model)));
  const from = (model: ReportedModel) => sqlIdent(tableOf(model));
  if (!has('cohort_retention', 'loyalty_kpis_monthly')) return {};
  const retention = await db.rows(`
      select strftime(cohort_month, '%Y-%m') as cohort, cohort_size, period_number, retention_rate
      from ${from('cohort_retention')}
      where cohort_month >= (select max(cohort_month) from ${from('cohort_retention')}) - interval 7 month
        and period_number <= 6
      order by cohort_month, period_number`);
  const kpis = await db.rows(`
      select strftime(month, '%Y-%m') as month, is_partial_period, active_customers, new_customers, orders, revenue,
             avg_order_value, repeat_purchase_rate_12m, avg_monthly_churn_12m, clv_formula
      from ${from('loyalty_kpis_monthly')} order by month desc limit 3`);
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
      }
    : undefined;
  return { retention, kpis, scorecard, predictions };
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
    return await readReportTables(db, published);
  } finally {
    db.closeSync();
    await rm(scratch, { recursive: true, force: true });
  }
}

function printTables({ retention, kpis, scorecard, predictions }: ReportTables): void {
  if (!retention || !kpis) return;
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
  if (scorecard) printScorecard(scorecard);
  if (predictions) printPredictions(predictions);
}

/** The scorecard's latest complete month: every headline metric, '–' where its data is missing. */
function printScorecard(row: Row): void {
  const number = (value: unknown, digits = 0) => (value === null || value === undefined ? '–' : Number(value).toFixed(digits));
  console.log(`\nScorecard ${row.month} (latest complete month; – = dataset not dropped)`);
  console.log(
    `retention ${percent(row.retention_rate).trim()}  churn ${percent(row.churn_rate).trim()}  MRR ${number(row.mrr, 2)}  NRR ${percent(row.net_revenue_retention).trim()}` +
      `  GRR ${percent(row.gross_revenue_retention).trim()}  NPS ${number(row.nps)}  CSAT ${percent(row.csat).trim()}  CES ${number(row.ces, 1)}` +
      `  DAU/MAU ${number(row.dau_mau, 2)}  referrals ${percent(row.referral_rate).trim()}  retention cost ${number(row.retention_cost, 2)}  CRC ${number(row.crc, 2)}`,
  );
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

/** One line on the fitted CLV models, the backtest and the churn-risk bands. */
function printPredictions({ fit, backtest, bands }: NonNullable<ReportTables['predictions']>): void {
  console.log('\nPredictive CLV (BG/NBD + Gamma-Gamma)');
  console.log(
    `fit ${fit?.bg_nbd_converged && fit?.gamma_gamma_converged ? 'converged' : 'DID NOT CONVERGE — do not rely on the predictions'} on ${fittedOn(fit)}` +
      (backtest ? `; ${backtestSummary(backtest)}` : ''),
  );
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
