import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCalendarDate } from '../calendar-date.js';
import { forgetRecordsSince, type ForgetRecord } from '../control/forget-records.js';
import { DuckDBSession, sqlString } from '../duckdb.js';
import { AthenaEngine } from '../engine/athena-engine.js';
import type { AthenaQueries, PollOptions, QueryResults } from '../engine/athena-queries.js';
import { InProcessEngine, type ModelEngine } from '../engine/model-engine.js';
import { anyCondition } from '../engine/staging-statement.js';
import { ConfigError, DataError, errorMessage, ModelError } from '../errors.js';
import { ingestInbox, ingestLimits, type FileReport } from '../ingest/ingest.js';
import { adoptUnfinished, withAdopted } from '../ingest/ingest-records.js';
import { lakeCurrency, leaveOutOtherCurrencies, otherCurrencyConditions } from '../ingest/lake-currency.js';
import { leaveOutOfRange, outOfRangeConditions, type LeftOut } from '../ingest/leave-out.js';
import type { Lake } from '../lake/lake.js';
import { writeJson } from '../lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import { dependencyOrder, loadModels, settingOverridesFrom, type ModelVersion } from '../models/model-declaration.js';
import type { BuiltModel } from '../models/model-runner.js';
import { checkSteps, type StepRegistry } from '../models/model-step.js';
import { defaultModelsDir } from '../paths.js';
import { PREDICTIVE_STEPS } from '../predictive/predictive-steps.js';
import { DEFAULT_CHURN_WINDOW_DAYS } from '../settings-defaults.js';
import { readLakeSettings, type LoadedLakeSettings } from '../settings/lake-settings.js';
import { missedTargets, resolveTargets, targetsLast, type TargetAlert } from '../targets/targets.js';
import { targetsSteps } from '../targets/targets-step.js';
import { allRejectedDatasets, allRejectedMessage, allRejectedWarning, type RejectedDataset } from './all-rejected.js';
import { headlineFigures, type RunHeadline } from './headline-figures.js';
import { jumpWarnings } from './jump-warnings.js';
import { currentTablesRun } from './previous-runs.js';
import {
  historySettings,
  publishedKeys,
  publishTables,
  recoverPublish,
  removeStrayTemps,
  runSucceeded,
  writeModelParquet,
  type Publication,
  type PublishedTable,
  type PublishMode,
  type PublishRecovery,
} from './publish.js';
import { DEFAULT_LEASE_SECONDS, takeLease, type RunLease } from './run-lease.js';
import { latestManifest, summarizeIngest, writeManifest, type ModelRunRecord, type RunManifest, type RunWarning } from './run-manifest.js';
import { stageInputs, type StagedDataset } from './stage-inputs.js';
import { compactStaging, DEFAULT_COMPACT_ABOVE_FILES } from './compact-staging.js';

export interface PipelineOptions {
  readonly lake: Lake;
  /** @default - a new id from the start time and a random suffix */
  readonly runId?: string;
  /** Last date counted, YYYY-MM-DD. @default - the date of the latest completed order */
  readonly asOf?: string;
  /**
   * With an `asOf` before the as-of date of the tables in metrics/ (a backfill): replace the
   * current tables too. Without it, a backfill writes history snapshots only and leaves metrics/
   * and `_runs/latest.json` as they are. @default false
   */
  readonly publishCurrent?: boolean;
  /** @default - `churn_window_days` of the lake's loyaltylake.yml, else DEFAULT_CHURN_WINDOW_DAYS (90) */
  readonly churnWindowDays?: number;
  /** @default - the package's sql/models */
  readonly modelsDir?: string;
  /** DuckDB memory_limit, e.g. '2GB'. @default - DuckDB's default (80% of RAM) */
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Folder for the run's scratch space. @default - the OS temp folder */
  readonly scratchDir?: string;
  /** Ingest new inbox files first. false: only build from staging (the ingest Lambda loads files). @default true */
  readonly ingest?: boolean;
  /** The steps that build step models (the KPI targets step is always added). @default - the predictive steps */
  readonly steps?: StepRegistry;
  /** How long the run's lease on the lake holds without renewal (run-lease.ts). @default 600 */
  readonly leaseSeconds?: number;
  /** Called with a line of progress for each step. */
  readonly onProgress?: (message: string) => void;
  /**
   * Called once the tables are published, with the run's DuckDB session (each published table
   * is there under its model table name, e.g. `cohort_retention_v1`) and the names of the
   * published tables: read what you need without downloading them. Its errors are reported
   * as progress; the run has succeeded by then.
   */
  readonly readPublished?: (db: DuckDBSession, published: ReadonlySet<string>) => Promise<void>;
  /**
   * Build the models on Athena's DuckDB engine (docs/athena.md) through these queries, in the
   * workgroup and Glue database they name. @default - every model in this process
   */
  readonly athena?: { readonly queries: AthenaQueries; readonly poll?: PollOptions };
}

