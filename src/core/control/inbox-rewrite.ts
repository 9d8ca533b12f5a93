import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { findPreset, presetSql, type Preset } from '../contracts/presets.js';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { parseInboxKey } from '../lake/lake-layout.js';
import { detectDelimiter, inputKind, openRawInput, type RawColumn } from '../ingest/read-input.js';

/** What stands in for a forgotten customer's id where another customer's row names it (a referrer). */
export const FORGOTTEN_REFERENCE = 'forgotten';

export interface InboxRewrite {
  /** Lines (rows) of the original removed: the customer's own, as ingest numbers them (`__line`). */
  readonly droppedLines: number[];
  /** Cells naming the customer in another customer's row (referred_by) replaced. */
  readonly referencesReplaced: number;
  /** The rewritten file (same format as the original), when anything changed. */
  readonly path?: string;
}

/**
 * Rewrites a local copy of an inbox file without the rows of customer `rawId`, in the file's
 * own format (CSV with its delimiter, NDJSON line by line, Parquet with its types; gzip kept),
 * each value as written. The customer's rows are found as ingest would find them: the
 * `customer_id` column (trimmed), or the preset's customer expression; for a preset that groups
 * rows into one entity (Shopify: one row per line item), every row of the customer's entities.
 * A `referred_by` cell naming the customer becomes FORGOTTEN_REFERENCE. Throws when the file
 * cannot be read (the caller reports it: it cannot be cleaned row by row).
 */
export async function rewriteInboxFile(db: DuckDBSession, inboxKey: string, localPath: string, rawId: string): Promise<InboxRewrite> {
  const preset = findPreset(parseInboxKey(inboxKey).folder);
  const kind = inputKind(inboxKey);
  const input = await openRawInput(db, localPath, inboxKey, () => true);
  try {
    const idColumn = preset ? undefined : columnNamed(input.columns, 'customer_id');
    const referrer = preset ? undefined : columnNamed(input.columns, 'referred_by');
    const dropped = droppedLinesSql(preset, input.columns, idColumn);
    await db.run(`create or replace temp table __dropped as ${dropped ?? 'select cast(null as bigint) as line where false'}`, dropped ? [rawId] : undefined);
    const droppedLines = (await db.rows('select line from __dropped order by line')).map((r) => Number(r.line));
    const referencesReplaced = referrer
      ? Number(await db.scalar(`select count(*) from raw_input where trim(${sqlIdent(referrer.ident)}) = ? and __line not in (select line from __dropped)`, [rawId]))
      : 0;
    if (droppedLines.length === 0 && referencesReplaced === 0) return { droppedLines, referencesReplaced };
    const out = `${localPath}.forgotten`;
    const plain = kind.gzip ? `${out}.plain` : out;
    if (kind.format === 'ndjson') await writeNdjson(db, kind.gzip ? `${localPath}.inflated` : localPath, plain, referrer?.name, rawId);
    else if (kind.format === 'parquet') await writeParquet(db, localPath, plain, input.columns, referrer, rawId);
    else await writeCsv(db, localPath, kind.gzip, plain, input.columns, referrer, rawId);
    if (kind.gzip) await pipeline(createReadStream(plain), createGzip(), createWriteStream(out));
    return { droppedLines, referencesReplaced, path: out };
  } finally {
    await db.run('drop view if exists raw_input; drop table if exists __dropped');
  }
}

function columnNamed(columns: readonly RawColumn[], name: string): RawColumn | undefined {
  return columns.find((c) => c.name.trim().toLowerCase() === name);
}

