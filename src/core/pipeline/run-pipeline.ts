import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { ConfigError, DataError, errorMessage, ModelError } from '../errors.js';
import { ingestInbox } from '../ingest/ingest.js';
import type { Lake } from '../lake/lake.js';
import { dependencyOrder, loadModels } from '../models/model-declaration.js';
import { buildModel, type BuiltModel } from '../models/model-runner.js';
import { defaultModelsDir } from '../paths.js';
import { publishedKeys, publishTables, writeModelParquet } from './publish.js';
import { summarizeIngest, type ModelRunRecord, type RunManifest } from './run-manifest.js';
import { stageInputs } from './stage-inputs.js';

export const DEFAULT_CHURN_WINDOW_DAYS = 90;

export interface PipelineOptions {
  readonly lake: Lake;
  /** @default - a new id from the start time and a random suffix */
  readonly runId?: string;
  /** Last date counted, YYYY-MM-DD. @default - the date of the latest completed order */
  readonly asOf?: string;
  /** @default 90 */
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
  /** Called with a line of progress for each step. */
  readonly onProgress?: (message: string) => void;
}

/**
 * One run: ingest what is new in the inbox, build every model version, run every
 * data test, and only if all pass publish every table. Never throws for a failed
 * run: the returned manifest (also written to `_runs/`) says what failed and why.
 */
