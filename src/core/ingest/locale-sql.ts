import { sqlString } from '../duckdb.js';
import type { DateReading, DecimalReading } from './value-formats.js';

// How amounts and dates written in a locale's conventions are read: SQL that turns such a text
// into the canonical text validate-sql.ts parses (`1250.00`, `2024-01-02T13:51`), or says why
// it cannot. Regular expressions are RE2 (DuckDB): no backreferences, no lookaround.

/** Spaces that group thousands: space, no-break space, narrow no-break space, thin space. */
const SPACE = String.raw`[ \x{00A0}\x{202F}\x{2009}]`;
/** A currency written beside an amount: an ISO 4217 code in capitals, or a symbol. */
const CURRENCY = '[A-Z]{3}|[$€£¥₹]';
/** Digits and separators, starting with a digit and not ending in a space. */
const BODY = String.raw`\d(?:[\d.,]|${SPACE})*[\d.,]|\d`;

/** An amount as written: sign, currency, sign, number, currency (the groups AMOUNT_PARTS names). */
export const AMOUNT = String.raw`^([+-]?)${SPACE}*(?:(${CURRENCY})${SPACE}*)?([+-]?)(${BODY})${SPACE}*(${CURRENCY})?$`;
const AMOUNT_PARTS = ['sign', 'before', 'sign2', 'body', 'after'];

/** A number with `.` as the decimal mark, thousands grouped by `,` or a space, or not grouped. */
const DOT_BODY = String.raw`(?:\d+|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?:${SPACE}\d{3})+)(?:\.\d*)?|\.\d+`;
/** A number with `,` as the decimal mark, thousands grouped by `.` or a space, or not grouped. */
const COMMA_BODY = String.raw`(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d{0,2}(?:${SPACE}\d{3})+)(?:,\d*)?|,\d+`;
/** A canonical amount that would also be a whole number with `.` grouping thousands (`1.250`). */
export const AMBIGUOUS_PLAIN = String.raw`[+-]?[1-9]\d{0,2}\.\d{3}`;

const full = (text: string, pattern: string) => `regexp_full_match(${text}, ${sqlString(pattern)})`;

/** SQL over a number's body (`AMOUNT`'s group): true where it is a number only with `.` (`dot`) or only with `,` as the decimal mark. */
export function decimalEvidence(body: string): { dot: string; comma: string } {
  const dot = full(body, DOT_BODY);
  const comma = full(body, COMMA_BODY);
  return { dot: `(${dot} and not ${comma})`, comma: `(${comma} and not ${dot})` };
}

/** The parts of an amount as written (a struct; all '' when it is no amount). */
export const amountParts = (text: string) => `regexp_extract(${text}, ${sqlString(AMOUNT)}, [${AMOUNT_PARTS.map(sqlString).join(', ')}])`;

/** Currency symbols that name one currency; `$` and `¥` name several and are not compared. */
const SYMBOL_CODES: Record<string, string> = { '€': 'EUR', '£': 'GBP', '₹': 'INR' };

export interface LocaleDecimal {
  /** The canonical text (`-1250.00`), or NULL when the text is no amount in the reading. */
  readonly canonical: string;
  /** True where the value reads differently with either decimal mark and the file does not say which. */
  readonly ambiguous: string;
  /** True where a currency written with the amount is not the row's (or the lake's) currency. */
  readonly otherCurrency: string;
}

/**
 * SQL reading `parts` (amountParts) in `reading`; `rowCurrency` is SQL for the currency the
 * amount must be in (NULL: not known).
 */
