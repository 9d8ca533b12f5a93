import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DuckDBSession, sqlString } from '../duckdb.js';
import { errorMessage, InputFileError, LoyaltyLakeError } from '../errors.js';
import { blankRunAfterHeader, checkTextFile, MAX_BLANK_RUN_BYTES, readHead } from './sniff-file.js';

export type InputFormat = 'csv' | 'ndjson' | 'parquet';

const FORMATS: Record<string, InputFormat> = {
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  psv: 'csv',
  jsonl: 'ndjson',
  ndjson: 'ndjson',
  parquet: 'parquet',
  pq: 'parquet',
};

export interface InputKind {
  readonly format: InputFormat;
  readonly gzip: boolean;
}

/** The format of a file from its name: `.csv`, `.tsv`, `.jsonl`, `.ndjson`, `.parquet`, each optionally `.gz` (not parquet). */
export function inputKind(fileName: string): InputKind {
  const parts = fileName.toLowerCase().split('.');
  const gzip = parts.at(-1) === 'gz';
  const extension = parts.at(gzip ? -2 : -1) ?? '';
  const format = parts.length > 1 ? FORMATS[extension] : undefined;
  if (!format || (gzip && format === 'parquet')) {
    throw new InputFileError(
      `unsupported file type '${fileName}': expected .csv/.tsv/.txt/.psv, .jsonl/.ndjson (each optionally .gz) or .parquet`,
    );
  }
  return { format, gzip };
}

/** Limits on what one input file may cost; settings with these defaults. */
export interface InputLimits {
  /** Bytes a .gz file may inflate to; a file past it is quarantined. @default DEFAULT_MAX_INFLATED_BYTES (4 GiB) */
  readonly maxInflatedBytes?: number;
  /** NDJSON keys outside the contract read as extra columns; past it, none are. @default DEFAULT_MAX_EXTRA_KEYS (100) */
  readonly maxExtraKeys?: number;
}

export const DEFAULT_MAX_INFLATED_BYTES = 4 * 1024 ** 3;
export const DEFAULT_MAX_EXTRA_KEYS = 100;

/** One column of the file, as `raw_input` holds it. */
export interface RawColumn {
  /** The name as the file writes it (header field, JSON key or Parquet column). */
  readonly name: string;
  /**
   * Its column in `raw_input` (VARCHAR): positional (`__in_1`, `__in_2`, …) whatever the file
   * calls it, so that no header can name a column the validator uses.
   */
  readonly ident: string;
  /**
   * SQL over `raw_input`, true where the value is text of no kind any contract column takes:
   * a JSON object, array or boolean, a JSON number a double does not hold exactly, a nested
   * Parquet value. Absent: every value is plain text.
   */
  readonly unreadable?: string;
}

export interface RawInput {
  readonly columns: RawColumn[];
  /**
   * The column of `raw_input` holding each NDJSON line whole, when some of its keys were not
   * read (too many, or an empty key): rejects carry it so that no value is lost.
   */
  readonly sourceJson?: string;
  /** What the reader left out, for the report. */
  readonly notes: string[];
  /** Turns an error DuckDB raised while reading `raw_input` into an InputFileError naming the problem and the line. */
  readonly fileError: (error: unknown) => Error;
  /**
   * Whether `raw_input` has `__line`. A CSV file opened with `numbered: false` has not: DuckDB
   * then reads it on every thread, and the line of a row is its position in a table it was
   * read into (see stage-file.ts). `number()` redefines `raw_input` with `__line`.
   */
  readonly numbered: boolean;
  readonly number: () => Promise<void>;
}

export interface OpenOptions {
  /**
   * Number the lines of a CSV file in `raw_input` (`__line`). Numbering keeps DuckDB's CSV
   * reader on one thread. NDJSON and Parquet are always numbered. @default true
   */
  readonly numbered?: boolean;
}

