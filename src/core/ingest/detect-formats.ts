import type { DatasetContract } from '../contracts/dataset-contract.js';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { AMBIGUOUS_PLAIN, amountParts, dateParts, decimalEvidence } from './locale-sql.js';
import { ACCEPTED, type SourceColumn } from './validate-sql.js';
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

/** Where the validated values came from: the relation (`raw_input`, or a preset's mapping) and each contract column's column in it. */
export interface ValidatedSource {
  readonly relation: string;
  readonly columns: ReadonlyMap<string, SourceColumn>;
}

/**
 * What the values `checked_input` (or `table`) kept for detection (validate-sql.ts, LocaleOptions.collect)
 * prove about each collected column, as readings; only the columns whose reading changes what
 * the first read of the file gave (none, for a file written as the spec writes values). The
 * query reads the table, not the file: values read as written prove `.` by a fraction
 * (`12.5`). Only a column with values that stay ambiguous and no proof either way is looked
 * up in `source` once more, for a value like `12.00`.
 */
export async function detectReadings(
  db: DuckDBSession,
  contract: DatasetContract,
  collected: readonly string[],
  source: ValidatedSource,
  table = 'checked_input',
): Promise<Map<string, ColumnReading>> {
  const collectedColumns = contract.columns.filter((c) => collected.includes(c.name));
  if (collectedColumns.length === 0) return new Map();
  // Counting the kept values reads only their validity masks: the whole cost for most files.
  const kept = await db.rows(`select ${collectedColumns.map((c) => `count(${sqlIdent(`__locale_${c.name}`)}) as ${sqlIdent(c.name)}`).join(', ')} from ${table}`);
  const columns = collectedColumns.filter((c) => Number(kept[0]?.[c.name]) > 0);
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
    const value = sqlIdent(c.name);
    return [
      `count(${kept}) as ${alias('kept')}`,
      // A value read as written, with a fraction, and not kept (not `1.250`): `.` is its decimal mark.
      `coalesce(bool_or(${evidence.dot}), false) or coalesce(bool_or(${kept} is null and ${value} <> trunc(${value})), false) as ${alias('dot')}`,
      `coalesce(bool_or(${evidence.comma}), false) as ${alias('comma')}`,
      // Kept values read as written (`1.250`) read the same with a proven '.': nothing to read again.
      `coalesce(bool_or(not regexp_full_match(${kept}, ${sqlString(ACCEPTED.decimal)})), false) as ${alias('not_as_written')}`,
    ];
  });
  const [row] = await db.rows(`select ${selects.join(', ')} from ${table}`);
  const readings = new Map<string, ColumnReading>();
  for (const c of columns) {
    const value = (what: string) => row?.[`${c.name}:${what}`];
    if (Number(value('kept')) === 0) continue;
    if (c.type === 'timestamp') {
      readings.set(c.name, dateReading(undefined, { dayFirst: value('day_first') === true, monthFirst: value('month_first') === true }));
      continue;
    }
    const commaDecimal = value('comma') === true;
    const dotDecimal = value('dot') === true || (!commaDecimal && (await writtenWithDot(db, source, c.name)));
    const reading = decimalReading(undefined, { dotDecimal, commaDecimal });
    if (reading.mark !== '.' || value('not_as_written') === true) readings.set(c.name, reading);
  }
  return readings;
}

/** True where some value of the column, read as written, has a '.' that can only be a decimal mark (`12.00`, not `1.250`). */
async function writtenWithDot(db: DuckDBSession, source: ValidatedSource, column: string): Promise<boolean> {
  const from = source.columns.get(column);
  if (!from) return false;
  const text = `trim(${sqlIdent(from.ident)})`;
  const proves = `contains(${text}, '.') and regexp_full_match(${text}, ${sqlString(ACCEPTED.decimal)}) and not regexp_full_match(${text}, ${sqlString(AMBIGUOUS_PLAIN)})`;
  return (await db.scalar(`select coalesce(bool_or(${proves}), false) from ${source.relation}`)) === true;
}