export function localeDecimal(parts: string, reading: DecimalReading, rowCurrency: string): LocaleDecimal {
  const body = `${parts}.body`;
  const spaceless = `regexp_replace(${body}, ${sqlString(SPACE)}, '', 'g')`;
  const hasMark = `regexp_matches(${body}, '[.,]')`;
  const read =
    reading.mark === '.'
      ? `case when ${full(body, DOT_BODY)} then replace(${spaceless}, ',', '') end`
      : reading.mark === ','
        ? `case when ${full(body, COMMA_BODY)} then replace(replace(${spaceless}, '.', ''), ',', '.') end`
        : // No mark is known: only numbers without one are read.
          `case when not ${hasMark} and ${full(body, DOT_BODY)} then ${spaceless} end`;
  const signs = `(${parts}.sign <> '' and ${parts}.sign2 <> '')`;
  const currencies = `(${parts}.before <> '' and ${parts}.after <> '')`;
  const canonical = `(case when ${body} <> '' and not ${signs} and not ${currencies} then ${parts}.sign || ${parts}.sign2 || ${read} end)`;
  const ambiguous =
    reading.mark === 'unknown' || reading.mark === 'mixed'
      ? `(${body} <> '' and ${hasMark} and (${full(body, DOT_BODY)} or ${full(body, COMMA_BODY)}))`
      : 'false';
  const written = `nullif(${parts}.before || ${parts}.after, '')`;
  const code = `(case ${written} ${Object.entries(SYMBOL_CODES).map(([symbol, c]) => `when ${sqlString(symbol)} then ${sqlString(c)}`).join(' ')} when '$' then null when '¥' then null else ${written} end)`;
  const otherCurrency = `coalesce(${code} <> ${rowCurrency}, false)`;
  return { canonical, ambiguous, otherCurrency };
}

/** A date written day and month first or month and day first, each of 1 or 2 digits, a 4-digit year, optional time and offset. */
export const NUMERIC_DATE = String.raw`^(\d{1,2})([./-])(\d{1,2})([./-])(\d{4})(?:(?:[ T]|, ?)(\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(\s*(?:Z|UTC|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?))?$`;
const DATE_PARTS = ['first', 'sep', 'second', 'sep2', 'year', 'hour', 'minute', 'second_of_minute', 'fraction', 'offset'];

/** The parts of a numeric date (a struct; all '' when it is none). */
export const dateParts = (text: string) => `regexp_extract(${text}, ${sqlString(NUMERIC_DATE)}, [${DATE_PARTS.map(sqlString).join(', ')}])`;

export interface LocaleDate {
  /** ISO 8601 text for the timestamp parser, or NULL when the text is no numeric date or its order is not known. */
  readonly canonical: string;
  /** True where day and month could be either way round and the file does not say which. */
  readonly ambiguous: string;
}

/** SQL reading `parts` (dateParts) of `text` in `reading`; any other text is passed on as it is (an ISO date, or invalid). */
export function localeDate(text: string, parts: string, reading: DateReading): LocaleDate {
  const isDate = `(${parts}.year <> '' and ${parts}.sep = ${parts}.sep2)`;
  const pad = (part: string) => `lpad(${parts}.${part}, 2, '0')`;
  const iso = (month: string, day: string) =>
    `${parts}.year || '-' || ${pad(month)} || '-' || ${pad(day)}
      || case when ${parts}.hour <> '' then 'T' || ${pad('hour')} || ':' || ${parts}.minute
          || case when ${parts}.second_of_minute <> '' then ':' || ${parts}.second_of_minute || ${parts}.fraction else '' end else '' end
      || ${parts}.offset`;
  const sameEitherWay = `(try_cast(${parts}.first as integer) = try_cast(${parts}.second as integer))`;
  const read =
    reading.order === 'day_first'
      ? iso('second', 'first')
      : reading.order === 'month_first'
        ? iso('first', 'second')
        : `case when ${sameEitherWay} then ${iso('first', 'second')} end`;
  return {
    canonical: `(case when ${isDate} then ${read} when ${parts}.year = '' then ${text} end)`,
    ambiguous: reading.order === 'unknown' || reading.order === 'mixed' ? `(${isDate} and not ${sameEitherWay})` : 'false',
  };
}
