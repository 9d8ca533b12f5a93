import type { DatasetContract } from '../contracts/dataset-contract.js';
import { presetReads, presetRejectsSql, presetSql, type Preset } from '../contracts/presets.js';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { InputFileError, LoyaltyLakeError } from '../errors.js';
import type { FingerprintedObject } from '../lake/lake.js';
import { capText, inputKind, openRawInput, type InputLimits, type RawColumn } from './read-input.js';
import { currencyDatasets, otherCurrencyReason, type LakeCurrency } from './lake-currency.js';
import { checkRejectShare, DEFAULT_MAX_REJECT_SHARE, topReasons, type ReasonCount } from './reject-share.js';
import { validateInput } from './validate-input.js';
import type { DateWindow, SourceColumn } from './validate-sql.js';
import type { DeclaredFormats } from './value-formats.js';

export interface StageFileInput {
  readonly contract: DatasetContract;
  /** The vendor export the file is read as, if any. */
  readonly preset?: Preset;
  readonly localPath: string;
  readonly object: FingerprintedObject;
  readonly stagingPath: string;
  readonly rejectsPath: string;
  readonly limits?: InputLimits;
  /** Dates outside it are rejected. @default - no window */
  readonly dates?: DateWindow;
  /** Rows in another currency are rejected. Undefined: the file's most common currency becomes the lake's. */
  readonly currency?: LakeCurrency;
  /** How a CSV file writes amounts and dates (a preset's or the lake's); what it leaves unset is detected from the file. @default - all detected */
  readonly formats?: DeclaredFormats;
  /** A file with a larger share of its rows rejected is refused whole (reject-share.ts). @default DEFAULT_MAX_REJECT_SHARE */
  readonly maxRejectShare?: number;
}

export interface StageCounts {
  readonly rows_in: number;
  readonly rows_loaded: number;
  readonly rows_rejected: number;
  /** What the reader left out of the file, if anything. */
  readonly notes?: string[];
  /** The lake's currency, when this file was the first with one. */
  readonly currency?: LakeCurrency;
  /** The most frequent reasons rows were rejected for (without the values), when some were. */
  readonly top_reasons?: ReasonCount[];
}

/** Columns every staging file adds; a file's own column of that name is kept beside it, renamed. */
const STAGING_COLUMNS = ['_source_key', '_source_line', '_landed_at'];
const REJECTS_COLUMNS = ['_source_key', '_source_line', '_source_json', '_reject_reason'];

/** The table a CSV file read on every thread is validated into; the view `checked_input` numbers its rows. */
const UNNUMBERED_TABLE = 'checked_rows';

/**
 * The size from which a CSV file is read unnumbered. DuckDB's CSV reader starts one thread per
 * 8 MB of file (CSVGlobalState::MaxThreads): a smaller file is read on one thread anyway, and
 * numbering it as it is read spares the few statements the unnumbered reading adds per file.
 */
const UNNUMBERED_FROM_BYTES = 8_000_000;

/**
 * Reads one local file against its contract (through a vendor preset, if any): good rows
 * typed to `stagingPath`, bad rows as written, under the file's own column names, to
 * `rejectsPath`, each with its reason. Throws InputFileError when the file cannot be loaded at all.
 *
 * A CSV file of 8 MB or more (without a preset) is read on every thread, without numbering its lines: the
 * validated rows go into a table in the file's order (DuckDB preserves insertion order), so a
 * row's line is its row id + 2 (the header is line 1) — the number `with ordinality` gives on one
 * thread. Only a file with rejects is read once more, numbered, for the rejected rows' values as
 * written; a file DuckDB cannot parse is read again numbered, which names the exact line.
 * (Other files are numbered as they are read: Parquet on every thread, NDJSON and presets on one; see read-input.ts.)
 */
export async function stageFile(db: DuckDBSession, file: StageFileInput): Promise<StageCounts> {
  const unnumbered =
    !file.preset && inputKind(file.object.key).format === 'csv' && file.object.size >= UNNUMBERED_FROM_BYTES && (await keepsReadOrder(db));
  if (!unnumbered) return await stageRows(db, file, true);
  try {
    return await stageRows(db, file, false);
  } catch (error) {
    if (error instanceof LoyaltyLakeError) throw error;
  } finally {
    await db.run(`drop view if exists checked_input; drop table if exists ${UNNUMBERED_TABLE}`);
  }
  // DuckDB's own error (a malformed line, most likely): the numbered reading names its line exactly.
  return await stageRows(db, file, true);
}

