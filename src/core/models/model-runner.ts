import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { errorMessage, ModelError } from '../errors.js';
import type { ColumnTest, ModelVersion } from './model-declaration.js';
import { stepInputs, type StepRegistry } from './model-step.js';
import { OUTPUT_TYPES } from './output-types.js';

export interface DataTestResult {
  readonly name: string;
  readonly failures: number;
  readonly passed: boolean;
}

export interface BuiltModel {
  readonly model: ModelVersion;
  readonly rows: number;
  readonly tests: DataTestResult[];
  readonly durationMs: number;
}

/**
 * Builds one model version into its table: runs its SQL or its step (from `steps`), checks
 * the result has exactly the declared columns with compatible types, casts each to its
 * declared type, then runs the data tests. Throws ModelError if the SQL or step fails or the
 * contract is broken; failing data tests are returned (the caller decides that nothing is published).
 */
export async function buildModel(db: DuckDBSession, model: ModelVersion, steps: StepRegistry = {}): Promise<BuiltModel> {
  const started = performance.now();
  const raw = sqlIdent(`${model.table}__uncast`);
  const registered = model.step ? stepInputs(model, steps) : undefined;
  const failed = (error: unknown) =>
    new ModelError(model.table, `${registered ? 'step' : 'SQL'} failed (${model.source}): ${errorMessage(error)}`, { cause: error });
  // A step writes its output table; a SQL model's output is cast into the model's table straight
  // from its query (DESCRIBE binds the query without running it), not copied from a table first.
  let produced: Record<string, unknown>[];
  try {
    if (registered) await registered.step.run({ db, model, inputs: registered.inputs, table: `${model.table}__uncast` });
    produced = await db.rows(`select column_name, column_type from (describe ${registered ? raw : `${model.sql}\n`})`);
  } catch (error) {
    throw failed(error);
  }
  try {
    checkContract(model, produced.map((row) => ({ name: String(row.column_name), type: String(row.column_type) })));
    const casts = model.columns.map((c) => `cast(${sqlIdent(c.name)} as ${c.type}) as ${sqlIdent(c.name)}`);
    const order = model.grain.map(sqlIdent).join(', ');
    const source = registered ? raw : `(\n${model.sql}\n) as model_output`;
    try {
      await db.run(`create or replace table ${sqlIdent(model.table)} as select ${casts.join(', ')} from ${source} order by ${order}`);
    } catch (error) {
      // Which failed, the query or a cast? Only now is the query's output kept, to find the cell.
      if (!registered) await db.run(`create or replace temp table ${raw} as\n${model.sql}`).catch((sqlError: unknown) => Promise.reject(failed(sqlError)));
      const failure = (await castFailure(db, model, raw)) ?? errorMessage(error);
      throw new ModelError(model.table, `output does not cast to its declared types: ${failure}`, { cause: error });
    }
  } finally {
    await db.run(`drop table if exists ${raw}`);
  }
  const { rows, tests } = await rowsAndTests(db, model);
  return { model, rows, tests, durationMs: Math.round(performance.now() - started) };
}

/**
 * The row count and every data test's failures. The tests of each row alone (not_null,
 * accepted_range, accepted_values) are counted in the row count's scan, one FILTER each; the
 * others (grain, unique, relationships, the model's own) run one query each.
 */
async function rowsAndTests(db: DuckDBSession, model: ModelVersion): Promise<{ rows: number; tests: DataTestResult[] }> {
  const declared = dataTests(model);
  const inScan = declared.flatMap((test, i) => (test.rowBreaks === undefined ? [] : [`count(*) filter (where ${test.rowBreaks}) as ${sqlIdent(`test_${i}`)}`]));
  const [scan] = await db.rows(`select ${['count(*) as row_count', ...inScan].join(', ')} from ${sqlIdent(model.table)}`);
  const tests: DataTestResult[] = [];
  for (const [i, test] of declared.entries()) {
    const failures = Number(test.rowBreaks === undefined ? await db.scalar(test.sql) : scan?.[`test_${i}`]);
    tests.push({ name: test.name, failures, passed: failures === 0 });
  }
  return { rows: Number(scan?.row_count), tests };
}

/**
 * Which column of the uncast output fails its cast, with its value and the row's grain. A
 * model's row names no input file; the rows behind it do, in staging's `_source_key`.
 */
