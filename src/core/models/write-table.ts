import type { DuckDBSession } from '../duckdb.js';
import { sqlIdent } from '../duckdb.js';

export type ColumnValue = number | string | boolean | null;

/**
 * Creates a table from rows computed in TypeScript, through DuckDB's appender (fast for
 * millions of rows). Rows may come from an async generator, so they need not all be in memory.
 */
export async function writeTable(
  db: DuckDBSession,
  table: string,
  columns: readonly { name: string; type: 'DOUBLE' | 'BIGINT' | 'VARCHAR' | 'BOOLEAN' }[],
  rows: Iterable<readonly ColumnValue[]> | AsyncIterable<readonly ColumnValue[]>,
): Promise<void> {
  await db.run(`create or replace table ${sqlIdent(table)} (${columns.map((c) => `${sqlIdent(c.name)} ${c.type}`).join(', ')})`);
  const appender = await db.connection.createAppender(table);
  try {
    for await (const row of rows) {
      row.forEach((value, index) => {
        if (value === null || (typeof value === 'number' && !Number.isFinite(value))) appender.appendNull();
        else if (columns[index]!.type === 'DOUBLE') appender.appendDouble(Number(value));
        else if (columns[index]!.type === 'BIGINT') appender.appendBigInt(BigInt(Math.round(Number(value))));
        else if (columns[index]!.type === 'BOOLEAN') appender.appendBoolean(Boolean(value));
        else appender.appendVarchar(String(value));
      });
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/**
 * The rows of a query, a page at a time, in a stable order: what a TypeScript step reads
 * when the rows would not comfortably fit in memory (a history per customer at 10M orders).
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
