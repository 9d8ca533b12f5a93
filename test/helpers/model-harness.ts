// Runs SQL model versions on small in-memory tables, without ingest, a lake or the pipeline:
// the stg_<dataset> views, the model tables they read and run_params come from object rows.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetContracts } from '../../src/core/contracts/datasets.js';
import { DuckDBSession, sqlIdent, sqlString } from '../../src/core/duckdb.js';
import { ingestInbox, type FileReport } from '../../src/core/ingest/ingest.js';
import { STAGED_TYPE } from '../../src/core/ingest/validate-sql.js';
import { dependencyOrder, loadModels, type ModelVersion, type SettingValue } from '../../src/core/models/model-declaration.js';
import { buildModel, type DataTestResult } from '../../src/core/models/model-runner.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { DEFAULT_CHURN_WINDOW_DAYS } from '../../src/core/settings-defaults.js';
import { stageInputs } from '../../src/core/pipeline/stage-inputs.js';
import type { Row } from './expect-rows.js';
import { readParquet, tempDir, tempLake } from './temp-lake.js';

export interface ModelInputs {
  /** The run's as-of date, YYYY-MM-DD. */
  readonly asOf: string;
  /** @default - the pipeline's default churn window */
  readonly churnWindowDays?: number;
  /**
   * Rows of stg_<dataset> as staging holds them (UTC timestamps, lowercase statuses, one row per
   * key); a column left out takes its contract default, or NULL. Datasets not given are empty.
   */
  readonly staging?: Readonly<Record<string, readonly Row[]>>;
  /** Rows of model tables (e.g. clv_model_v1), given instead of built; a column left out is NULL. */
  readonly tables?: Readonly<Record<string, readonly Row[]>>;
  /** Lake settings overriding the models' declared ones (loadModels' settingOverrides). */
  readonly settings?: Readonly<Record<string, SettingValue>>;
}

export interface BuiltTable {
  /** Rows in grain order, as JSON values (BIGINT and DECIMAL as strings, DATE as 'YYYY-MM-DD'). */
  readonly rows: Row[];
  /** Column name → DuckDB type of the built table. */
  readonly types: Record<string, string>;
  readonly tests: DataTestResult[];
}

let declared: ModelVersion[] | undefined;
const declarations = () => (declared ??= loadModels(defaultModelsDir()));

/**
 * Builds the named model tables (e.g. 'retention_monthly_v1') with the model runner, and first
 * every model table they read that is not given in `tables`. As in a run, a model read optionally
 * whose required datasets are empty is an empty table; a dependency whose data tests fail throws.
 */
export async function buildTables(names: readonly string[], inputs: ModelInputs): Promise<Record<string, BuiltTable>> {
  const models = inputs.settings ? loadModels(defaultModelsDir(), { settingOverrides: inputs.settings }) : declarations();
  const byTable = new Map(models.map((m) => [m.table, m]));
  const given = inputs.tables ?? {};
  const needed = new Set<string>();
  const need = (table: string) => {
    if (needed.has(table) || table in given) return;
    const model = byTable.get(table);
    if (!model) throw new Error(`no model version ${table} is declared`);
    needed.add(table);
    for (const dependency of [...model.dependsOn, ...model.optionalDependsOn]) need(dependency);
  };
  names.forEach(need);

  const db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  try {
    for (const contract of datasetContracts) {
      const columns = contract.columns.map((c) => ({ name: c.name, type: STAGED_TYPE[c.type], fallback: c.default }));
      await createTable(db, `stg_${contract.name}`, columns, inputs.staging?.[contract.name] ?? []);
    }
    await db.run(
      `create table run_params as select cast(${sqlString(inputs.asOf)} as date) as as_of_date, cast(${inputs.churnWindowDays ?? DEFAULT_CHURN_WINDOW_DAYS} as integer) as churn_window_days`,
    );
    for (const [table, rows] of Object.entries(given)) {
      const model = byTable.get(table);
      if (!model) throw new Error(`no model version ${table} is declared`);
      await createTable(db, table, model.columns, rows);
    }

    const built: Record<string, BuiltTable> = {};
    for (const model of dependencyOrder(models).filter((m) => needed.has(m.table))) {
      const emptyDatasets = model.requires.filter((dataset) => (inputs.staging?.[dataset] ?? []).length === 0);
      if (emptyDatasets.length > 0) {
        if (names.includes(model.table)) throw new Error(`${model.table} requires ${emptyDatasets.join(', ')} rows`);
        await createTable(db, model.table, model.columns, []);
        continue;
      }
      const { tests } = await buildModel(db, model);
      const failed = tests.filter((t) => !t.passed).map((t) => `${t.name}: ${t.failures} rows`);
      if (!names.includes(model.table) && failed.length > 0) {
        throw new Error(`data tests of ${model.table}, built for ${names.join(', ')}, failed: ${failed.join('; ')}`);
      }
      if (!names.includes(model.table)) continue;
      const table = sqlIdent(model.table);
      const described = await db.rows(`select column_name, column_type from (describe ${table})`);
      built[model.table] = {
        rows: await db.rows(`select * from ${table} order by ${model.grain.map(sqlIdent).join(', ')}`),
        types: Object.fromEntries(described.map((r) => [String(r.column_name), String(r.column_type)])),
        tests,
      };
    }
    return built;
  } finally {
    db.closeSync();
  }
}

