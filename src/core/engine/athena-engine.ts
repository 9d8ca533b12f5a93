import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetContracts } from '../contracts/datasets.js';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { errorMessage, LoyaltyLakeError, ModelError } from '../errors.js';
import type { Lake } from '../lake/lake.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import { isolatedStatement, type RunParams } from '../models/isolated-statement.js';
import type { ModelVersion } from '../models/model-declaration.js';
import { buildModel, dataTests, type BuiltModel, type DataTestResult } from '../models/model-runner.js';
import type { StepRegistry } from '../models/model-step.js';
import type { StagedDataset } from '../pipeline/stage-inputs.js';
import { runStatement, selectCount, selectRows, type AthenaQueries, type PollOptions, type QueryResults } from './athena-queries.js';
import { emptyTableSql, type ModelEngine } from './model-engine.js';
import { currentTableName, stagingStatement, stagingTableName } from './staging-statement.js';

/** Where Athena runs write their tables: one folder per run, removed when the run ends. */
export const ATHENA_RUNS_PREFIX = `${LakePrefix.runs}athena/`;

/** The run-scoped folder of one run's tables. */
export function athenaRunFolder(runId: string): string {
  return `${ATHENA_RUNS_PREFIX}${runId}/`;
}

/**
 * CREATE TABLE AS in the DuckDB workgroup: a Hive table of Parquet files at `location`
 * (docs/athena.md cites the statement's page; the WITH properties are the part to check
 * against it before a first deployment).
 */
export function createTableAs(table: string, location: string, select: string): string {
  return `create table ${safeName(table)} with (table_type = 'HIVE', format = 'PARQUET', external_location = ${sqlString(location)}) as\n${select}`;
}

export function dropTable(table: string): string {
  return `drop table if exists ${safeName(table)}`;
}

/** Glue table names are lowercase; ours are `[a-z][a-z0-9_]*` and need no quoting (which Athena's CTAS advises against). */
function safeName(table: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(table)) throw new LoyaltyLakeError(`'${table}' is no Glue table name this engine writes ([a-z][a-z0-9_]*)`);
  return table;
}

/** A staged dataset as the Athena engine stages it: with the rows the run's leave-out conditions took out. */
export interface AthenaStagedDataset extends StagedDataset {
  readonly rowsLeftOut: number;
}

export interface AthenaEngineProps {
  readonly queries: AthenaQueries;
  readonly lake: Lake;
  /** The run's session: step models are built there, and every table the run reads locally (publish, steps, targets) is loaded into it. */
  readonly db: DuckDBSession;
  readonly scratch: string;
  readonly runId: string;
  readonly steps: StepRegistry;
  /** Every model version of the run: tells which tables the run reads locally and which step outputs SQL models read. */
  readonly models: readonly ModelVersion[];
  readonly poll?: PollOptions;
}

/**
 * Builds the models on Athena's DuckDB engine, one statement per request: the staging of each
 * dataset (stagingStatement) and each SQL model (isolatedStatement) as a CREATE TABLE AS into
 * the run's folder `_runs/athena/<run id>/<table>/`, then the model's data tests as SELECTs.
 * Steps (the CLV fits, the targets) run in this process on their inputs, loaded from what Athena
 * wrote; their outputs go back as tables for the SQL models that read them. Tables the run
 * publishes are loaded into the run's session, where publish.ts writes and journals them as
 * with the in-process engine. Writes are not transactional: a failed one may leave files, so
 * the table's folder is emptied at once, and the run's whole folder at the end.
 */
export class AthenaEngine implements ModelEngine {
  readonly name = 'athena';
  private readonly created = new Set<string>();
  private readonly readLocally: Set<string>;
  private readonly readInAthena: Set<string>;
  private params?: RunParams;

  constructor(private readonly props: AthenaEngineProps) {
    const { models } = props;
    const stepInputs = models.filter((m) => m.step).flatMap((m) => [...m.dependsOn, ...m.optionalDependsOn]);
    this.readLocally = new Set([...models.filter((m) => m.publish).map((m) => m.table), ...stepInputs]);
    this.readInAthena = new Set(models.filter((m) => !m.step).flatMap((m) => [...m.dependsOn, ...m.optionalDependsOn]));
  }

