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
  boolean: 'BOOLEAN',
};

/** The plausible dates of the columns with a `window` (see InputColumn), YYYY-MM-DD, both included. */
export interface DateWindow {
  readonly earliest: string;
  /** The run date plus the days ahead the settings allow. */
  readonly latest: string;
}

/** The window of the lake settings `ingest` on the run date `now` (UTC). */
export function dateWindow(settings: { readonly earliest_date: string; readonly latest_date_days_ahead: number }, now = new Date()): DateWindow {
  const latest = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + settings.latest_date_days_ahead));
  return { earliest: settings.earliest_date, latest: latest.toISOString().slice(0, 10) };
}

/** Where a contract column's text comes from: a column of the source (see RawColumn). */
export interface SourceColumn {
  readonly ident: string;
  /** SQL, true where the value cannot be of any contract type whatever its text (a JSON object, say). */
  readonly unreadable?: string;
}

/**
 * What each type accepts, as written (after trimming): anything else is rejected with its
 * reason, never cast leniently (a cast reads `1_000`, `0x0A` and `1e1` as numbers and rounds
 * `7.5` and `-0.001`). Trailing zeros past the second decimal change no value and are accepted.
 */
export const ACCEPTED = {
  integer: String.raw`[+-]?\d+`,
  /** Up to 2 decimals (DECIMAL(18,2), metrics.md "Conventions"); thousands separators are not read. */
  decimal: String.raw`[+-]?(\d+(\.\d{0,2}0*)?|\.\d{1,2}0*)`,
  /** A number with more decimals than the contract keeps: rejected, not rounded. */
  decimalTooPrecise: String.raw`[+-]?(\d+\.\d*|\.\d+)`,
  currency: '[A-Z]{3}',
  month: String.raw`\d{4}-\d{2}`,
  date: String.raw`\d{4}-\d{2}-\d{2}`,
  /** The words a boolean is written as, compared lowercased: nothing else (not `t`, `y`, `2`, `1.0`). */
  booleanTrue: ['true', '1', 'yes'],
  booleanFalse: ['false', '0', 'no'],
} as const;

/**
 * SQL that types every row of `source` (`raw_input`, or a preset's mapping of it) against a contract: one column per contract
 * column (typed, defaults applied), the input's extra columns as they are, `__line`, and
 * `__reason` — NULL for a good row, else every rule it breaks, joined by '; '.
 * `sourceColumns` maps each contract column to its column in the source (absent: not in the file);
 * `extraColumns` are further source columns, passed through. Source columns are internal,
 * positional names (`__in_1`, …), so a file's own names never meet the names used here.
 */
