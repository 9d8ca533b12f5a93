import type { DatasetContract, InputColumn } from '../contracts/dataset-contract.js';
import { sqlIdent, sqlString } from '../duckdb.js';
import { AMBIGUOUS_PLAIN, AMOUNT, amountParts, dateParts, localeDate, localeDecimal, NUMERIC_DATE } from './locale-sql.js';
import type { ColumnReading } from './value-formats.js';

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
  /**
   * Up to 2 decimals (DECIMAL(18,2), metrics.md "Conventions"). A CSV file's grouped thousands,
   * decimal comma and currency are first turned into this form, by the reading its values prove
   * (locale-sql.ts): never by a cast.
   */
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

/** How a CSV file's locale is read (see locale-sql.ts); nothing of it applies to NDJSON or Parquet, which hold typed values. */
export interface LocaleOptions {
  /** Columns read in a known reading (declared, or detected). */
  readonly readings?: ReadonlyMap<string, ColumnReading>;
  /**
   * Decimal and timestamp columns whose values that may be written in a locale's conventions
   * are kept for detection: `__locale_<c>` holds such a value (NULL for most rows).
   */
  readonly collect?: readonly string[];
  /** The lake's currency: an amount written with another currency is rejected when its row names none. */
  readonly lakeCurrency?: string;
}

/**
 * SQL that types every row of `source` (`raw_input`, or a preset's mapping of it) against a contract: one column per contract
 * column (typed, defaults applied), the input's extra columns as they are, `__line`, and
 * `__reason` — NULL for a good row, else every rule it breaks, joined by '; ' — with
 * `__reason_stems`, the same rules without the values they quote (for counting rows by reason).
 * `sourceColumns` maps each contract column to its column in the source (absent: not in the file);
 * `extraColumns` are further source columns, passed through. Source columns are internal,
 * positional names (`__in_1`, …), so a file's own names never meet the names used here.
 * `numbered` false: the source has no `__line`, and neither has the result (its rows keep the source's order).
 */
