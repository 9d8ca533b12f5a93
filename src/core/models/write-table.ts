import type { DuckDBSession } from '../duckdb.js';
import { sqlIdent } from '../duckdb.js';

export type ColumnValue = number | string | boolean | null;

/** Creates a table from rows computed in TypeScript, through DuckDB's appender (fast for millions of rows). */
export async function writeTable(
  db: DuckDBSession,
  table: string,
  columns: readonly { name: string; type: 'DOUBLE' | 'BIGINT' | 'VARCHAR' | 'BOOLEAN' }[],
  rows: Iterable<readonly ColumnValue[]>,
): Promise<void> {
  await db.run(`create or replace table ${sqlIdent(table)} (${columns.map((c) => `${sqlIdent(c.name)} ${c.type}`).join(', ')})`);
  const appender = await db.connection.createAppender(table);
  try {
    for (const row of rows) {
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
