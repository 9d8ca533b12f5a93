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
 * SQL that types every row of `source` (`raw_input`, or a preset's mapping of it) against a contract: one column per contract
 * column (typed, defaults applied), the input's extra columns as text, `__line`, and
 * `__reason` — NULL for a good row, else every rule it breaks, joined by '; '.
 * `sourceColumns` maps each contract column to its column in the file (absent: not in the file).
 */
export function validationSql(
  contract: DatasetContract,
  sourceColumns: ReadonlyMap<string, string>,
  extraColumns: readonly string[],
  source = 'raw_input',
): string {
  // Three layers, so that each value is trimmed once and parsed once: __text_<c>
  // (trimmed, '' becomes NULL), __parsed_<c> (typed, or NULL), then the typed column and the reasons.
  const text = (c: InputColumn) => sqlIdent(`__text_${c.name}`);
  const parsed = (c: InputColumn) => sqlIdent(`__parsed_${c.name}`);
  const texts = contract.columns.map((c) => {
    const source = sourceColumns.get(c.name);
    return `${source ? `nullif(trim(${sqlIdent(source)}), '')` : 'cast(null as varchar)'} as ${text(c)}`;
  });
  const parses = contract.columns.map((c) => `${parseExpression(c, text(c))} as ${parsed(c)}`);
  const typed = contract.columns.map((c) => {
    const value = c.default === undefined ? parsed(c) : `coalesce(${parsed(c)}, cast(${c.default} as ${STAGED_TYPE[c.type]}))`;
    return `${value} as ${sqlIdent(c.name)}`;
  });
  const reasons = contract.columns.flatMap((c) => columnReasons(c, text(c), parsed(c)));
  const rowReasons = contract.rowChecks.map((check) => `case when not (${check.sql}) then ${sqlString(check.reason)} end`);
  const extras = extraColumns.map(sqlIdent);
  return `
    with texts as (
        select ${[...texts, ...extras, '__line'].join(', ')} from ${source}
    ),
    parsed as (
        select *, ${parses.join(', ')} from texts
    ),
    typed as (
        select
            ${[...typed, ...extras, '__line'].join(',\n            ')},
            nullif(concat_ws('; ', ${reasons.join(', ')}), '') as __column_reason
        from parsed
    )
    select
        * exclude (__column_reason),
        nullif(concat_ws('; ', __column_reason${rowReasons.map((r) => `, ${r}`).join('')}), '') as __reason
    from typed`;
}

/** One CASE per rule of a column, each giving the reason text when the rule is broken. */
function columnReasons(column: InputColumn, text: string, parsed: string): string[] {
  const got = (message: string) => `${sqlString(message)} || left(${text}, 60)`;
  const quotedGot = (message: string) => `${got(`${message}'`)} || ${sqlString("'")}`;
  const invalid =
    column.type === 'enum'
      ? quotedGot(`${column.name} must be one of ${column.values!.join(', ')}, got `)
      : quotedGot(`${column.name} is not a valid ${column.type}: `);
  const reasons = [`case when ${text} is not null and ${parsed} is null then ${invalid} end`];
  if (column.required) reasons.unshift(`case when ${text} is null then ${sqlString(`${column.name} is missing`)} end`);
  if (column.min !== undefined) reasons.push(`case when ${parsed} < ${column.min} then ${got(`${column.name} must be ≥ ${column.min}, got `)} end`);
  if (column.max !== undefined) reasons.push(`case when ${parsed} > ${column.max} then ${got(`${column.name} must be ≤ ${column.max}, got `)} end`);
  return reasons;
}

function parseExpression(column: InputColumn, text: string): string {
  switch (column.type) {
    case 'string':
      return text;
    case 'timestamp':
      return timestampExpression(text);
    case 'decimal':
      return `try_cast(${text} as decimal(18,2))`;
    case 'integer':
      return `try_cast(${text} as integer)`;
    case 'enum':
      return `case when lower(${text}) in (${column.values!.map(sqlString).join(', ')}) then lower(${text}) end`;
    case 'currency':
      return `case when regexp_full_match(upper(${text}), '[A-Z]{3}') then upper(${text}) end`;
    case 'month':
      return `(case when regexp_full_match(${text}, '\\d{4}-\\d{2}') then try_cast(${text} || '-01' as date)
          else cast(date_trunc('month', try_cast(${text} as date)) as date) end)`;
  }
}

const DATE_TIME = String.raw`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?`;
const OFFSET = String.raw`Z|UTC|[+-]\d{2}(?::?\d{2})?`;

/**
 * ISO 8601 date or date-time to a UTC TIMESTAMP. With an offset (Z, UTC, ±hh, ±hhmm,
 * ±hh:mm, a space before it allowed) the local time is shifted by it; without one it is
 * UTC. Offsets are applied by arithmetic, never by a TIMESTAMPTZ cast: in DuckDB 1.5 a
 * value with a named zone ('… Asia/Tokyo') changes how later offset-less values of the
 * same query are read. Anything else — named zones included — is not a valid timestamp.
 */
function timestampExpression(text: string): string {
  const withOffset = `regexp_extract(${text}, '^(${DATE_TIME})\\s*(${OFFSET})$', ['local', 'offset'])`;
  const offsetMinutes = `(case when ${withOffset}.offset in ('Z', 'UTC') then 0
      else (case when left(${withOffset}.offset, 1) = '-' then -1 else 1 end)
          * (cast(substr(replace(${withOffset}.offset, ':', ''), 2, 2) as integer) * 60
             + coalesce(try_cast(nullif(substr(replace(${withOffset}.offset, ':', ''), 4, 2), '') as integer), 0)) end)`;
  return `(case
      when regexp_full_match(${text}, '${DATE_TIME}') then try_cast(${text} as timestamp)
      when ${withOffset}.local <> '' then try_cast(${withOffset}.local as timestamp) - to_minutes(${offsetMinutes})
    end)`;
}