export function validationSql(
  contract: DatasetContract,
  sourceColumns: ReadonlyMap<string, SourceColumn>,
  extraColumns: readonly string[],
  source = 'raw_input',
  dates?: DateWindow,
  locale: LocaleOptions = {},
  numbered = true,
): string {
  const line = numbered ? ['__line'] : [];
  // Layers, so that each value is trimmed once and parsed once: __text_<c>
  // (trimmed, '' becomes NULL), for a column read in a locale __parts_<c> then __canon_<c>
  // (its canonical text), __parsed_<c> (typed, or NULL), then the typed column and the reasons.
  const text = (c: InputColumn) => sqlIdent(`__text_${c.name}`);
  const unreadable = (c: InputColumn) => sqlIdent(`__unreadable_${c.name}`);
  const parsed = (c: InputColumn) => sqlIdent(`__parsed_${c.name}`);
  const partsOf = (c: InputColumn) => sqlIdent(`__parts_${c.name}`);
  const canon = (c: InputColumn) => sqlIdent(`__canon_${c.name}`);
  const ambiguous = (c: InputColumn) => sqlIdent(`__ambiguous_${c.name}`);
  const otherCurrency = (c: InputColumn) => sqlIdent(`__other_currency_${c.name}`);
  const texts = contract.columns.flatMap((c) => {
    const from = sourceColumns.get(c.name);
    return [
      `${from ? `nullif(${trimmed(sqlIdent(from.ident))}, '')` : 'cast(null as varchar)'} as ${text(c)}`,
      `${from?.unreadable ? `coalesce(${from.unreadable}, false)` : 'false'} as ${unreadable(c)}`,
    ];
  });
  const read = contract.columns.flatMap((c) => {
    const reading = locale.readings?.get(c.name);
    return reading && sourceColumns.has(c.name) ? [{ column: c, reading }] : [];
  });
  const currencyColumn = contract.columns.find((c) => c.type === 'currency');
  const rowCurrency = `coalesce(${currencyColumn ? `upper(${text(currencyColumn)})` : 'null'}, ${locale.lakeCurrency ? sqlString(locale.lakeCurrency) : 'null'})`;
  const parts = read.map(({ column: c, reading }) => `${reading.kind === 'decimal' ? amountParts(text(c)) : dateParts(text(c))} as ${partsOf(c)}`);
  const canons = read.flatMap(({ column: c, reading }) => {
    if (reading.kind === 'date') {
      const date = localeDate(text(c), partsOf(c), reading);
      return [`${date.canonical} as ${canon(c)}`, `coalesce(${date.ambiguous}, false) as ${ambiguous(c)}`, `false as ${otherCurrency(c)}`];
    }
    const amount = localeDecimal(partsOf(c), reading, rowCurrency);
    return [`${amount.canonical} as ${canon(c)}`, `coalesce(${amount.ambiguous}, false) as ${ambiguous(c)}`, `${amount.otherCurrency} as ${otherCurrency(c)}`];
  });
  const localeOf = (c: InputColumn): LocaleColumns | undefined => {
    const reading = read.find((r) => r.column === c)?.reading;
    if (!reading) return undefined;
    const mixed = reading.kind === 'decimal' ? reading.mark === 'mixed' : reading.order === 'mixed';
    return { canon: canon(c), ambiguous: ambiguous(c), otherCurrency: otherCurrency(c), mixed };
  };
  // A boolean column reads a JSON or Parquet boolean by its text (`true`/`false`); its accepted
  // words are exact, so no object, array or nested value's text can pass as one.
  const readable = (c: InputColumn) => (c.type === 'boolean' ? 'true' : `not ${unreadable(c)}`);
  const parses = contract.columns.map((c) => `case when ${readable(c)} then ${parseExpression(c, text(c), localeOf(c))} end as ${parsed(c)}`);
  const typed = contract.columns.map((c) => {
    const value = c.default === undefined ? parsed(c) : `coalesce(${parsed(c)}, cast(${c.default} as ${STAGED_TYPE[c.type]}))`;
    return `${value} as ${sqlIdent(c.name)}`;
  });
  const rules = contract.columns.flatMap((c) => [
    ...columnRules(c, text(c), parsed(c), unreadable(c), localeOf(c)),
    ...(dates ? windowRules(c, text(c), parsed(c), dates) : []),
  ]);
  const rowRules = contract.rowChecks.map((check) => ({ when: `not (${check.sql})`, reason: sqlString(check.reason), stem: sqlString(check.reason) }));
  const collected = (locale.collect ?? []).flatMap((name) => {
    const c = contract.columns.find((column) => column.name === name);
    return c && sourceColumns.has(name) && !localeOf(c) ? [c] : [];
  });
  const collects = collected.flatMap((c) => collectExpressions(c, text(c), parsed(c), unreadable(c)));
  const extras = extraColumns.map(sqlIdent);
  // What the stems of a rejected row are computed from, in the last layer.
  const working = contract.columns.flatMap((c) => [text(c), parsed(c), unreadable(c), ...(localeOf(c) ? [canon(c), ambiguous(c), otherCurrency(c)] : [])]);
  const caseOf = (rule: Rule, value: 'reason' | 'stem') => `case when ${rule.when} then ${rule[value]} end`;
  return `
    with texts as (
        select ${[...texts, ...extras, ...line].join(', ')} from ${source}
    ),
    parts as (
        select *${parts.map((p) => `, ${p}`).join('')} from texts
    ),
    canons as (
        select *${canons.map((p) => `, ${p}`).join('')} from parts
    ),
    parsed as (
        select *, ${parses.join(', ')} from canons
    ),
    typed as (
        select
            ${[...typed, ...extras, ...line, ...working, ...collects].join(',\n            ')},
            nullif(concat_ws('; ', ${rules.map((r) => caseOf(r, 'reason')).join(', ')}), '') as __column_reason
        from parsed
    ),
    reasoned as (
        select *, nullif(concat_ws('; ', __column_reason${rowRules.map((r) => `, ${caseOf(r, 'reason')}`).join('')}), '') as __reason
        from typed
    )
    select
        ${[...contract.columns.map((c) => sqlIdent(c.name)), ...extras, ...line, ...collected.flatMap((c) => collectedColumns(c))].join(', ')},
        __reason,
        case when __reason is not null then concat_ws('; ', ${[...rules, ...rowRules].map((r) => caseOf(r, 'stem')).join(', ')}) end as __reason_stems
    from reasoned`;
}