/** What each step of a run returned, as far as the run got. The manifest is made from it. */
interface StepResults {
  /** Set when another run holds the lake: this run did nothing. */
  blockedBecause?: string;
  recovered?: PublishRecovery;
  settings?: LoadedLakeSettings;
  files?: FileReport[];
  inputs?: StagedDataset[];
  asOf?: { readonly date: string; readonly source: 'data' | 'option'; readonly basis: AsOfBasis };
  currency?: RunManifest['currency'];
  outOfRange?: LeftOut;
  models?: ModelOutcome[];
  published?: PublishedModel[];
  forgets?: ForgetRecord[];
  /** Targets missed in the latest complete month (targets.ts). */
  alerts?: TargetAlert[];
  /** What the run's guards found (all_rejected, jump): in the manifest, printed as they are found. */
  warnings: RunWarning[];
  mode?: PublishMode;
  backfill?: RunManifest['backfill'];
  historySettings?: string;
  headline?: RunHeadline;
}

/** One model version in a run: built (with its tests) or skipped with the reason. */
type ModelOutcome =
  | { readonly model: ModelVersion; readonly built: BuiltModel }
  | { readonly model: ModelVersion; readonly skippedBecause: string };

interface PublishedModel {
  readonly model: ModelVersion;
  readonly keys: PublishedTable;
}

/**
 * One run: take the lake's lease, finish an earlier run's interrupted publish, ingest what is
 * new in the inbox, build every model version, run every data test, and only if all pass
 * publish every table. Never throws for a failed run: the returned manifest (also written to
 * `_runs/`) says what failed and why.
 */