/** Whether a query's rows keep the order they were read in (DuckDB's default): row ids are then lines. */
async function keepsReadOrder(db: DuckDBSession): Promise<boolean> {
  return (await db.scalar("select current_setting('preserve_insertion_order')")) === true;
}

async function stageRows(db: DuckDBSession, file: StageFileInput, numbered: boolean): Promise<StageCounts> {
  const { contract, preset, object } = file;
  const wanted = preset ? presetReads(preset) : (name: string) => contract.columns.some((c) => c.name === name.trim().toLowerCase());
  const input = await openRawInput(db, file.localPath, object.key, wanted, file.limits, { numbered });
  const table = input.numbered ? 'checked_input' : UNNUMBERED_TABLE;
  let source = 'raw_input';
  let columns: readonly RawColumn[] = input.columns;
  if (preset) {
    await db.run(`create or replace temp view preset_input as ${presetSql(preset, input.columns)}`);
    [source, columns] = ['preset_input', Object.keys(preset.columns).map((name) => ({ name, ident: name }))];
  }
  const { sourceColumns, extraColumns } = matchColumns(contract, columns);
  try {
    // The one pass over the whole file: parse errors surface here (a CSV file in a locale's conventions is read again in them).
    await validateInput(db, {
      contract,
      source,
      sourceColumns,
      extraColumns: extraColumns.map((c) => c.ident),
      dates: file.dates,
      csv: inputKind(object.key).format === 'csv',
      formats: file.formats,
      lakeCurrency: file.currency?.code,
      table,
      numbered: input.numbered,
    });
    if (!input.numbered) await db.run(`create or replace temp view checked_input as select *, rowid + 2 as __line from ${table}`);
    const presetRejects = preset && presetRejectsSql(preset);
    if (presetRejects) await db.run(presetRejects);
    const currency = await checkCurrency(db, contract, file, table);
    const [count] = await db.rows(`
      select count(*) as rows_in,
             count(*) filter (where __reason is null) as loaded,
             count(*) filter (where __reason is not null) as rejected
      from ${table}`);
    const counts = { rows_in: Number(count?.rows_in), rows_loaded: Number(count?.loaded), rows_rejected: Number(count?.rejected) };
    if (counts.rows_in === 0) throw new InputFileError('file has no data rows');
    if (counts.rows_loaded + counts.rows_rejected !== counts.rows_in) {
      throw new LoyaltyLakeError(`row count mismatch in ${object.key}: ${JSON.stringify(counts)}`);
    }
    const reasons = counts.rows_rejected > 0 ? await topReasons(db) : [];
    checkRejectShare(counts, file.maxRejectShare ?? DEFAULT_MAX_REJECT_SHARE, reasons);

    const sourceKey = `${sqlString(object.key)} as _source_key`;
    const landed = `cast(${sqlString(object.lastModified.toISOString())} as timestamptz) at time zone 'UTC' as _landed_at`;
    const reserved = [...contract.columns.map((c) => c.name), ...STAGING_COLUMNS];
    const extras = renamed(extraColumns, reserved, '');
    await db.run(`
      copy (
          select ${[...contract.columns.map((c) => sqlIdent(c.name)), ...extras, sourceKey, `__line as _source_line`, landed].join(', ')}
          from checked_input where __reason is null
      ) to ${sqlString(file.stagingPath)} (format parquet, compression zstd)`);
    if (counts.rows_rejected > 0) {
      // Rejects keep the values as written (for a preset: as mapped), so the file is read again (not when all rows are good),
      // numbered: its lines count the same records in the same order as the row ids of the unnumbered reading.
      if (!input.numbered) await input.number();
      const values = renamed(columns, REJECTS_COLUMNS, 'input.');
      const sourceJson = input.sourceJson && !preset ? [`input.${input.sourceJson} as _source_json`] : [];
      await db.run(`
        copy (
            select ${[...values, sourceKey, 'input.__line as _source_line', ...sourceJson, 'checked_input.__reason as _reject_reason'].join(', ')}
            from ${source} as input
            inner join checked_input on input.__line = checked_input.__line
            where checked_input.__reason is not null
            order by input.__line
        ) to ${sqlString(file.rejectsPath)} (format parquet, compression zstd)`);
    }
    const decided = currency && !file.currency ? { currency } : {};
    const rejected = reasons.length > 0 ? { top_reasons: reasons } : {};
    return input.notes.length > 0 ? { ...counts, ...rejected, ...decided, notes: input.notes } : { ...counts, ...rejected, ...decided };
  } catch (error) {
    // Unnumbered, DuckDB's errors are left to stageFile, which reads the file again numbered.
    throw input.numbered || error instanceof LoyaltyLakeError ? input.fileError(error) : error;
  }
}