/** Builds one model table (e.g. 'mrr_monthly_v1') and returns its rows, types and data test results. */
export async function buildTable(name: string, inputs: ModelInputs): Promise<BuiltTable> {
  return (await buildTables([name], inputs))[name]!;
}

/**
 * What ingest and staging make of exported files (inbox key → content), without models: the
 * file reports, every non-empty stg_<dataset> view's rows (ordered by all columns) and the rejected rows.
 * Shows that a test's staged rows are what the pipeline would stage from its exports.
 */
export async function stageExports(files: Readonly<Record<string, string>>): Promise<{
  reports: FileReport[];
  staged: Record<string, Row[]>;
  rejects: Record<string, Row[]>;
}> {
  const { dir, lake, put } = tempLake();
  for (const [key, content] of Object.entries(files)) put(key, content);
  const workDir = tempDir();
  const db = await DuckDBSession.open({ workDir, threads: 1 });
  try {
    const reports = await ingestInbox({ lake, db, workDir, runId: 'test' });
    const staged: Record<string, Row[]> = {};
    for (const { dataset, rowsCurrent } of await stageInputs(lake, db, workDir)) {
      if (rowsCurrent > 0) staged[dataset] = await db.rows(`select * from ${sqlIdent(`stg_${dataset}`)} order by all`);
    }
    const rejects: Record<string, Row[]> = {};
    for (const { dataset } of reports.filter((r) => (r.rows_rejected ?? 0) > 0)) {
      rejects[dataset] ??= await readParquet(dir, `rejects/${dataset}/**/*.parquet`, '_source_line');
    }
    return { reports, staged, rejects };
  } finally {
    db.closeSync();
  }
}

/** A staged order of 10.00, completed unless a status is given: for tests about dates and customers. */
export const stagedOrder = (order_id: string, customer_id: string, ordered_at: string, status = 'completed'): Row => ({
  order_id,
  customer_id,
  ordered_at,
  amount: 10,
  status,
});

/** The names of a built table's failing data tests (none: []). */
export const failingTests = (table: BuiltTable) => table.tests.filter((t) => !t.passed).map((t) => t.name);

/**
 * A table of the given columns from object rows, through an NDJSON file read as text and cast
 * to each column's type (much faster than a VALUES list for a thousand rows).
 */
async function createTable(
  db: DuckDBSession,
  name: string,
  columns: readonly { name: string; type: string; fallback?: string }[],
  rows: readonly Row[],
): Promise<void> {
  const known = new Set(columns.map((c) => c.name));
  for (const row of rows) {
    const unknown = Object.keys(row).filter((key) => !known.has(key));
    if (unknown.length > 0) throw new Error(`${name} has no column ${unknown.join(', ')}`);
  }
  const casts = columns.map((c) => `cast(${sqlIdent(c.name)} as ${c.type}) as ${sqlIdent(c.name)}`).join(', ');
  if (rows.length === 0) {
    const nulls = columns.map((c) => `cast(null as ${c.type}) as ${sqlIdent(c.name)}`).join(', ');
    await db.run(`create table ${sqlIdent(name)} as select ${nulls} where false`);
    return;
  }
  const fallbacks = new Map<string, unknown>();
  for (const column of columns.filter((c) => c.fallback !== undefined)) {
    fallbacks.set(column.name, await db.scalar(`select cast(${column.fallback} as varchar)`));
  }
  const text = (value: unknown) => {
    if (value === null || value === undefined) return null;
    if (['string', 'number', 'boolean'].includes(typeof value)) return String(value);
    throw new Error(`cannot stage ${JSON.stringify(value)} in ${name}`);
  };
  const lines = rows.map((row) =>
    JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, text(c.name in row ? row[c.name] : fallbacks.get(c.name))]))),
  );
  const path = join(tempDir(), `${name}.ndjson`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  const asText = columns.map((c) => `${sqlString(c.name)}: 'VARCHAR'`).join(', ');
  await db.run(
    `create table ${sqlIdent(name)} as select ${casts} from read_json(${sqlString(path)}, format = 'newline_delimited', columns = {${asText}})`,
  );
}