export async function runPipeline(options: PipelineOptions): Promise<RunManifest> {
  const { lake } = options;
  const progress = options.onProgress ?? (() => {});
  const churnWindowDays = options.churnWindowDays ?? DEFAULT_CHURN_WINDOW_DAYS;
  const started = new Date();
  const manifest: RunManifest = {
    run_id: options.runId ?? newRunId(started),
    status: 'running',
    lake: lake.uri,
    started_at: started.toISOString(),
    churn_window_days: churnWindowDays,
    ingest: summarizeIngest([]),
    inputs: [],
    missing_datasets: [],
    models: [],
    tests: { passed: 0, failed: 0 },
    published: false,
    timings_ms: {},
  };
  const scratch = await mkdtemp(join(options.scratchDir ?? tmpdir(), 'loyaltylake-'));
  let db: DuckDBSession | undefined;
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const stepStarted = performance.now();
    try {
      return await work();
    } finally {
      manifest.timings_ms[step] = Math.round(performance.now() - stepStarted);
    }
  };
  try {
    validateOptions(options, churnWindowDays);
    db = await DuckDBSession.open({ workDir: scratch, memoryLimit: options.memoryLimit, threads: options.threads });
    const session = db;

    const files = options.ingest === false ? [] : await timed('ingest', () =>
      ingestInbox({ lake, db: session, workDir: scratch, runId: manifest.run_id }, (file, index, total) => {
        if (file.outcome === 'already_ingested') return;
        const counts =
          file.outcome === 'loaded'
            ? `${file.rows_loaded} rows loaded, ${file.rows_rejected} rejected`
            : `quarantined: ${file.error}`;
        progress(`ingest ${index + 1}/${total} ${file.key}: ${counts}`);
      }),
    );
    manifest.ingest = summarizeIngest(files);

    manifest.inputs = await timed('stage', () => stageInputs(lake, session, scratch));
    manifest.missing_datasets = manifest.inputs.filter((input) => input.rowsCurrent === 0).map((input) => input.dataset);
    await checkSingleCurrency(session);
    const asOf = options.asOf ?? (await asOfFromData(session));
    manifest.as_of = asOf;
    manifest.as_of_source = options.asOf ? 'option' : 'data';
    await session.run(
      `create table run_params as select cast(${sqlString(asOf)} as date) as as_of_date, cast(${churnWindowDays} as integer) as churn_window_days`,
    );

    const built = await timed('models', () => buildModels(session, options.modelsDir ?? defaultModelsDir(), manifest, progress));
    const failed = built.flatMap((b) => b.tests.filter((t) => !t.passed).map((t) => `${b.model.table} ${t.name}: ${t.failures} rows`));
    manifest.tests = { passed: built.reduce((n, b) => n + b.tests.filter((t) => t.passed).length, 0), failed: failed.length };
    if (failed.length > 0) throw new ModelError('data tests', `${failed.length} failed, nothing published: ${failed.join('; ')}`);

    await timed('publish', async () => {
      const tables = [];
      for (const { model } of built.filter((b) => b.model.publish)) {
        const localPath = await writeModelParquet(session, model, scratch);
        tables.push({ model, localPath, keys: publishedKeys(model, asOf) });
      }
      await publishTables(lake, tables, scratch);
      for (const table of tables) {
        const record = manifest.models.find((m) => m.model === table.model.model && m.version === table.model.version)!;
        Object.assign(record, { published_to: table.keys.metricsKey, snapshot_to: table.keys.historyKey });
      }
      progress(`published ${tables.length} tables to ${lake.uri}/metrics/`);
    });
    manifest.published = true;
    manifest.status = 'succeeded';
  } catch (error) {
    manifest.status = 'failed';
    manifest.error = errorMessage(error);
  } finally {
    db?.closeSync();
    manifest.finished_at = new Date().toISOString();
    try {
      await writeManifest(lake, manifest, scratch);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return manifest;
}

export function newRunId(at = new Date()): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

async function buildModels(
  db: DuckDBSession,
  modelsDir: string,
  manifest: RunManifest,
  progress: (message: string) => void,
): Promise<BuiltModel[]> {
  const available = new Set(manifest.inputs.filter((d) => d.rowsCurrent > 0).map((d) => d.dataset));
  const built: BuiltModel[] = [];
  for (const model of dependencyOrder(loadModels(modelsDir))) {
    const missingData = model.requires.filter((dataset) => !available.has(dataset));
    const missingModels = model.dependsOn.filter((table) => !built.some((b) => b.model.table === table));
    const base = { model: model.model, version: model.version, fingerprint: model.fingerprint };
    if (missingData.length > 0 || missingModels.length > 0) {
      const reason = missingData.length > 0 ? `no ${missingData.join(', ')} data` : `${missingModels.join(', ')} not built`;
      manifest.models.push({ ...base, status: 'skipped', skipped_because: reason });
      progress(`model ${model.table}: skipped (${reason})`);
      // An empty stand-in, so that models reading it optionally still run (and see no rows).
      const columns = model.columns.map((c) => `cast(null as ${c.type}) as ${sqlIdent(c.name)}`);
      await db.run(`create or replace table ${sqlIdent(model.table)} as select ${columns.join(', ')} where false`);
      continue;
    }
    const result = await buildModel(db, model);
    built.push(result);
    const passed = result.tests.filter((t) => t.passed).length;
    const record: ModelRunRecord = {
      ...base,
      status: 'built',
      rows: result.rows,
      tests: result.tests,
      duration_ms: result.durationMs,
    };
    manifest.models.push(record);
    progress(
      `model ${model.table}: ${result.rows} rows, ${passed}/${result.tests.length} tests passed (${(result.durationMs / 1000).toFixed(1)} s)`,
    );
  }
  return built;
}

function validateOptions(options: PipelineOptions, churnWindowDays: number): void {
  if (options.asOf !== undefined) {
    const date = new Date(`${options.asOf}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(options.asOf) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== options.asOf) {
      throw new ConfigError(`--as-of must be a date YYYY-MM-DD, got '${options.asOf}'`);
    }
  }
  if (!Number.isInteger(churnWindowDays) || churnWindowDays < 1) {
    throw new ConfigError(`--churn-window-days must be a whole number ≥ 1, got '${churnWindowDays}'`);
  }
}

async function checkSingleCurrency(db: DuckDBSession): Promise<void> {
  const currencies = (
    await db.rows('select distinct currency from stg_orders where currency is not null order by currency')
  ).map((row) => String(row.currency));
  if (currencies.length > 1) {
    throw new DataError(
      `orders hold ${currencies.length} currencies (${currencies.join(', ')}); loyaltylake never mixes currencies — convert them before export or use one lake per currency`,
    );
  }
}

/**
 * The last date the data covers: the date of the latest completed order (metrics.md). A lake
 * without orders (a subscription business, a survey tool) uses its latest subscription start,
 * survey response or event instead.
 */
async function asOfFromData(db: DuckDBSession): Promise<string> {
  const asOf = await db.scalar(`
    select coalesce(
        (select max(cast(ordered_at as date)) from stg_orders where status = 'completed'),
        greatest(
            (select max(cast(started_at as date)) from stg_subscriptions),
            (select max(cast(responded_at as date)) from stg_survey_responses),
            (select max(cast(occurred_at as date)) from stg_events)
        )
    )`);
  if (asOf === null || asOf === undefined) {
    throw new DataError('cannot tell the as-of date: no completed orders (or other dated rows) are loaded; drop exports in inbox/<dataset>/ or pass --as-of');
  }
  return String(asOf);
}

async function writeManifest(lake: Lake, manifest: RunManifest, scratch: string): Promise<void> {
  const path = join(scratch, 'manifest.json');
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  await lake.upload(path, `_runs/${manifest.run_id}.json`);
  await lake.upload(path, '_runs/latest.json');
}