/**
 * Rejects the rows of `checked_input` in another currency than the lake's; without one yet,
 * the most common currency of the file's good rows (ties: alphabetical) becomes the lake's.
 */
async function checkCurrency(db: DuckDBSession, contract: DatasetContract, file: StageFileInput, table: string): Promise<LakeCurrency | undefined> {
  const column = currencyDatasets.find((d) => d.contract.name === contract.name)?.column;
  if (!column) return undefined;
  const value = sqlIdent(column);
  let currency = file.currency;
  if (!currency) {
    const code = await db.scalar(`
      select ${value} from ${table} where __reason is null and ${value} is not null
      group by ${value} order by count(*) desc, ${value} limit 1`);
    if (code === null || code === undefined) return undefined;
    currency = { code: String(code), source: 'first_loaded_file', file: file.object.key };
  }
  await db.run(`
    update ${table} set __reason = concat_ws('; ', __reason, ${otherCurrencyReason(value, currency)}),
        __reason_stems = concat_ws('; ', __reason_stems, ${sqlString(`currency is not the lake's currency ${currency.code}`)})
    where ${value} is not null and ${value} <> ${sqlString(currency.code)}`);
  return currency;
}

/**
 * `<ident> as "<the file's name>"` for each column: names made unique (case-insensitively,
 * as DuckDB and Parquet readers compare them) against `reserved` and each other by a `_2`, `_3`… suffix.
 */
function renamed(columns: readonly RawColumn[], reserved: readonly string[], qualifier: string): string[] {
  const taken = new Set(reserved.map((name) => name.toLowerCase()));
  return columns.map((column, index) => {
    const base = column.name === '' ? `column${index + 1}` : column.name;
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
    taken.add(name.toLowerCase());
    return `${qualifier}${sqlIdent(column.ident)} as ${sqlIdent(name)}`;
  });
}

/** How many of a file's column names a message lists. */
const LISTED_COLUMNS = 30;

/** Matches the file's columns to the contract by trimmed, case-insensitive name. */
function matchColumns(contract: DatasetContract, columns: readonly RawColumn[]) {
  const byName = new Map<string, RawColumn[]>();
  for (const column of columns) {
    const name = column.name.trim().toLowerCase();
    byName.set(name, [...(byName.get(name) ?? []), column]);
  }
  const sourceColumns = new Map<string, SourceColumn>();
  for (const column of contract.columns) {
    const matches = byName.get(column.name) ?? [];
    if (matches.length > 1) {
      throw new InputFileError(`columns ${matches.map((m) => `'${capText(m.name, 60)}'`).join(' and ')} both name ${column.name}`);
    }
    if (matches[0] !== undefined) sourceColumns.set(column.name, matches[0]);
  }
  const missing = contract.columns.filter((c) => c.required && !sourceColumns.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    const found = columns.slice(0, LISTED_COLUMNS).map((c) => capText(c.name, 60));
    if (columns.length > LISTED_COLUMNS) found.push(`and ${columns.length - LISTED_COLUMNS} more`);
    throw new InputFileError(`missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (found: ${found.join(', ')})`, 1);
  }
  const used = new Set([...sourceColumns.values()].map((c) => c.ident));
  const extraColumns = columns.filter((c) => !used.has(c.ident));
  return { sourceColumns, extraColumns };
}