/**
 * Defines the temp view `raw_input` over a file: each column read as VARCHAR under a positional
 * name (see RawColumn), plus `__line`, the line (CSV, NDJSON) or row number (Parquet) it came from.
 * `wanted` tells, by name as written, the columns an NDJSON file must yield: other keys
 * are read only while there are few of them, so memory stays flat in the number of keys.
 * A view, not a table: the file is streamed by the one query that validates it. (Line
 * numbering keeps that query on one thread; materializing first was faster below ~1M rows
 * but spilled and took 1.6x the memory at 10M — measured. A CSV file is therefore opened
 * unnumbered for validation, see `options.numbered` and stage-file.ts.)
 * Gzip is inflated to disk first, up to `limits.maxInflatedBytes`: that proves the archive is
 * whole (a truncated .gz can end on a line break and look valid) and lets DuckDB read the CSV
 * in parallel. Throws InputFileError when the file cannot be read as a whole.
 */
export async function openRawInput(
  db: DuckDBSession,
  localPath: string,
  fileName: string,
  wanted: (name: string) => boolean,
  limits: InputLimits = {},
  options: OpenOptions = {},
): Promise<RawInput> {
  const kind = inputKind(fileName);
  let path = localPath;
  if (kind.gzip) {
    path = `${localPath}.inflated`;
    await inflate(localPath, path, fileName, limits.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES);
  }
  if ((await stat(path)).size === 0) throw new InputFileError('file is empty');

  const fileError = (error: unknown) =>
    error instanceof LoyaltyLakeError ? error : duckdbError(error, [path, localPath], fileName, kind.format);
  if (kind.format !== 'parquet') checkTextFile(await readHead(path), { format: kind.format, gzip: kind.gzip });
  try {
    const numbered = { numbered: true, number: async () => {} };
    if (kind.format === 'csv') return { ...(await defineCsvInput(db, path, options.numbered ?? true)), fileError };
    if (kind.format === 'ndjson') return { ...(await defineNdjsonInput(db, path, wanted, limits)), ...numbered, fileError };
    return { ...(await defineParquetInput(db, path)), ...numbered, fileError };
  } catch (error) {
    throw fileError(error);
  }
}

async function inflate(gzipPath: string, path: string, fileName: string, maxBytes: number): Promise<void> {
  let inflated = 0;
  const capped = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      inflated += chunk.length;
      if (inflated > maxBytes) {
        callback(new InputFileError(`file inflates to more than ${formatBytes(maxBytes)} (the limit for a decompressed file): split it, or raise the limit`));
      } else callback(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(gzipPath), createGunzip(), capped, createWriteStream(path));
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    // A full scratch disk is the machine's problem, not the file's: no quarantine.
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw new LoyaltyLakeError(`no space left on the scratch disk while inflating ${fileName}`, { cause: error });
    throw new InputFileError(`cannot decompress gzip file: ${errorMessage(error)}`, undefined, { cause: error });
  }
}

/** `1 MiB`, `4 GiB`, or bytes. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Positional names for a file's columns: `__in_1`, `__in_2`, … */
const positional = (names: readonly string[]): RawColumn[] => names.map((name, i) => ({ name, ident: `__in_${i + 1}` }));