export function validationSql(
  contract: DatasetContract,
  sourceColumns: ReadonlyMap<string, SourceColumn>,
  extraColumns: readonly string[],
  source = 'raw_input',
  dates?: DateWindow,
): string {
  // Three layers, so that each value is trimmed once and parsed once: __text_<c>
  // (trimmed, '' becomes NULL), __parsed_<c> (typed, or NULL), then the typed column and the reasons.
  const text = (c: InputColumn) => sqlIdent(`__text_${c.name}`);
  const unreadable = (c: InputColumn) => sqlIdent(`__unreadable_${c.name}`);
  const parsed = (c: InputColumn) => sqlIdent(`__parsed_${c.name}`);
  const texts = contract.columns.flatMap((c) => {
    const from = sourceColumns.get(c.name);
    return [
      `${from ? `nullif(trim(${sqlIdent(from.ident)}), '')` : 'cast(null as varchar)'} as ${text(c)}`,
      `${from?.unreadable ? `coalesce(${from.unreadable}, false)` : 'false'} as ${unreadable(c)}`,
    ];
  });
  // A boolean column reads a JSON or Parquet boolean by its text (`true`/`false`); its accepted
  // words are exact, so no object, array or nested value's text can pass as one.
  const readable = (c: InputColumn) => (c.type === 'boolean' ? 'true' : `not ${unreadable(c)}`);
  const parses = contract.columns.map((c) => `case when ${readable(c)} then ${parseExpression(c, text(c))} end as ${parsed(c)}`);
  const typed = contract.columns.map((c) => {
    const value = c.default === undefined ? parsed(c) : `coalesce(${parsed(c)}, cast(${c.default} as ${STAGED_TYPE[c.type]}))`;
    return `${value} as ${sqlIdent(c.name)}`;
  });
  const reasons = contract.columns.flatMap((c) => [
    ...columnReasons(c, text(c), parsed(c), unreadable(c)),
    ...(dates ? windowReasons(c, text(c), parsed(c), dates) : []),
  ]);
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

/** What a reason quotes of a bad value: 60 characters, then an ellipsis. */
const REASON_ECHO = 60;

/** One CASE per rule of a column, each giving the reason text when the rule is broken. */
function columnReasons(column: InputColumn, text: string, parsed: string, unreadable: string): string[] {
  const echo = `(left(${text}, ${REASON_ECHO}) || case when length(${text}) > ${REASON_ECHO} then '…' else '' end)`;
  const got = (message: string) => `${sqlString(message)} || ${echo}`;
  const quotedGot = (message: string) => `${got(`${message}'`)} || ${sqlString("'")}`;
  let invalid =
    column.type === 'enum'
      ? quotedGot(`${column.name} must be one of ${column.values!.join(', ')}, got `)
      : column.type === 'boolean'
        ? quotedGot(`${column.name} must be one of ${[...ACCEPTED.booleanTrue, ...ACCEPTED.booleanFalse].join(', ')}, got `)
        : quotedGot(`${column.name} is not a valid ${column.type}: `);
  if (column.type === 'decimal') {
    invalid = `case when not ${unreadable} and ${matches(text, ACCEPTED.decimalTooPrecise)} then ${quotedGot(`${column.name} has more than 2 decimal places: `)} else ${invalid} end`;
  }
  const reasons = [`case when ${text} is not null and ${parsed} is null then ${invalid} end`];
  if (column.required) reasons.unshift(`case when ${text} is null then ${sqlString(`${column.name} is missing`)} end`);
  if (column.min !== undefined) reasons.push(`case when ${parsed} < ${column.min} then ${got(`${column.name} must be ≥ ${column.min}, got `)} end`);
  if (column.max !== undefined) reasons.push(`case when ${parsed} > ${column.max} then ${got(`${column.name} must be ≤ ${column.max}, got `)} end`);
  return reasons;
}

/** Reasons for a date outside the column's window (none without one). */
function windowReasons(column: InputColumn, text: string, parsed: string, dates: DateWindow): string[] {
  const bounds = windowBounds(column, parsed, dates);
  if (!bounds) return [];
  const echo = `${sqlString("'")} || left(${text}, ${REASON_ECHO}) || ${sqlString("'")}`;
  const reasons = [`case when ${bounds.before} then ${sqlString(`${column.name} is before ${bounds.earliest} (ingest.earliest_date), got `)} || ${echo} end`];
  if (bounds.after) {
    reasons.push(`case when ${bounds.after} then ${sqlString(`${column.name} is after ${bounds.latest} (the run date plus ingest.latest_date_days_ahead), got `)} || ${echo} end`);
  }
  return reasons;
}

/** SQL, true where the typed `value` of a column with a window is outside it (undefined: the column has none). */
export function outsideWindow(column: InputColumn, value: string, dates: DateWindow): string | undefined {
  const bounds = windowBounds(column, value, dates);
  return bounds && `(${[bounds.before, bounds.after].filter(Boolean).join(' or ')})`;
}

function windowBounds(column: InputColumn, value: string, dates: DateWindow) {
  if (!column.window) return undefined;
  // Months compare by their first days; a timestamp is late by its date.
  const month = column.type === 'month';
  const [earliest, latest] = month ? [monthOf(dates.earliest), monthOf(dates.latest)] : [dates.earliest, dates.latest];
  return {
    earliest,
    latest,
    before: `${value} < ${month ? 'date' : 'timestamp'} ${sqlString(earliest)}`,
    after: column.window === 'past' ? `${month ? value : `cast(${value} as date)`} > date ${sqlString(latest)}` : undefined,
  };
}

const monthOf = (date: string) => `${date.slice(0, 7)}-01`;

const matches = (text: string, pattern: string) => `regexp_full_match(${text}, ${sqlString(pattern)})`;

function parseExpression(column: InputColumn, text: string): string {
  switch (column.type) {
    case 'string':
      return text;
    case 'timestamp':
      return timestampExpression(text);
    case 'decimal':
      return `case when ${matches(text, ACCEPTED.decimal)} then try_cast(${text} as decimal(18,2)) end`;
    case 'integer':
      return `case when ${matches(text, ACCEPTED.integer)} then try_cast(${text} as integer) end`;
    case 'enum':
      return `case when lower(${text}) in (${column.values!.map(sqlString).join(', ')}) then lower(${text}) end`;
    case 'currency':
      return `case when ${matches(`upper(${text})`, ACCEPTED.currency)} then upper(${text}) end`;
    case 'month':
      return `(case when ${matches(text, ACCEPTED.month)} then try_cast(${text} || '-01' as date)
          when ${matches(text, ACCEPTED.date)} then cast(date_trunc('month', try_cast(${text} as date)) as date) end)`;
    case 'boolean':
      return `(case when lower(${text}) in (${ACCEPTED.booleanTrue.map(sqlString).join(', ')}) then true
          when lower(${text}) in (${ACCEPTED.booleanFalse.map(sqlString).join(', ')}) then false end)`;
  }
}

const DATE_TIME = String.raw`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?`;
/** UTC offsets that exist: hours 00–14 (UTC−12 to UTC+14 today), minutes 00–59. */
const OFFSET = String.raw`Z|UTC|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?`;

/**
 * ISO 8601 date or date-time to a UTC TIMESTAMP. With an offset (Z, UTC, ±hh, ±hhmm,
 * ±hh:mm, up to ±14:59; a space before it allowed) the local time is shifted by it; without one it is
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
