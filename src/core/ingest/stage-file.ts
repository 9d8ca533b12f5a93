import type { DatasetContract } from '../contracts/dataset-contract.js';
import { presetSql, type Preset } from '../contracts/presets.js';
import { DuckDBSession, sqlString } from '../duckdb.js';
import { InputFileError } from '../errors.js';
import type { LakeObject } from '../lake/lake.js';
import { openRawInput } from './read-input.js';
import { validationSql } from './validate-sql.js';

/**
 * Reads one local file against its contract (through a vendor preset, if any): good rows
 * typed to `stagingPath`, bad rows as written to `rejectsPath`, each with its reason.
 * Throws InputFileError when the file cannot be loaded at all.
 */
export async function stageFile(
  db: DuckDBSession,
  contract: DatasetContract,
  preset: Preset | undefined,
  localPath: string,
  object: LakeObject,
  stagingPath: string,
  rejectsPath: string,
) {
  const input = await openRawInput(db, localPath, object.key);
  let source = 'raw_input';
  let columns = input.columns;
  if (preset) {
    await db.run(`create or replace temp view preset_input as ${presetSql(preset, input.columns)}`);
    [source, columns] = ['preset_input', Object.keys(preset.columns)];
  }
  const { sourceColumns, extraColumns } = matchColumns(contract, columns);
  try {
    // The one pass over the whole file: parse errors surface here.
    await db.run(`create temp table checked_input as ${validationSql(contract, sourceColumns, extraColumns, source)}`);
  } catch (error) {
    throw input.fileError(error);
  }
  const [count] = await db.rows(`
    select count(*) as rows_in,
           count(*) filter (where __reason is null) as loaded,
           count(*) filter (where __reason is not null) as rejected
    from checked_input`);
  const counts = { rows_in: Number(count?.rows_in), rows_loaded: Number(count?.loaded), rows_rejected: Number(count?.rejected) };
  if (counts.rows_in === 0) throw new InputFileError('file has no data rows');
  if (counts.rows_loaded + counts.rows_rejected !== counts.rows_in) {
    throw new Error(`row count mismatch in ${object.key}: ${JSON.stringify(counts)}`);
  }

  const sourceKey = `${sqlString(object.key)} as _source_key`;
  const landed = `cast(${sqlString(object.lastModified.toISOString())} as timestamptz) at time zone 'UTC' as _landed_at`;
  await db.run(`
    copy (
        select * exclude (__line, __reason), ${sourceKey}, __line as _source_line, ${landed}
        from checked_input where __reason is null
    ) to ${sqlString(stagingPath)} (format parquet, compression zstd)`);
  if (counts.rows_rejected > 0) {
    // Rejects keep the values as written (for a preset: as mapped), so the file is read again (not when all rows are good).
    await db.run(`
      copy (
          select input.* exclude (__line), ${sourceKey}, input.__line as _source_line,
                 checked_input.__reason as _reject_reason
          from ${source} as input
          inner join checked_input on input.__line = checked_input.__line
          where checked_input.__reason is not null
          order by input.__line
      ) to ${sqlString(rejectsPath)} (format parquet, compression zstd)`);
  }
  return counts;
}

/** Matches the file's columns to the contract by trimmed, case-insensitive name. */
function matchColumns(contract: DatasetContract, columns: readonly string[]) {
  const byName = new Map<string, string[]>();
  for (const column of columns) {
    const name = column.trim().toLowerCase();
    byName.set(name, [...(byName.get(name) ?? []), column]);
  }
  const sourceColumns = new Map<string, string>();
  for (const column of contract.columns) {
    const matches = byName.get(column.name) ?? [];
    if (matches.length > 1) throw new InputFileError(`columns ${matches.map((m) => `'${m}'`).join(' and ')} both name ${column.name}`);
    if (matches[0] !== undefined) sourceColumns.set(column.name, matches[0]);
  }
  const missing = contract.columns.filter((c) => c.required && !sourceColumns.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new InputFileError(
      `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (found: ${columns.join(', ')})`,
      1,
    );
  }
  const used = new Set(sourceColumns.values());
  const reserved = new Set(['_source_key', '_source_line', '_landed_at']);
  const extraColumns = columns.filter((c) => !used.has(c) && !reserved.has(c.trim().toLowerCase()));
  return { sourceColumns, extraColumns };
}
