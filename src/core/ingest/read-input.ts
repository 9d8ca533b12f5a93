import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { errorMessage, InputFileError } from '../errors.js';

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

export interface RawInput {
  /** The file's column names, as written in it. */
  readonly columns: string[];
  /** Turns an error DuckDB raised while reading `raw_input` into one that names the file and the line. */
  readonly fileError: (error: unknown) => InputFileError;
}

/**
 * Defines the temp view `raw_input` over a file: every column as VARCHAR under its
 * original name, plus `__line`, the line (CSV, NDJSON) or row number (Parquet) it came from.
 * A view, not a table: the file is streamed by the one query that validates it. (Line
 * numbering keeps that query on one thread; materializing first was faster below ~1M rows
 * but spilled and took 1.6x the memory at 10M — measured.)
 * Gzip is inflated to disk first: that proves the archive is whole (a truncated .gz
 * can end on a line break and look valid) and lets DuckDB read the CSV in parallel.
 * Throws InputFileError when the file cannot be read as a whole.
 */
export async function openRawInput(db: DuckDBSession, localPath: string, fileName: string): Promise<RawInput> {
  const kind = inputKind(fileName);
  let path = localPath;
  if (kind.gzip) {
    path = `${localPath}.inflated`;
    try {
      await pipeline(createReadStream(localPath), createGunzip(), createWriteStream(path));
    } catch (error) {
      throw new InputFileError(`cannot decompress gzip file: ${errorMessage(error)}`, undefined, { cause: error });
    }
  }
  if ((await stat(path)).size === 0) throw new InputFileError('file is empty');

  const fileError = (error: unknown) =>
    error instanceof InputFileError ? error : parseError(error, [path, localPath], fileName, kind.format);
  try {
    if (kind.format === 'csv') await defineCsvInput(db, path);
    else if (kind.format === 'ndjson') await defineNdjsonInput(db, path);
    else await defineParquetInput(db, path);
  } catch (error) {
    throw fileError(error);
  }
  const columns = (await db.rows("select column_name from (describe raw_input) where column_name <> '__line'")).map(
    (row) => String(row.column_name),
  );
  return { columns, fileError };
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

async function defineCsvInput(db: DuckDBSession, path: string): Promise<void> {
  const headerLine = await readFirstLine(path);
  const delimiter = detectDelimiter(headerLine);
  const names = splitHeader(headerLine, delimiter).map((name, index) => name.trim() || `column${index + 1}`);
  const duplicate = names.find((name, index) => names.findIndex((n) => n.toLowerCase() === name.toLowerCase()) !== index);
  if (duplicate) throw new InputFileError(`header names column '${duplicate}' twice`, 1);
  const columns = names.map((name) => `${sqlString(name)}: 'VARCHAR'`).join(', ');
  // The sniffer is off on purpose: on a malformed file it guesses another dialect
  // and reads garbage. We parse strictly with the header's own delimiter instead.
  await db.run(`
    create or replace temp view raw_input as
    select * exclude (ordinality), ordinality + 1 as __line
    from read_csv(${sqlString(path)}, auto_detect = false, header = true, delim = ${sqlString(delimiter)},
                  quote = '"', escape = '"', strict_mode = true, columns = {${columns}})
    with ordinality`);
}

async function defineNdjsonInput(db: DuckDBSession, path: string): Promise<void> {
  const lines = `(select json, ordinality as __line from read_ndjson_objects(${sqlString(path)}) with ordinality)`;
  const [survey] = await db.rows(`
    select min(__line) filter (where json_type(json) <> 'OBJECT') as first_non_object,
           list_sort(list_distinct(flatten(list(json_keys(json)) filter (where json_type(json) = 'OBJECT')))) as keys
    from ${lines}`);
  if (survey?.first_non_object !== null && survey?.first_non_object !== undefined) {
    throw new InputFileError('line is not a JSON object', Number(survey.first_non_object));
  }
  const keys = (survey?.keys as string[] | null) ?? [];
  const columns = keys.map((key) => `json ->> ${sqlString(key)} as ${sqlIdent(key)}`);
  await db.run(`create or replace temp view raw_input as select ${[...columns, '__line'].join(', ')} from ${lines}`);
}

async function defineParquetInput(db: DuckDBSession, path: string): Promise<void> {
  const described = await db.rows(`describe select * from read_parquet(${sqlString(path)})`);
  const columns = described.map((row) => {
    const name = String(row.column_name);
    return `cast(${sqlIdent(name)} as varchar) as ${sqlIdent(name)}`;
  });
  await db.run(`
    create or replace temp view raw_input as
    select ${[...columns, 'ordinality as __line'].join(', ')}
    from read_parquet(${sqlString(path)}) with ordinality`);
}

function parseError(error: unknown, localPaths: string[], fileName: string, format: InputFormat): InputFileError {
  // Name the file as the user knows it, not by its scratch copy.
  let message = localPaths
    .reduce((text, path) => text.replaceAll(path, fileName), errorMessage(error))
    .replace(/^Invalid Input Error: /, '');
  let line: number | undefined;
  const csvLine = /CSV Error on Line: (\d+)/.exec(message);
  const jsonLine = /in line (\d+)/.exec(message);
  if (csvLine) line = Number(csvLine[1]);
  else if (jsonLine && format === 'ndjson') {
    // DuckDB 1.5 reports a malformed NDJSON line as the one after it.
    line = Number(jsonLine[1]) - 1;
    message = message.replace(jsonLine[0], `in line ${line}`);
  }
  const firstLines = message.split('\n').slice(0, 3).join(' ').replace(/\s+/g, ' ').trim();
  return new InputFileError(`cannot parse file: ${firstLines}`, line, { cause: error });
}

async function readFirstLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 16);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    const end = text.search(/\r?\n/);
    if (end < 0 && bytesRead === buffer.length) throw new InputFileError('header line is longer than 64 KiB', 1);
    return end < 0 ? text : text.slice(0, end);
  } finally {
    await handle.close();
  }
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