/** SQL of the lines to drop (`line`), with the raw id as its one parameter; undefined when the file has no customer column. */
function droppedLinesSql(preset: Preset | undefined, columns: readonly RawColumn[], idColumn: RawColumn | undefined): string | undefined {
  if (!preset) {
    if (!idColumn) return undefined;
    return `select __line as line from raw_input where trim(${sqlIdent(idColumn.ident)}) = $1`;
  }
  const customer = preset.columns.customer_id;
  if (customer === undefined) return undefined;
  // Row by row: the preset's customer expression and, if it groups rows, its group.
  const perRow = presetSql({ ...preset, group_by: undefined, columns: { customer_id: customer, ...(preset.group_by ? { __group: preset.group_by } : {}) } }, columns);
  if (!preset.group_by) return `select __line as line from (${perRow}) where customer_id = $1`;
  // An entity's customer is its first row's (as presetSql takes it); all its rows go.
  return `
    with rows as (${perRow}),
         entities as (select __group, arg_min(customer_id, __line) as customer_id from rows group by __group)
    select rows.__line as line
    from rows
    inner join entities on rows.__group is not distinct from entities.__group
    where entities.customer_id = $1`;
}

const kept = 'from raw_input where __line not in (select line from __dropped) order by __line';

function referrerValue(ident: string, referrer: RawColumn | undefined, rawId: string): string {
  if (!referrer || referrer.ident !== ident) return ident;
  // As text: a Parquet file may type the column otherwise (ingest reads every column as text anyway).
  return `case when trim(cast(${ident} as varchar)) = ${sqlString(rawId)} then ${sqlString(FORGOTTEN_REFERENCE)} else cast(${ident} as varchar) end`;
}

async function writeCsv(db: DuckDBSession, localPath: string, gzip: boolean, out: string, columns: readonly RawColumn[], referrer: RawColumn | undefined, rawId: string): Promise<void> {
  // The header's own delimiter, as ingest detects it (on the inflated copy openRawInput made).
  const delimiter = detectDelimiter((await firstLine(gzip ? `${localPath}.inflated` : localPath)).replace(/^\uFEFF/, ''));
  const select = columns.map((c) => `${referrerValue(c.ident, referrer, rawId)} as ${sqlIdent(c.name)}`).join(', ');
  await db.run(`copy (select ${select} ${kept}) to ${sqlString(out)} (format csv, header true, delimiter ${sqlString(delimiter)}, quote '"', escape '"')`);
}

async function firstLine(path: string): Promise<string> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

async function writeParquet(db: DuckDBSession, localPath: string, out: string, columns: readonly RawColumn[], referrer: RawColumn | undefined, rawId: string): Promise<void> {
  // From the file itself, not raw_input's text: the columns keep their types.
  const aliases = [...columns.map((c) => c.ident), '__line'].join(', ');
  const select = columns.map((c) => `${referrerValue(c.ident, referrer, rawId)} as ${sqlIdent(c.name)}`).join(', ');
  await db.run(`
    copy (
        select ${select}
        from read_parquet(${sqlString(localPath)}) with ordinality as source(${aliases})
        where __line not in (select line from __dropped) order by __line
    ) to ${sqlString(out)} (format parquet, compression zstd)`);
}

/**
 * NDJSON line by line, streamed from the (inflated) file: the lines kept are written as they
 * were, numbered as ingest numbers them (blank lines do not count, and are dropped).
 */
async function writeNdjson(db: DuckDBSession, plainPath: string, out: string, referrerName: string | undefined, rawId: string): Promise<void> {
  const dropped = new Set((await db.rows('select line from __dropped')).map((r) => Number(r.line)));
  const lines = createInterface({ input: createReadStream(plainPath, 'utf8'), crlfDelay: Infinity });
  const output = createWriteStream(out);
  let number = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    number += 1;
    if (dropped.has(number)) continue;
    if (!output.write(`${referred(line, referrerName, rawId)}\n`)) await once(output, 'drain');
  }
  output.end();
  await finished(output);
}

function referred(line: string, referrerName: string | undefined, rawId: string): string {
  if (!referrerName || !line.includes(rawId)) return line;
  const object = JSON.parse(line) as Record<string, unknown>;
  const value = object[referrerName];
  if (typeof value !== 'string' || value.trim() !== rawId) return line;
  return JSON.stringify({ ...object, [referrerName]: FORGOTTEN_REFERENCE });
}
