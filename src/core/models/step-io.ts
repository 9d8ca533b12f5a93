import { DuckDBDateValue, DuckDBDecimalValue, DuckDBTimestampValue, type DuckDBAppender } from '@duckdb/node-api';
import type { DuckDBSession } from '../duckdb.js';
import { sqlIdent } from '../duckdb.js';
import { ModelError } from '../errors.js';
import type { ModelVersion } from './model-declaration.js';
import type { OutputType } from './output-types.js';

/** A value a step computes: DATE as 'YYYY-MM-DD', TIMESTAMP as an ISO string; a non-finite number is NULL. */
export type ColumnValue = number | string | boolean | null;

type Rows<Row> = Iterable<Row> | AsyncIterable<Row>;

/**
 * Creates a table with the given columns and types from rows computed in code, through
 * DuckDB's appender (fast for millions of rows). Rows may come from an async generator,
 * so they need not all be in memory.
 */
export async function writeTable(
  db: DuckDBSession,
  table: string,
  columns: readonly { name: string; type: OutputType }[],
  rows: Rows<readonly ColumnValue[]>,
): Promise<void> {
  await db.run(`create or replace table ${sqlIdent(table)} (${columns.map((c) => `${sqlIdent(c.name)} ${c.type}`).join(', ')})`);
  const appender = await db.connection.createAppender(table);
  try {
    for await (const row of rows) {
      if (row.length !== columns.length) throw new Error(`${table}: a row has ${row.length} values for ${columns.length} columns`);
      row.forEach((value, index) => append(appender, columns[index]!, value));
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/**
 * Writes a step's output table with exactly its model's declared columns, in their declared
 * order and types: each row names every declared column and nothing else.
 */
export async function writeDeclaredColumns(
  db: DuckDBSession,
  model: ModelVersion,
  table: string,
  rows: Rows<Readonly<Record<string, ColumnValue>>>,
): Promise<void> {
  const declared = model.columns.map((c) => c.name);
  async function* inDeclaredOrder() {
    for await (const row of rows) {
      checkNames(model, Object.keys(row));
      yield declared.map((name) => row[name]!);
    }
  }
  await writeTable(db, table, model.columns, inDeclaredOrder());
}

/**
 * The select list of a step's output built in SQL: each declared column, in declared order,
 * from its expression and cast to its declared type. Every declared column needs an expression.
 */
export function selectDeclaredColumns(model: ModelVersion, expressions: Readonly<Record<string, string>>): string {
  checkNames(model, Object.keys(expressions));
  return model.columns.map((c) => `cast(${expressions[c.name]} as ${c.type}) as ${sqlIdent(c.name)}`).join(',\n    ');
}

/**
 * The declared name of a column that carries a horizon, `<prefix>_<months>m` (e.g. clv_12m for
 * horizon_months 12): a declaration whose names do not match its horizon setting fails here.
 */
export function horizonColumn(model: ModelVersion, prefix: string, months: number): string {
  const name = `${prefix}_${months}m`;
  if (!model.columns.some((c) => c.name === name)) {
    const declared = model.columns.filter((c) => c.name.startsWith(`${prefix}_`)).map((c) => c.name);
    throw new ModelError(model.table, `its horizon is ${months} months, so it must declare ${name} (declared: ${declared.join(', ') || 'none'})`);
  }
  return name;
}

function checkNames(model: ModelVersion, names: readonly string[]): void {
  const declared = model.columns.map((c) => c.name);
  const missing = declared.filter((name) => !names.includes(name));
  const extra = names.filter((name) => !declared.includes(name));
  if (missing.length || extra.length) {
    const parts = [missing.length ? `no value for ${missing.join(', ')}` : '', extra.length ? `undeclared ${extra.join(', ')}` : ''];
    throw new ModelError(model.table, `step output differs from the declaration: ${parts.filter(Boolean).join('; ')}`);
  }
}

function append(appender: DuckDBAppender, column: { name: string; type: OutputType }, value: ColumnValue): void {
  if (value === null || (typeof value === 'number' && !Number.isFinite(value))) return appender.appendNull();
  switch (column.type) {
    case 'BIGINT':
      return appender.appendBigInt(BigInt(Math.round(Number(value))));
    case 'DOUBLE':
      return appender.appendDouble(Number(value));
    case 'DECIMAL(18,2)':
      return appender.appendDecimal(DuckDBDecimalValue.fromDouble(Number(value), 18, 2));
    case 'DATE': {
      const [, year, month, day] = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value)) ?? [];
      if (!day) throw new Error(`${column.name}: a DATE is written as YYYY-MM-DD, got ${JSON.stringify(value)}`);
      return appender.appendDate(DuckDBDateValue.fromParts({ year: Number(year), month: Number(month), day: Number(day) }));
    }
    case 'TIMESTAMP': {
      const millis = Date.parse(String(value));
      if (Number.isNaN(millis)) throw new Error(`${column.name}: a TIMESTAMP is written as an ISO string, got ${JSON.stringify(value)}`);
      return appender.appendTimestamp(new DuckDBTimestampValue(BigInt(millis) * 1000n));
    }
    case 'VARCHAR':
      return appender.appendVarchar(String(value));
    case 'BOOLEAN':
      if (typeof value !== 'boolean') throw new Error(`${column.name}: a BOOLEAN is written as true or false, got ${JSON.stringify(value)}`);
      return appender.appendBoolean(value);
  }
}

/**
 * The rows of a query, a page at a time, in a stable order: what a step reads when the rows
 * would not comfortably fit in memory (a history per customer at 10M orders).
 */
export async function* queryPages(
  db: DuckDBSession,
  query: string,
  orderBy: string,
  pageSize = 100_000,
): AsyncGenerator<Record<string, unknown>[]> {
  const table = sqlIdent(`pages_${Math.random().toString(36).slice(2)}`);
  await db.run(`create temp table ${table} as select *, row_number() over (order by ${orderBy}) as __page_row from (${query})`);
  try {
    const total = Number(await db.scalar(`select count(*) from ${table}`));
    for (let offset = 0; offset < total; offset += pageSize) {
      yield await db.rows(
        `select * exclude (__page_row) from ${table} where __page_row > ${offset} and __page_row <= ${offset + pageSize} order by __page_row`,
      );
    }
  } finally {
    await db.run(`drop table if exists ${table}`);
  }
}