  /**
   * Removes what earlier runs left in the runs folder (the lease says they are over), then
   * stages every dataset: `stg_<dataset>` from the Glue table `staging_<dataset>`, leaving out
   * the rows where the dataset's condition in `leaveOut` holds (as leave-out.ts does in process).
   */
  async stage(leaveOut: ReadonlyMap<string, string> = new Map()): Promise<AthenaStagedDataset[]> {
    for (const { key } of await this.props.lake.list(ATHENA_RUNS_PREFIX)) {
      if (!key.startsWith(athenaRunFolder(this.props.runId))) await this.props.lake.delete(key);
    }
    const staged: AthenaStagedDataset[] = [];
    for (const contract of datasetContracts) {
      const files = (await this.props.lake.list(LakeKeys.stagingFolder(contract.name))).filter((o) => o.key.endsWith('.parquet')).map((o) => o.key);
      const current = stagingStatement(contract);
      const condition = leaveOut.get(contract.name);
      const table = currentTableName(contract.name);
      await this.createTable(table, condition ? `select * from (${current}) as current_rows where (${condition}) is not true` : current, table);
      const rows = await this.count(`select count(*) from ${stagingTableName(contract.name)}`);
      const rowsCurrent = await this.count(`select count(*) from ${table}`);
      const rowsLeftOut = condition ? await this.count(`select count(*) from (${current}) as current_rows where (${condition}) is true`) : 0;
      staged.push({ dataset: contract.name, files, rows, rowsCurrent, rowsLeftOut });
    }
    return staged;
  }

  /** The run's parameters, known once staging is done (the as-of date may come from the staged orders): before the first build. */
  useRunParams(params: RunParams): void {
    this.params = params;
  }

  async build(model: ModelVersion): Promise<BuiltModel> {
    if (model.step) return await this.buildStep(model);
    if (!this.params) throw new ModelError(model.table, 'the Athena engine builds no model before useRunParams (the as-of date and churn window)');
    const started = performance.now();
    await this.createTable(model.table, isolatedStatement(model, this.params), model.table);
    const { rows, tests } = await this.rowsAndTests(model);
    if (this.readLocally.has(model.table)) await this.loadLocally(model);
    return { model, rows, tests, durationMs: Math.round(performance.now() - started) };
  }

  async standIn(model: ModelVersion): Promise<void> {
    await this.props.db.run(`create or replace table ${sqlIdent(model.table)} as ${emptyTableSql(model)}`);
    await this.createTable(model.table, emptyTableSql(model), model.table);
  }

  /** A SELECT on the engine (e.g. the as-of date from `stg_orders`), values as text. */
  async select(sql: string): Promise<QueryResults> {
    return await selectRows(this.props.queries, sql, this.props.poll);
  }

  async cleanUp(): Promise<string[]> {
    const problems: string[] = [];
    for (const table of this.created) {
      await this.statement(dropTable(table)).catch((error: unknown) => problems.push(`could not drop the Athena table ${table}: ${errorMessage(error)}`));
    }
    this.created.clear();
    await this.removeFolder(athenaRunFolder(this.props.runId)).catch((error: unknown) =>
      problems.push(`could not remove ${athenaRunFolder(this.props.runId)}: ${errorMessage(error)} (the next run does)`),
    );
    return problems;
  }

  /** A step in this process on its inputs (loaded after they were built); its output becomes an Athena table if a SQL model reads it. */
  private async buildStep(model: ModelVersion): Promise<BuiltModel> {
    const built = await buildModel(this.props.db, model, this.props.steps);
    if (this.readInAthena.has(model.table)) {
      const local = join(this.props.scratch, 'athena-uploads', `${model.table}.parquet`);
      await mkdir(join(this.props.scratch, 'athena-uploads'), { recursive: true });
      await this.props.db.run(`copy ${sqlIdent(model.table)} to ${sqlString(local)} (format parquet, compression zstd)`);
      const key = `${athenaRunFolder(this.props.runId)}_uploads/${model.table}.parquet`;
      await this.props.lake.upload(local, key);
      await this.createTable(model.table, `select * from read_parquet(${sqlString(`${this.props.lake.uri}/${key}`)})`, model.table);
    }
    return built;
  }