async function defineCsvInput(db: DuckDBSession, path: string, numbered: boolean): Promise<Omit<RawInput, 'fileError'>> {
  const { headerLine, headerEnd } = await readFirstLine(path);
  if ((await blankRunAfterHeader(path, headerEnd)) > MAX_BLANK_RUN_BYTES) {
    throw new InputFileError(`the header is followed by over ${formatBytes(MAX_BLANK_RUN_BYTES)} of blank lines: remove them`, 2);
  }
  const delimiter = detectDelimiter(headerLine);
  const names = splitHeader(headerLine, delimiter).map((name, index) => name.trim() || `column${index + 1}`);
  const duplicate = names.find((name, index) => names.findIndex((n) => n.toLowerCase() === name.toLowerCase()) !== index);
  if (duplicate) throw new InputFileError(`header names column '${capText(duplicate)}' twice`, 1);
  const columns = positional(names);
  const types = columns.map((c) => `${sqlString(c.ident)}: 'VARCHAR'`).join(', ');
  // The sniffer is off on purpose: on a malformed file it guesses another dialect
  // and reads garbage. We parse strictly with the header's own delimiter instead.
  const read = `read_csv(${sqlString(path)}, auto_detect = false, header = true, delim = ${sqlString(delimiter)},
                  quote = '"', escape = '"', strict_mode = true, columns = {${types}})`;
  const define = async (withLines: boolean) => {
    // `with ordinality` counts the records DuckDB reads (the header is line 1).
    const line = withLines ? ', ordinality + 1 as __line' : '';
    await db.run(`
      create or replace temp view raw_input as
      select ${columns.map((c) => c.ident).join(', ')}${line}
      from ${read}${withLines ? ' with ordinality' : ''}`);
  };
  await define(numbered);
  return { columns, notes: [], numbered, number: () => define(true) };
}

/** How a JSON key is matched to a contract column, and keys to each other. */
const normaliseKey = (key: string) => key.trim().toLowerCase();

/** A JSON path to one key, whatever characters it holds (not the empty key: DuckDB has no path for it). */
const jsonPath = (key: string) => sqlString(`$."${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`);

/**
 * A JSON number read as a double that may not be the number written: a double holds 15
 * significant digits and no fraction from 2^53 up. Its shortest text is longer than 16
 * characters (sign aside) beyond 15 digits, and takes an exponent when very large or small.
 * (String functions only: a regular expression here tripled the time to read NDJSON.)
 */
const INEXACT_DOUBLE = (text: string, kind: string) =>
  `(${kind} = 'DOUBLE' and (length(replace(${text}, '-', '')) > 16 or contains(${text}, 'e')))`;

async function defineNdjsonInput(
  db: DuckDBSession,
  path: string,
  wanted: (name: string) => boolean,
  limits: InputLimits,
): Promise<Omit<RawInput, 'fileError' | 'numbered' | 'number'>> {
  const lines = `(select json, ordinality as __line from read_ndjson_objects(${sqlString(path)}) with ordinality)`;
  const firstNonObject = await db.scalar(`select min(__line) from ${lines} where json_type(json) <> 'OBJECT'`);
  if (firstNonObject != null) throw new InputFileError('line is not a JSON object', Number(firstNonObject));
  // Memory grows with the distinct keys, never with the lines.
  const keys = (await db.scalar(`select list(distinct key order by key) from (select unnest(json_keys(json)) as key from ${lines})`)) as string[] | null;
  const groups = new Map<string, string[]>();
  for (const key of keys ?? []) groups.set(normaliseKey(key), [...(groups.get(normaliseKey(key)) ?? []), key]);
  await refuseLineWithTwoSpellings(db, lines, [...groups.entries()].filter(([name, spellings]) => name !== '' && spellings.length > 1).map(([, spellings]) => spellings));
  const isWanted = (spellings: string[]) => spellings.some(wanted);
  const extras = [...groups.entries()].filter(([name, spellings]) => name !== '' && !isWanted(spellings));
  const maxExtras = limits.maxExtraKeys ?? DEFAULT_MAX_EXTRA_KEYS;
  const read = [...groups.entries()].filter(([name, spellings]) => name !== '' && (isWanted(spellings) || extras.length <= maxExtras));
  const notes: string[] = [];
  if (extras.length > maxExtras) notes.push(`${extras.length} keys outside the contract not kept (more than ${maxExtras}); rejects keep each line whole`);
  if (groups.has('')) notes.push("the empty key '' is not kept; rejects keep each line whole");

  // Every key is extracted by one call per line (each call parses the line once): texts and JSON types as lists.
  const paths = read.flatMap(([, spellings]) => spellings);
  const position = (key: string) => paths.indexOf(key) + 1;
  const columns: RawColumn[] = [];
  const selects: string[] = [];
  for (const [index, [, spellings]] of read.entries()) {
    const ident = `__in_${index + 1}`;
    // Keys that differ only in case are one column; no line has two of them (checked above).
    const text = `coalesce(${spellings.map((key) => `__texts[${position(key)}]`).join(', ')})`;
    const kind = `coalesce(${spellings.map((key) => `__kinds[${position(key)}]`).join(', ')})`;
    selects.push(`${text} as ${ident}`);
    if (!isWanted(spellings)) {
      columns.push({ name: spellings[0]!, ident });
      continue;
    }
    selects.push(`${kind} in ('OBJECT', 'ARRAY', 'BOOLEAN') or ${INEXACT_DOUBLE(text, kind)} as ${ident}_unreadable`);
    columns.push({ name: spellings[0]!, ident, unreadable: `${ident}_unreadable` });
  }
  const pathList = `[${paths.map(jsonPath).join(', ')}]::varchar[]`;
  await db.run(`
    create or replace temp view raw_input as
    select ${[...selects, 'json as __json', '__line'].join(', ')}
    from (select json, __line, json_extract_string(json, ${pathList}) as __texts, json_type(json, ${pathList}) as __kinds from ${lines})`);
  return { columns, sourceJson: notes.length > 0 ? '__json' : undefined, notes };
}