/** One rule of a column or row: SQL true where it is broken, the reason (quoting the value) and its stem (without it). */
interface Rule {
  readonly when: string;
  readonly reason: string;
  readonly stem: string;
}

/** The column kept for detection of a collected column (see LocaleOptions.collect). */
const collectedColumns = (c: InputColumn) => [sqlIdent(`__locale_${c.name}`)];

/**
 * A collected column's detection values: the text where it may be in a locale's conventions
 * (an amount with a grouping space, a comma or a currency, or `1.250`; a date like 01.02.2024).
 * Cheap for canonical files: the patterns run only on values not read as written, and on those
 * few read with exactly three decimals.
 */
function collectExpressions(c: InputColumn, text: string, parsed: string, unreadable: string): string[] {
  const [localeColumn] = collectedColumns(c);
  if (c.type === 'timestamp') {
    return [`case when ${parsed} is null and not ${unreadable} then case when ${matches(text, NUMERIC_DATE.slice(1, -1))} then ${text} end end as ${localeColumn}`];
  }
  // A CASE, not AND: a projection evaluates both sides of an AND on every row, a CASE its branch only where taken.
  const threeDecimals = `(case when strpos(${text}, '.') = length(${text}) - 3 then ${matches(text, AMBIGUOUS_PLAIN)} else false end)`;
  const mayBeLocale = `(not ${unreadable} and case when ${parsed} is null then ${matches(text, AMOUNT.slice(1, -1))} else ${threeDecimals} end)`;
  return [`case when ${mayBeLocale} then ${text} end as ${localeColumn}`];
}

/** What a reason quotes of a bad value: 60 characters, then an ellipsis. */
const REASON_ECHO = 60;

/** How a reason quotes the value after its stem: `: 'v'`, `, got v`, `, got 'v'`, or not at all. */
type Echo = 'quoted' | 'got' | 'got_quoted' | 'none';

/** A rule whose stem depends on the case: `branches` in order, the last one's `when` may be 'else'. */
function ruleOf(when: string, text: string, branches: readonly { when: string; stem: string; echo: Echo }[]): Rule {
  const echoed = `(left(${text}, ${REASON_ECHO}) || case when length(${text}) > ${REASON_ECHO} then '…' else '' end)`;
  const message = (stem: string, echo: Echo) =>
    echo === 'none'
      ? sqlString(stem)
      : echo === 'got'
        ? `${sqlString(`${stem}, got `)} || ${echoed}`
        : `${sqlString(echo === 'quoted' ? `${stem}: '` : `${stem}, got '`)} || ${echoed} || ${sqlString("'")}`;
  if (branches.length === 1 && branches[0]!.when === 'else') return { when, reason: message(branches[0]!.stem, branches[0]!.echo), stem: sqlString(branches[0]!.stem) };
  const cases = (value: (b: (typeof branches)[number]) => string) =>
    `case ${branches.map((b) => (b.when === 'else' ? `else ${value(b)}` : `when ${b.when} then ${value(b)}`)).join(' ')} end`;
  return { when, reason: cases((b) => message(b.stem, b.echo)), stem: cases((b) => sqlString(b.stem)) };
}

const only = (stem: string, echo: Echo) => [{ when: 'else', stem, echo }];

/** The columns read in a locale (see validationSql). */
interface LocaleColumns {
  readonly canon: string;
  readonly ambiguous: string;
  readonly otherCurrency: string;
  /** The file proves both conventions (a column's ambiguous values are then said to be mixed). */
  readonly mixed: boolean;
}