  /** Drops a table an interrupted run may have left, then CREATE TABLE AS into the table's run folder; on failure empties that folder. */
  private async createTable(table: string, select: string, modelName: string): Promise<void> {
    const folder = this.tableFolder(table);
    await this.statement(dropTable(table));
    try {
      await this.statement(createTableAs(table, `${this.props.lake.uri}/${folder}`, select));
      this.created.add(table);
    } catch (error) {
      const removed = await this.removeFolder(folder).then(
        (n) => (n > 0 ? `; removed the ${n} files the failed write left in ${folder}` : ''),
        (cleanup: unknown) => `; could not remove what it left in ${folder}: ${errorMessage(cleanup)} (the run's clean-up tries again)`,
      );
      throw new ModelError(modelName, `Athena could not build it: ${errorMessage(error)}${removed}`, { cause: error });
    }
  }

  /** A model's table from the Parquet files Athena wrote, cast to the declared types in grain order. */
  private async loadLocally(model: ModelVersion): Promise<void> {
    const files = await this.dataFiles(this.tableFolder(model.table));
    const target = sqlIdent(model.table);
    if (files.length === 0) {
      await this.props.db.run(`create or replace table ${target} as ${emptyTableSql(model)}`);
      return;
    }
    const paths: string[] = [];
    for (const [index, key] of files.entries()) {
      const path = join(this.props.scratch, 'athena-tables', model.table, `${index}.parquet`);
      await this.props.lake.download(key, path);
      paths.push(path);
    }
    const casts = model.columns.map((c) => `cast(${sqlIdent(c.name)} as ${c.type}) as ${sqlIdent(c.name)}`);
    await this.props.db.run(
      `create or replace table ${target} as select ${casts.join(', ')} from read_parquet([${paths.map(sqlString).join(', ')}]) order by ${model.grain.map(sqlIdent).join(', ')}`,
    );
  }

  /**
   * The row count and every data test's failures in one SELECT (each statement is a request
   * with its own start-up; one per test would multiply a run's requests by ten).
   */
  private async rowsAndTests(model: ModelVersion): Promise<{ rows: number; tests: DataTestResult[] }> {
    const tests = dataTests(model);
    const counts = [`(select count(*) from ${model.table}) as row_count`, ...tests.map((test, i) => `(${test.sql}) as test_${i}`)];
    const { rows } = await selectRows(this.props.queries, `select ${counts.join(', ')}`, this.props.poll);
    const values = (rows[0] ?? []).map((value) => (value === null ? Number.NaN : Number(value)));
    if (rows.length !== 1 || values.length !== counts.length || values.some((v) => !Number.isInteger(v))) {
      throw new ModelError(model.table, `its data tests returned ${JSON.stringify(rows)}, not one count each`);
    }
    return {
      rows: values[0]!,
      tests: tests.map((test, i) => ({ name: test.name, failures: values[i + 1]!, passed: values[i + 1] === 0 })),
    };
  }

  private tableFolder(table: string): string {
    return `${athenaRunFolder(this.props.runId)}${table}/`;
  }

  /** The data files of a table folder: hidden and marker files (`_…`, `.…`) are none. */
  private async dataFiles(folder: string): Promise<string[]> {
    return (await this.props.lake.list(folder)).map((o) => o.key).filter((key) => !/^[_.]/.test(key.slice(folder.length).split('/').pop() ?? ''));
  }

  private async removeFolder(folder: string): Promise<number> {
    const objects = await this.props.lake.list(folder);
    for (const { key } of objects) await this.props.lake.delete(key);
    return objects.length;
  }

  private async statement(sql: string): Promise<void> {
    await runStatement(this.props.queries, sql, this.props.poll);
  }

  private async count(sql: string): Promise<number> {
    return await selectCount(this.props.queries, sql, this.props.poll);
  }
}