/**
 * Keys that differ only in case are one column: refuses the file if a line has two of them.
 * (A key repeated exactly within a line is read as its first value, as DuckDB reads it.)
 */
async function refuseLineWithTwoSpellings(db: DuckDBSession, lines: string, groups: string[][]): Promise<void> {
  if (groups.length === 0) return;
  const both = groups.map((spellings) => `len(list_filter(json_type(json, [${spellings.map(jsonPath).join(', ')}]::varchar[]), t -> t is not null)) > 1`);
  const line = await db.scalar(`select min(__line) from ${lines} where ${both.join(' or ')}`);
  if (line == null) return;
  const keys = (await db.scalar(`select json_keys(json) from ${lines} where __line = ${Number(line)}`)) as string[];
  const repeated = keys.filter((key) => keys.filter((k) => normaliseKey(k) === normaliseKey(key)).length > 1).sort();
  throw new InputFileError(
    `line ${Number(line)} names column ${capText(normaliseKey(repeated[0]!))} twice (${repeated.map((k) => `'${capText(k)}'`).join(' and ')})`,
    Number(line),
  );
}

/** Parquet types whose text no contract column takes. */
const NESTED_OR_BOOLEAN = /^(STRUCT|MAP|UNION)\b|\]$|^BOOLEAN$|^BLOB$/;

async function defineParquetInput(db: DuckDBSession, path: string): Promise<Omit<RawInput, 'fileError' | 'numbered' | 'number'>> {
  const described = await db.rows(`describe select * from read_parquet(${sqlString(path)})`);
  const columns = positional(described.map((row) => String(row.column_name))).map((column, i) =>
    NESTED_OR_BOOLEAN.test(String(described[i]!.column_type)) ? { ...column, unreadable: 'true' } : column,
  );
  // The alias list renames the file's columns by position: its own names are never bound.
  // A row's number is read with it (`file_row_number`, from 0), which keeps DuckDB on every thread;
  // `with ordinality` (from 1) would keep it on one. DuckDB refuses the first for a file with a column of that name.
  const ownRowNumber = described.some((row) => String(row.column_name).toLowerCase() === 'file_row_number');
  const [read, line] = ownRowNumber
    ? [`read_parquet(${sqlString(path)}) with ordinality`, '__ordinality']
    : [`read_parquet(${sqlString(path)}, file_row_number = true)`, '__ordinality + 1'];
  await db.run(`
    create or replace temp view raw_input as
    select ${[...columns.map((c) => `cast(${c.ident} as varchar) as ${c.ident}`), `${line} as __line`].join(', ')}
    from ${read} as source(${[...columns.map((c) => c.ident), '__ordinality'].join(', ')})`);
  return { columns, notes: [] };
}

