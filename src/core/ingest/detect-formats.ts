import type { DatasetContract } from '../contracts/dataset-contract.js';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { amountParts, dateParts, decimalEvidence } from './locale-sql.js';
import { ACCEPTED } from './validate-sql.js';
import { dateReading, decimalReading, type ColumnReading, type DeclaredFormats } from './value-formats.js';

/** The columns whose values a locale writes its own way: amounts and timestamps. */
export function localeColumns(contract: DatasetContract): string[] {
  return contract.columns.filter((c) => c.type === 'decimal' || c.type === 'timestamp').map((c) => c.name);
}

/** The readings declared formats give, before any value is read: each column a declaration covers. */
export function declaredReadings(contract: DatasetContract, declared: DeclaredFormats | undefined): Map<string, ColumnReading> {
  const readings = new Map<string, ColumnReading>();
  for (const column of contract.columns) {
    if (column.type === 'decimal' && declared?.decimal_mark) readings.set(column.name, decimalReading(declared, {}));
    if (column.type === 'timestamp' && declared?.date_order) readings.set(column.name, dateReading(declared, {}));
  }
  return readings;
}

/**
 * What the values `checked_input` kept for detection (validate-sql.ts, LocaleOptions.collect)
 * prove about each collected column, as readings; only the columns whose reading changes what
 * the first read of the file gave (none, for a file written as the spec writes values). The
 * query reads the kept columns of the table, not the file.
 */
export async function detectReadings(db: DuckDBSession, contract: DatasetContract, collected: readonly string[]): Promise<Map<string, ColumnReading>> {
  const columns = contract.columns.filter((c) => collected.includes(c.name));
  if (columns.length === 0) return new Map();
  const selects = columns.flatMap((c) => {
    const kept = sqlIdent(`__locale_${c.name}`);
    const alias = (what: string) => sqlIdent(`${c.name}:${what}`);
    if (c.type === 'timestamp') {
      const parts = dateParts(kept);
      return [
        `count(${kept}) as ${alias('kept')}`,
        `coalesce(bool_or(try_cast(${parts}.first as integer) > 12), false) as ${alias('day_first')}`,
        `coalesce(bool_or(try_cast(${parts}.second as integer) > 12), false) as ${alias('month_first')}`,
      ];
    }
    const evidence = decimalEvidence(`${amountParts(kept)}.body`);
    return [
      `count(${kept}) as ${alias('kept')}`,
      `coalesce(bool_or(${evidence.dot}), false) or coalesce(bool_or(${sqlIdent(`__dot_${c.name}`)}), false) as ${alias('dot')}`,
      `coalesce(bool_or(${evidence.comma}), false) as ${alias('comma')}`,
      // Kept values read as written (`1.250`) read the same with a proven '.': nothing to read again.
      `coalesce(bool_or(not regexp_full_match(${kept}, ${sqlString(ACCEPTED.decimal)})), false) as ${alias('not_as_written')}`,
    ];
  });
  const [row] = await db.rows(`select ${selects.join(', ')} from checked_input`);
  const readings = new Map<string, ColumnReading>();
  for (const c of columns) {
    const value = (what: string) => row?.[`${c.name}:${what}`];
    if (Number(value('kept')) === 0) continue;
    if (c.type === 'timestamp') {
      readings.set(c.name, dateReading(undefined, { dayFirst: value('day_first') === true, monthFirst: value('month_first') === true }));
      continue;
    }
    const reading = decimalReading(undefined, { dotDecimal: value('dot') === true, commaDecimal: value('comma') === true });
    if (reading.mark !== '.' || value('not_as_written') === true) readings.set(c.name, reading);
  }
  return readings;
}