/** One rule per check of a column. */
function columnRules(column: InputColumn, text: string, parsed: string, unreadable: string, locale?: LocaleColumns): Rule[] {
  const name = column.name;
  const invalid =
    column.type === 'enum'
      ? only(`${name} must be one of ${column.values!.join(', ')}`, 'got_quoted')
      : column.type === 'boolean'
        ? only(`${name} must be one of ${[...ACCEPTED.booleanTrue, ...ACCEPTED.booleanFalse].join(', ')}`, 'got_quoted')
        : only(`${name} is not a valid ${column.type}`, 'quoted');
  const branches: { when: string; stem: string; echo: Echo }[] = [];
  if (locale) {
    const which = column.type === 'decimal' ? 'decimal_mark' : 'date_order';
    const why =
      column.type === 'decimal'
        ? locale.mixed
          ? "this file writes amounts with both '.' and ',' as the decimal mark"
          : "no value in this file shows whether '.' or ',' is the decimal mark"
        : locale.mixed
          ? 'this file writes dates both day first and month first'
          : 'no date in this file shows whether the day or the month comes first';
    // No '; ' in a stem: it joins the reasons of a row.
    branches.push({ when: locale.ambiguous, stem: `${name} is ambiguous: ${why} (declare ingest.formats.${which})`, echo: 'quoted' });
    branches.push({ when: locale.otherCurrency, stem: `${name} is written in another currency than its row's (or the lake's)`, echo: 'quoted' });
  }
  if (column.type === 'decimal') {
    branches.push({ when: `not ${unreadable} and ${matches(locale?.canon ?? text, ACCEPTED.decimalTooPrecise)}`, stem: `${name} has more than 2 decimal places`, echo: 'quoted' });
  }
  const rules = [ruleOf(`${text} is not null and ${parsed} is null`, text, [...branches, ...invalid])];
  if (column.required) rules.unshift(ruleOf(`${text} is null`, text, only(`${name} is missing`, 'none')));
  if (column.min !== undefined) rules.push(ruleOf(`${parsed} < ${column.min}`, text, only(`${name} must be ≥ ${column.min}`, 'got')));
  if (column.max !== undefined) rules.push(ruleOf(`${parsed} > ${column.max}`, text, only(`${name} must be ≤ ${column.max}`, 'got')));
  return rules;
}

/** Rules for a date outside the column's window (none without one). */
function windowRules(column: InputColumn, text: string, parsed: string, dates: DateWindow): Rule[] {
  const bounds = windowBounds(column, parsed, dates);
  if (!bounds) return [];
  const rules = [ruleOf(bounds.before, text, only(`${column.name} is before ${bounds.earliest} (ingest.earliest_date)`, 'got_quoted'))];
  if (bounds.after) {
    rules.push(ruleOf(bounds.after, text, only(`${column.name} is after ${bounds.latest} (the run date plus ingest.latest_date_days_ahead)`, 'got_quoted')));
  }
  return rules;
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

/**
 * SQL: `trim(value)`, without calling it on the usual value. Of ASCII characters trim removes
 * only the space (checked for all 128), so an all-ASCII value (as many bytes as characters)
 * without an edge space is its own trim — at a fraction of trim's cost, a tenth of validation.
 */
const trimmed = (value: string) =>
  `(case when strlen(${value}) = length(${value}) and not starts_with(${value}, ' ') and not ends_with(${value}, ' ') then ${value} else trim(${value}) end)`;

const matches = (text: string, pattern: string) => `regexp_full_match(${text}, ${sqlString(pattern)})`;

function parseExpression(column: InputColumn, text: string, locale?: LocaleColumns): string {
  switch (column.type) {
    case 'string':
      return text;
    case 'timestamp':
      return timestampExpression(locale?.canon ?? text);
    case 'decimal': {
      const canonical = locale?.canon ?? text;
      const written = locale ? `not ${locale.ambiguous} and not ${locale.otherCurrency} and ` : '';
      return `case when ${written}${matches(canonical, ACCEPTED.decimal)} then try_cast(${canonical} as decimal(18,2)) end`;
    }
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
  // The usual forms first, by one match: no offset, or `Z` (UTC, so nothing to shift). The
  // general branch below reads them the same, at several regular expressions a value.
  return `(case
      when regexp_full_match(${text}, '${DATE_TIME}Z?') then try_cast(rtrim(${text}, 'Z') as timestamp)
      when ${withOffset}.local <> '' then try_cast(${withOffset}.local as timestamp) - to_minutes(${offsetMinutes})
    end)`;
}