/** At most `max` characters of text from a file, for a message: a 10 MB field must not land in a report. */
export function capText(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * A DuckDB error while reading a file, as the user should hear it: what is wrong, on which
 * line, with at most a short piece of that line. Running out of memory is said as such; the
 * file is quarantined like one past any other limit, so that it cannot block every later run.
 */
function duckdbError(error: unknown, localPaths: string[], fileName: string, format: InputFormat): InputFileError {
  // Name the file as the user knows it, not by its scratch copy.
  const message = localPaths
    .reduce((text, path) => text.replaceAll(path, fileName), errorMessage(error))
    .replace(/^Invalid Input Error: /, '');
  if (/^Out of Memory Error/.test(message)) {
    return new InputFileError(
      `out of memory reading the file (${capText(message.split('\n')[0]!.replace(/^Out of Memory Error: /, ''))}): raise the memory limit, or split the file`,
      undefined,
      { cause: error },
    );
  }
  const csvLine = /CSV Error on Line: (\d+)/.exec(message);
  const originalLine = /Original Line: (.*)/.exec(message)?.[1] ?? '';
  if (csvLine) {
    const line = Number(csvLine[1]);
    const piece = originalLine.trim() === '' ? '' : `: '${capText(originalLine, 100)}'`;
    const fields = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
    let problem = `cannot parse file: ${oneLine(message)}`;
    if (/unterminated quote/.test(message)) problem = `line ${line}: a quoted field is never closed (unterminated quote), or text follows its closing quote${piece}`;
    else if (fields) problem = `line ${line} has ${fields[2]} fields where the header has ${fields[1]}${piece}`;
    else if (/Invalid unicode/.test(message)) problem = `line ${line} is not valid UTF-8: save the file as UTF-8 (in Excel: CSV UTF-8)`;
    if (originalLine.trim() === '' && !fields) problem = `line ${line}: inside a long run of blank lines: remove them`;
    return new InputFileError(problem, line, { cause: error });
  }
  if (/Parallel CSV Reader currently does not support/.test(message)) {
    return new InputFileError('file holds a long run of blank lines: remove them', undefined, { cause: error });
  }
  const jsonLine = /in line (\d+)/.exec(message);
  if (jsonLine && format === 'ndjson') {
    // DuckDB 1.5 reports a malformed NDJSON line as the one after it.
    const line = Number(jsonLine[1]) - 1;
    return new InputFileError(`cannot parse file: ${oneLine(message.replace(jsonLine[0], `in line ${line}`))}`, line, { cause: error });
  }
  return new InputFileError(`cannot parse file: ${oneLine(message)}`, undefined, { cause: error });
}

/** The first lines of a DuckDB message on one line, capped. */
const oneLine = (message: string) => capText(message.split('\n').slice(0, 3).join(' ').replace(/\s+/g, ' ').trim(), 300);

/** The header line (without BOM and line break) and the byte offset just after it. */
async function readFirstLine(path: string): Promise<{ headerLine: string; headerEnd: number }> {
  const head = await readHead(path);
  const newline = head.indexOf(0x0a);
  if (newline < 0 && head.length === 1 << 16) throw new InputFileError('header line is longer than 64 KiB', 1);
  const headerEnd = newline < 0 ? head.length : newline + 1;
  const headerLine = head.subarray(0, headerEnd).toString('utf8').replace(/^\uFEFF/, '').replace(/\r?\n$/, '');
  return { headerLine, headerEnd };
}

/** The candidate delimiter that splits the header line into the most fields (quotes respected). */
export function detectDelimiter(headerLine: string): string {
  let best: string = ',';
  let bestCount = 1;
  for (const delimiter of DELIMITERS) {
    const count = splitHeader(headerLine, delimiter).length;
    if (count > bestCount) [best, bestCount] = [delimiter, count];
  }
  return best;
}

function splitHeader(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === delimiter) {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}