async function castFailure(db: DuckDBSession, model: ModelVersion, raw: string): Promise<string | undefined> {
  const grain = model.grain.map((key) => `${sqlString(`${key} = `)} || coalesce(cast(${sqlIdent(key)} as varchar), 'NULL')`);
  for (const column of model.columns) {
    const value = sqlIdent(column.name);
    const [row] = await db.rows(`
      select cast(${value} as varchar) as value, concat_ws(', ', ${grain.join(', ')}) as at_row
      from ${raw} where ${value} is not null and try_cast(${value} as ${column.type}) is null limit 1`);
    if (row) {
      return `column ${column.name} holds ${row.value}, which does not fit ${column.type}, in the row ${row.at_row} (the input rows behind it name their file in _source_key in staging)`;
    }
  }
  return undefined;
}

function checkContract(model: ModelVersion, produced: { name: string; type: string }[]): void {
  const declared = model.columns.map((c) => c.name);
  const names = produced.map((c) => c.name);
  const missing = declared.filter((name) => !names.includes(name));
  const extra = names.filter((name) => !declared.includes(name));
  if (missing.length || extra.length) {
    throw new ModelError(
      model.table,
      `output columns differ from the declaration: ${[
        missing.length ? `missing ${missing.join(', ')}` : '',
        extra.length ? `undeclared ${extra.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ')}`,
    );
  }
  for (const column of model.columns) {
    const actual = produced.find((c) => c.name === column.name)!.type;
    if (!OUTPUT_TYPES[column.type].castableFrom.test(actual)) {
      throw new ModelError(model.table, `column ${column.name} is ${actual}, which does not fit its declared type ${column.type}`);
    }
  }
}

/** A data test: a query that counts the rows breaking it. */
export interface DataTest {
  name: string;
  sql: string;
  /** For a test of each row alone: SQL true where a row breaks it (what `sql` counts), so one scan can count several. */
  rowBreaks?: string;
}

/** Every data test of a model version. */
export function dataTests(model: ModelVersion): DataTest[] {
  const table = sqlIdent(model.table);
  const grain = model.grain.map(sqlIdent).join(', ');
  const tests: DataTest[] = [
    {
      name: `grain_unique(${model.grain.join(', ')})`,
      sql: `select count(*) from (select ${grain} from ${table} group by ${grain} having count(*) > 1)`,
    },
    ...model.grain.map((key) => rowTest(table, `not_null(${key})`, `${sqlIdent(key)} is null`)),
  ];
  for (const column of model.columns) {
    for (const test of column.tests) tests.push(columnTest(table, column.name, test));
  }
  for (const test of model.tests) {
    tests.push({ name: test.name, sql: `select count(*) from ${table} where (${test.expect}) is not true` });
  }
  return tests;
}

function rowTest(table: string, name: string, rowBreaks: string): DataTest {
  return { name, sql: `select count(*) from ${table} where ${rowBreaks}`, rowBreaks };
}

function columnTest(table: string, columnName: string, test: ColumnTest): DataTest {
  const column = sqlIdent(columnName);
  if (test === 'not_null') return rowTest(table, `not_null(${columnName})`, `${column} is null`);
  if (test === 'unique') {
    return {
      name: `unique(${columnName})`,
      sql: `select count(*) from (select ${column} from ${table} where ${column} is not null group by ${column} having count(*) > 1)`,
    };
  }
  if ('accepted_range' in test) {
    const { min, max } = test.accepted_range;
    const outside = [min !== undefined ? `${column} < ${min}` : '', max !== undefined ? `${column} > ${max}` : '']
      .filter(Boolean)
      .join(' or ');
    return rowTest(table, `accepted_range(${columnName}, ${min ?? '-inf'}..${max ?? 'inf'})`, outside || 'false');
  }
  if ('accepted_values' in test) {
    return rowTest(table, `accepted_values(${columnName})`, `${column} not in (${test.accepted_values.map(sqlString).join(', ')})`);
  }
  const { to, field } = test.relationships;
  return {
    name: `relationships(${columnName} -> ${to}.${field})`,
    sql: `select count(*) from ${table} where ${column} is not null and not exists (select 1 from ${sqlIdent(to)} where ${sqlIdent(to)}.${sqlIdent(field)} = ${table}.${column})`,
  };
}