export async function runPipeline(options: PipelineOptions): Promise<RunManifest> {
  const { lake } = options;
  const progress = options.onProgress ?? (() => {});
  let churnWindowDays = options.churnWindowDays ?? DEFAULT_CHURN_WINDOW_DAYS;
  const started = new Date();
  const runId = options.runId ?? newRunId(started);
  const results: StepResults = { warnings: [] };
  const warn = (warning: RunWarning) => {
    results.warnings.push(warning);
    progress(`WARNING (${warning.kind}): ${warning.message}`);
  };
  const timings: Record<string, number> = {};
  let failure: unknown;
  const scratch = await mkdtemp(join(options.scratchDir ?? tmpdir(), 'loyaltylake-'));
  let db: DuckDBSession | undefined;
  let engine: ModelEngine | undefined;
  let lease: RunLease | undefined;
  let publication: Publication | undefined;
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const stepStarted = performance.now();
    try {
      return await work();
    } finally {
      timings[step] = Math.round(performance.now() - stepStarted);
    }
  };
  try {
    validateOptions(options);
    const taken = await takeLease(lake, runId, options.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
    if (!taken.held) {
      results.blockedBecause = taken.message;
      throw new ConfigError(taken.message);
    }
    lease = taken.lease;
    // Before anything else: the tables must be one run's again.
    results.recovered = await recoverPublish(lake, scratch, await committedRun(lake));
    if (results.recovered) {
      const { action, run_id, replaced, objects } = results.recovered;
      progress(`publish of run ${run_id} was interrupted after ${replaced} of ${objects} objects: ${action.replace('_', ' ')}`);
    }
    for (const key of await removeStrayTemps(lake)) progress(`removed ${key}, a temp file an earlier version left among the tables`);
    const current = await currentTablesRun(lake);
    ({ mode: results.mode, backfill: results.backfill } = publishMode(options, current));
    if (results.backfill) {
      const { current_as_of, current_run_id } = results.backfill;
      progress(
        results.mode === 'history_only'
          ? `backfill: --as-of ${options.asOf} is before ${current_as_of}, the as-of date of the current tables (run ${current_run_id}): ` +
              `writing history snapshots only; ${LakePrefix.metrics} and ${LakeKeys.latestRunManifest} stay as they are (--publish-current replaces them)`
          : `backfill with --publish-current: --as-of ${options.asOf} replaces the current tables of ${current_as_of} (run ${current_run_id})`,
      );
    }
    results.forgets = await forgetRecordsSince(lake, (await latestManifest(lake))?.finished_at);
    results.settings = await readLakeSettings(lake);
    const { settings, unknownKeys } = results.settings;
    if (unknownKeys.length > 0) progress(`settings: ${LakeKeys.settings} holds keys no setting reads, ignored: ${unknownKeys.join(', ')}`);
    churnWindowDays = options.churnWindowDays ?? settings.churn_window_days ?? DEFAULT_CHURN_WINDOW_DAYS;
    results.historySettings = historySettings(churnWindowDays, results.settings.fingerprint);
    // The lake's settings override the models' declared settings of the same name (fingerprints included).
    const models = targetsLast(dependencyOrder(loadModels(options.modelsDir ?? defaultModelsDir(), { settingOverrides: settingOverridesFrom(settings) })));
    // Targets are checked against the declarations before anything is built; the step gets them in its registry.
    const steps = { ...(options.steps ?? PREDICTIVE_STEPS), ...targetsSteps(resolveTargets(settings.targets, models)) };
    checkSteps(models, steps);
    db = await DuckDBSession.open({ workDir: scratch, memoryLimit: options.memoryLimit, threads: options.threads });
    const session = db;
    const athena = options.athena && new AthenaEngine({ ...options.athena, lake, db: session, scratch, runId, steps, models });
    const modelEngine = athena ?? new InProcessEngine(session, steps);
    engine = modelEngine;

    results.files = options.ingest === false ? [] : await timed('ingest', () =>
      ingestInbox({ lake, db: session, workDir: scratch, runId, ...ingestLimits(settings) }, (file, index, total) => {
        // A withdrawn file is counted in the manifest (files_withdrawn), not announced each run.
        if (file.outcome === 'already_ingested' || file.outcome === 'withdrawn') return;
        const counts =
          file.outcome === 'loaded'
            ? `${file.rows_loaded} rows loaded, ${file.rows_rejected} rejected`
            : `quarantined: ${file.error}`;
        progress(`ingest ${index + 1}/${total} ${file.key}: ${counts}`);
      }),
    );
    for (const file of results.files.filter((f) => f.outcome === 'skipped')) progress(`ingest skipped ${file.key}: ${file.error}`);

    // Under the lease, before anything reads staging (the Glue tables too): see compact-staging.ts.
    const compacted = await timed('compact', () => compactStaging(lake, session, scratch, settings.staging?.compact_above_files ?? DEFAULT_COMPACT_ABOVE_FILES));
    for (const key of compacted.settled) progress(`staging: removed ${key}, left by an unfinished compaction (its rows are in the compacted file)`);
    for (const c of compacted.compactions) progress(`staging: compacted ${c.files} ${c.dataset} files (${c.rows} rows) into ${c.compacted}`);

    const currency = await lakeCurrency(lake, session, scratch, settings.currency);
    const dates = ingestLimits(settings, started).dates!;
    let inputs: StagedDataset[];
    if (athena) {
      // One condition per dataset, so one count of the rows either rule left out (docs/athena.md).
      const leaveOut = anyCondition(...(currency ? [otherCurrencyConditions(currency)] : []), outOfRangeConditions(dates));
      const staged = await timed('stage', () => athena.stage(leaveOut));
      inputs = staged.map(({ rowsLeftOut: _, ...input }) => input);
      const rows = staged.reduce((n, s) => n + s.rowsLeftOut, 0);
      results.currency = currency;
      if (rows > 0) {
        results.outOfRange = { rows, staging_files: [] };
        progress(`${rows} staged rows out of range${currency ? ` or not in ${currency.code}` : ''} left out (Athena engine: one count for both rules, no files named)`);
      }
    } else {
      inputs = await timed('stage', () => stageInputs(lake, session, scratch));
      const stagedFiles = (dataset: string) => inputs.find((i) => i.dataset === dataset)?.files ?? [];
      const leftOut = currency && (await leaveOutOtherCurrencies(session, currency, stagedFiles, scratch));
      if (leftOut) progress(`currency: ${leftOut.rows} staged rows not in ${currency!.code} left out, from ${leftOut.staging_files.join(', ')}`);
      results.currency = currency && { ...currency, ...(leftOut ? { rows_left_out: leftOut } : {}) };
      results.outOfRange = await leaveOutOfRange(session, dates, stagedFiles, scratch);
      if (results.outOfRange) progress(`${results.outOfRange.rows} staged rows with a date or amount out of range left out, from ${results.outOfRange.staging_files.join(', ')}`);
    }
    results.inputs = inputs;
    const rejected = await allRejectedDatasets(lake, session, scratch, inputs, results.files);
    if (rejected.length > 0 && inputs.every((input) => input.rowsCurrent === 0)) {
      throw new DataError(`${rejected.map(allRejectedMessage).join('. ')}. Nothing is loaded, nothing to build`);
    }
    for (const dataset of rejected) warn(allRejectedWarning(dataset));
    const fromData = options.asOf === undefined ? await asOfFromData(athena ?? session) : undefined;
    if (options.asOf === undefined && !fromData) throw noAsOfDate(rejected);
    const asOf = options.asOf ?? fromData!.date;
    results.asOf = { date: asOf, source: options.asOf ? 'option' : 'data', basis: fromData?.basis ?? 'option' };
    await session.run(
      `create table run_params as select cast(${sqlString(asOf)} as date) as as_of_date, cast(${churnWindowDays} as integer) as churn_window_days`,
    );
    athena?.useRunParams({ asOf, churnWindowDays });

    const built = await timed('models', () => buildModels(modelEngine, models, inputs, progress));
    results.models = built.outcomes;
    if (built.error) throw built.error;
    const failed = failedTests(built.outcomes);
    if (failed.length > 0) throw new ModelError('data tests', `${failed.length} failed, nothing published: ${failed.join('; ')}`);
    const alerts = await missedTargets(session, models);
    const builtTables = new Set(built.outcomes.flatMap((o) => ('built' in o ? [o.model.table] : [])));
    try {
      // Read where the tables were built: on Athena, the session holds only the published tables and the steps' inputs.
      const source = athena ? { rows: async (sql: string) => resultRows(await athena.select(sql)) } : session;
      results.headline = await headlineFigures(source, asOf, builtTables);
      if (current?.headline) for (const warning of jumpWarnings(current, results.headline)) warn(warning);
    } catch (error) {
      // A guard, not a step: the tables are good; the next run compares with the one before.
      progress(`could not read the headline figures, no comparison with the previous run: ${errorMessage(error)}`);
    }

    const mode = results.mode!;
    const variant = results.historySettings!;
    results.published = await timed('publish', async () => {
      const tables = [];
      for (const { model } of built.outcomes.filter((o) => 'built' in o && o.model.publish)) {
        const localPath = await writeModelParquet(session, model, scratch, { runId, asOf });
        tables.push({ model, localPath, keys: publishedKeys(model, asOf, variant, mode) });
      }
      publication = await publishTables(lake, { runId, asOf, mode }, tables, scratch);
      const snapshots = `${LakePrefix.history}<model>/v<N>/${LakeKeys.historyPartition(asOf, variant)}`;
      progress(
        mode === 'current'
          ? `published ${tables.length} tables to ${lake.uri}/${LakePrefix.metrics}`
          : `wrote ${tables.length} history snapshots to ${lake.uri}/${snapshots}; ${LakePrefix.metrics} unchanged`,
      );
      return tables.map(({ model, keys }) => ({ model, keys }));
    });
    results.alerts = alerts;
    if (options.readPublished) await readPublished(session, results.published, options.readPublished, progress);
  } catch (error) {
    failure = error;
  } finally {
    for (const problem of (await engine?.cleanUp()) ?? []) progress(problem);
    db?.closeSync();
  }
  // Only under the lease: the files of the run that holds it are that run's to count.
  const unfinished = lease ? await adoptUnfinished(lake, runId) : { adopted: [] };
  if (unfinished.adopted.length > 0) progress(`counted ${unfinished.adopted.length} files ingested by runs that wrote no manifest`);
  if (unfinished.error) progress(`could not count all files of runs that wrote no manifest, the next run will: ${errorMessage(unfinished.error)}`);
  results.files = withAdopted(results.files ?? [], unfinished.adopted);
  const manifest = assembleManifest({ runId, lake, started, churnWindowDays, results, timings, failure });
  try {
    return await finishRun(lake, manifest, publication);
  } finally {
    await lease?.release().catch((error: unknown) => progress(`could not release ${LakeKeys.runLease}: ${errorMessage(error)} (it expires)`));
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The run whose publish latest.json commits, if the latest run succeeded. */
async function committedRun(lake: Lake): Promise<string | undefined> {
  const latest = await latestManifest(lake);
  return latest?.status === 'succeeded' ? latest.run_id : undefined;
}

/**
 * Writes the manifest, which commits a publish (latest.json names the run), then removes the
 * journal. If the manifest cannot be written the tables are put back: a run is published
 * exactly when latest.json says so. Never throws: a failure is in the returned manifest.
 */
async function finishRun(lake: Lake, manifest: RunManifest, publication: Publication | undefined): Promise<RunManifest> {
  try {
    await writeManifest(lake, manifest);
  } catch (error) {
    // A write that reached the lake but whose answer was lost still committed.
    if (publication && (await isCommitted(lake, manifest).catch(() => false))) return await commit(publication, manifest);
    const undone = publication ? `; ${await publication.rollBack()}` : '';
    const failed: RunManifest = {
      ...manifest,
      status: 'failed',
      published: false,
      error: `${manifest.error ? `${manifest.error}; then ` : ''}could not write the run manifest ${committingManifest(manifest)}: ${errorMessage(error)}${undone}`,
    };
    await writeJson(lake, LakeKeys.runManifest(manifest.run_id), failed).catch(() => {});
    return failed;
  }
  return publication ? await commit(publication, manifest) : manifest;
}

/** The manifest whose write commits the run's publish. */
function committingManifest(manifest: RunManifest): string {
  return manifest.publish_mode === 'history_only' ? LakeKeys.runManifest(manifest.run_id) : LakeKeys.latestRunManifest;
}

/** Whether the manifest that commits the run's publish is in the lake: latest.json, or for a history-only run its own. */
async function isCommitted(lake: Lake, manifest: RunManifest): Promise<boolean> {
  if (manifest.publish_mode === 'history_only') return await runSucceeded(lake, manifest.run_id);
  return (await committedRun(lake)) === manifest.run_id;
}

/**
 * How the run publishes: history only when `asOf` is before the as-of date of the current
 * tables (a backfill), unless `publishCurrent`; else current.
 */
function publishMode(options: PipelineOptions, current: RunManifest | undefined): { mode: PublishMode; backfill?: RunManifest['backfill'] } {
  if (options.asOf === undefined || current?.as_of === undefined || options.asOf >= current.as_of) return { mode: 'current' };
  const publishCurrent = options.publishCurrent === true;
  return {
    mode: publishCurrent ? 'current' : 'history_only',
    backfill: { current_run_id: current.run_id, current_as_of: current.as_of, publish_current: publishCurrent },
  };
}

async function commit(publication: Publication, manifest: RunManifest): Promise<RunManifest> {
  // Committed already; a journal left here is only rolled forward (removed) by the next run.
  await publication.commit().catch(() => {});
  return manifest;
}

/** The manifest of a run, from what its steps returned and how it ended. */
function assembleManifest(run: {
  runId: string;
  lake: Lake;
  started: Date;
  churnWindowDays: number;
  results: StepResults;
  timings: Record<string, number>;
  failure: unknown;
}): RunManifest {
  const { results } = run;
  const inputs = results.inputs ?? [];
  const outcomes = results.models ?? [];
  const published = results.published ?? [];
  const testsPassed = outcomes.reduce((n, o) => n + ('built' in o ? o.built.tests.filter((t) => t.passed).length : 0), 0);
  const succeeded = run.failure === undefined;
  return {
    run_id: run.runId,
    status: succeeded ? 'succeeded' : results.blockedBecause ? 'blocked' : 'failed',
    ...(succeeded ? {} : { error: errorMessage(run.failure) }),
    lake: run.lake.uri,
    started_at: run.started.toISOString(),
    finished_at: new Date().toISOString(),
    as_of: results.asOf?.date,
    as_of_source: results.asOf?.source,
    as_of_basis: results.asOf?.basis,
    churn_window_days: run.churnWindowDays,
    currency: results.currency,
    out_of_range_left_out: results.outOfRange,
    settings: { source: results.settings?.source ?? null, unknown_keys: results.settings?.unknownKeys ?? [], fingerprint: results.settings?.fingerprint },
    ...(results.settings ? { targets: results.settings.settings.targets } : {}),
    ...(results.alerts ? { alerts: results.alerts } : {}),
    ...(results.forgets?.length ? { forgets: results.forgets } : {}),
    ingest: summarizeIngest(results.files ?? []),
    inputs,
    missing_datasets: inputs.filter((input) => input.rowsCurrent === 0).map((input) => input.dataset),
    models: outcomes.map((outcome) => modelRecord(outcome, published.find((p) => p.model === outcome.model)?.keys)),
    tests: { passed: testsPassed, failed: failedTests(outcomes).length },
    published: succeeded,
    ...(results.recovered ? { recovered_publish: results.recovered } : {}),
    ...(results.mode ? { publish_mode: results.mode } : {}),
    ...(results.backfill ? { backfill: results.backfill } : {}),
    ...(results.historySettings ? { history_settings: results.historySettings } : {}),
    ...(results.headline ? { headline: results.headline } : {}),
    ...(results.warnings.length > 0 ? { warnings: results.warnings } : {}),
    timings_ms: run.timings,
  };
}

function modelRecord(outcome: ModelOutcome, published: PublishedTable | undefined): ModelRunRecord {
  const { model } = outcome;
  const base = { model: model.model, version: model.version, fingerprint: model.fingerprint };
  if (!('built' in outcome)) return { ...base, status: 'skipped', skipped_because: outcome.skippedBecause };
  const { built } = outcome;
  return {
    ...base,
    status: 'built',
    rows: built.rows,
    tests: built.tests,
    duration_ms: built.durationMs,
    ...(published?.metricsKey ? { published_to: published.metricsKey } : {}),
    ...(published ? { snapshot_to: published.historyKey } : {}),
  };
}

function failedTests(outcomes: readonly ModelOutcome[]): string[] {
  return outcomes.flatMap((o) =>
    'built' in o ? o.built.tests.filter((t) => !t.passed).map((t) => `${o.model.table} ${t.name}: ${t.failures} rows`) : [],
  );
}

async function readPublished(
  db: DuckDBSession,
  published: readonly PublishedModel[],
  read: NonNullable<PipelineOptions['readPublished']>,
  progress: (message: string) => void,
): Promise<void> {
  try {
    await read(db, new Set(published.map((p) => p.model.table)));
  } catch (error) {
    progress(`could not read the published tables: ${errorMessage(error)}`);
  }
}

export function newRunId(at = new Date()): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** Builds every model version in dependency order; stops at the first that fails, returning what was done until then. */
async function buildModels(
  engine: ModelEngine,
  models: readonly ModelVersion[],
  inputs: readonly StagedDataset[],
  progress: (message: string) => void,
): Promise<{ outcomes: ModelOutcome[]; error?: unknown }> {
  const available = new Set(inputs.filter((d) => d.rowsCurrent > 0).map((d) => d.dataset));
  const outcomes: ModelOutcome[] = [];
  const builtTables = new Set<string>();
  for (const model of models) {
    const missingData = model.requires.filter((dataset) => !available.has(dataset));
    const missingModels = model.dependsOn.filter((table) => !builtTables.has(table));
    if (missingData.length > 0 || missingModels.length > 0) {
      const reason = missingData.length > 0 ? `no ${missingData.join(', ')} data` : `${missingModels.join(', ')} not built`;
      outcomes.push({ model, skippedBecause: reason });
      progress(`model ${model.table}: skipped (${reason})`);
      // An empty stand-in, so that models reading it optionally still run (and see no rows).
      await engine.standIn(model);
      continue;
    }
    let result: BuiltModel;
    try {
      result = await engine.build(model);
    } catch (error) {
      return { outcomes, error };
    }
    outcomes.push({ model, built: result });
    builtTables.add(model.table);
    const passed = result.tests.filter((t) => t.passed).length;
    progress(
      `model ${model.table}: ${result.rows} rows, ${passed}/${result.tests.length} tests passed (${(result.durationMs / 1000).toFixed(1)} s)`,
    );
  }
  return { outcomes };
}

function validateOptions(options: PipelineOptions): void {
  if (options.asOf !== undefined && !isCalendarDate(options.asOf)) {
    throw new ConfigError(`--as-of must be a date YYYY-MM-DD, got '${options.asOf}'`);
  }
  const { churnWindowDays } = options;
  if (churnWindowDays !== undefined && (!Number.isInteger(churnWindowDays) || churnWindowDays < 1)) {
    throw new ConfigError(`--churn-window-days must be a whole number ≥ 1, got '${churnWindowDays}'`);
  }
}

/** Where a run's as-of date came from, as the manifest's `as_of_basis` and the console say it. */
export type AsOfBasis = 'option' | 'latest completed order' | 'latest subscription start' | 'latest survey response' | 'latest event';

/**
 * The last date the data covers: the date of the latest completed order (metrics.md). A lake
 * without completed orders (a subscription business, a survey tool) uses the latest of its
 * subscription starts, survey responses and events instead (a tie names the first of these).
 * Undefined when no loaded row gives a date.
 */
async function asOfFromData(source: DuckDBSession | AthenaEngine): Promise<{ date: string; basis: AsOfBasis } | undefined> {
  const [row] = source instanceof DuckDBSession ? await source.rows(AS_OF_SQL) : resultRows(await source.select(AS_OF_SQL));
  if (row?.orders !== null && row?.orders !== undefined) return { date: String(row.orders), basis: 'latest completed order' };
  const candidates: [unknown, AsOfBasis][] = [
    [row?.subscriptions, 'latest subscription start'],
    [row?.surveys, 'latest survey response'],
    [row?.events, 'latest event'],
  ];
  let latest: { date: string; basis: AsOfBasis } | undefined;
  for (const [value, basis] of candidates) {
    if (value === null || value === undefined) continue;
    if (!latest || String(value) > latest.date) latest = { date: String(value), basis };
  }
  return latest;
}

/** The latest date of each dataset that can give the as-of date (asOfFromData), as one row. */
const AS_OF_SQL = `
    select
        (select max(cast(ordered_at as date)) from stg_orders where status = 'completed') as orders,
        (select max(cast(started_at as date)) from stg_subscriptions) as subscriptions,
        (select max(cast(responded_at as date)) from stg_survey_responses) as surveys,
        (select max(cast(occurred_at as date)) from stg_events) as events`;

/** An engine's result rows by column name (values as text, NULL as null), as the session gives them. */
function resultRows({ columns, rows }: QueryResults): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])));
}

/** Why a run has no as-of date; a dataset whose every row was rejected is named first, as the cause. */
function noAsOfDate(rejected: readonly RejectedDataset[]): DataError {
  const cause = rejected.map((dataset) => `${allRejectedMessage(dataset)}. `).join('');
  return new DataError(
    `${cause}cannot tell the as-of date: no completed orders (or other dated rows) are loaded; drop exports in ${LakeKeys.inboxFolder('<dataset>')} or pass --as-of`,
  );
}
