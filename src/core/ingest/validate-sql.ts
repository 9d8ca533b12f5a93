import type { DatasetContract, InputColumn } from '../contracts/dataset-contract.js';
import { sqlIdent, sqlString } from '../duckdb.js';

/** The staged (typed) SQL type of each input column type. */
export const STAGED_TYPE: Record<InputColumn['type'], string> = {
  string: 'VARCHAR',
  timestamp: 'TIMESTAMP',
  decimal: 'DECIMAL(18,2)',
  integer: 'INTEGER',
  enum: 'VARCHAR',
  currency: 'VARCHAR',
  month: 'DATE',
};

/**
 * SQL that types every row of `raw_input` against a contract: one column per contract
 * column (typed, defaults applied), the input's extra columns as text, `__line`, and
 * `__reason` — NULL for a good row, else every rule it breaks, joined by '; '.
 * `sourceColumns` maps each contract column to its column in the file (absent: not in the file).
 */
export function validationSql(
  contract: DatasetContract,
  sourceColumns: ReadonlyMap<string, string>,
  extraColumns: readonly string[],
): string {
  const typedColumns: string[] = [];
  const reasons: string[] = [];
  for (const column of contract.columns) {
    const source = sourceColumns.get(column.name);
    const text = source ? `nullif(trim(${sqlIdent(source)}), '')` : 'cast(null as varchar)';
    const parsed = parseExpression(column, text);
    const typed = column.default === undefined ? parsed : `coalesce(${parsed}, cast(${column.default} as ${STAGED_TYPE[column.type]}))`;
    typedColumns.push(`${typed} as ${sqlIdent(column.name)}`);

    const shown = `left(${text}, 60)`;
    if (column.required) reasons.push(`case when ${text} is null then ${sqlString(`${column.name} is missing`)} end`);
    const invalid =
      column.type === 'enum'
        ? `${sqlString(`${column.name} must be one of ${column.values!.join(', ')}, got '`)} || ${shown} || ''''`
        : `${sqlString(`${column.name} is not a valid ${column.type}: '`)} || ${shown} || ''''`;
    reasons.push(`case when ${text} is not null and ${parsed} is null then ${invalid} end`);
    if (column.min !== undefined) {
      reasons.push(
        `case when ${parsed} < ${column.min} then ${sqlString(`${column.name} must be ≥ ${column.min}, got `)} || ${text} end`,
      );
    }
    if (column.max !== undefined) {
      reasons.push(
        `case when ${parsed} > ${column.max} then ${sqlString(`${column.name} must be ≤ ${column.max}, got `)} || ${text} end`,
      );
    }
  }
  const extras = extraColumns.map((name) => sqlIdent(name));
  const rowReasons = contract.rowChecks.map((check) => `case when not (${check.sql}) then ${sqlString(check.reason)} end`);
  return `
    with typed as (
        select
            ${[...typedColumns, ...extras, '__line'].join(',\n            ')},
            nullif(concat_ws('; ', ${reasons.join(', ')}), '') as __column_reason
        from raw_input
    )
    select
        * exclude (__column_reason),
        nullif(concat_ws('; ', __column_reason${rowReasons.map((r) => `, ${r}`).join('')}), '') as __reason
    from typed`;
}

function parseExpression(column: InputColumn, text: string): string {
  switch (column.type) {
    case 'string':
      return text;
    case 'timestamp':
      // ISO 8601; '-0500' and ' -05:00' offsets are normalised to '-05:00' first.
      return `(try_cast(regexp_replace(${text}, '(\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)\\s*([+-]\\d{2}):?(\\d{2})$', '\\1\\2:\\3') as timestamptz) at time zone 'UTC')`;
    case 'decimal':
      return `try_cast(${text} as decimal(18,2))`;
    case 'integer':
      return `try_cast(${text} as integer)`;
    case 'enum':
      return `case when lower(${text}) in (${column.values!.map(sqlString).join(', ')}) then lower(${text}) end`;
    case 'currency':
      return `case when regexp_full_match(upper(${text}), '[A-Z]{3}') then upper(${text}) end`;
    case 'month':
      return `coalesce(try_cast(${text} || '-01' as date), date_trunc('month', try_cast(${text} as date)))`;
  }
}
