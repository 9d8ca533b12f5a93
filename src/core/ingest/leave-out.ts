import { datasetContracts } from '../contracts/datasets.js';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { localMirrorPath } from '../lake/lake-helpers.js';
import { outsideWindow, type DateWindow } from './validate-sql.js';

/** Staged rows a run left out of its models, and the staging files that hold them. */
export interface LeftOut {
  readonly rows: number;
  readonly staging_files: string[];
}

/** Each dataset's staging keys in a run (their local copies are in the run's scratch folder). */
export type StagedFiles = (dataset: string) => readonly string[];

/**
 * Leaves rows where `condition` (SQL over a dataset's columns) holds out of a run's staged
 * tables (`stg_<dataset>_current`, see stage-inputs.ts). For rows an older version staged
 * before ingest rejected them: the next run repairs the lake with no file deleted by hand.
 */
export async function leaveOut(
  db: DuckDBSession,
  conditions: ReadonlyMap<string, string>,
  files: StagedFiles,
  workDir: string,
): Promise<LeftOut | undefined> {
  let rows = 0;
  const stagingFiles: string[] = [];
  for (const [dataset, condition] of conditions) {
    if (files(dataset).length === 0) continue;
    const table = sqlIdent(`stg_${dataset}_current`);
    const count = Number(await db.scalar(`select count(*) from ${table} where ${condition}`));
    if (count === 0) continue;
    const byPath = new Map(files(dataset).map((key) => [localMirrorPath(workDir, key), key]));
    const found = await db.rows(`
      select distinct filename from read_parquet([${[...byPath.keys()].map(sqlString).join(', ')}], union_by_name = true, filename = true)
      where ${condition} order by filename`);
    stagingFiles.push(...found.map((row) => byPath.get(String(row.filename)) ?? String(row.filename)));
    await db.run(`delete from ${table} where ${condition}`);
    rows += count;
  }
  return rows > 0 ? { rows, staging_files: stagingFiles } : undefined;
}

/** Per dataset, SQL over its columns that holds for a row out of range: a date outside the window, an amount outside a column's min and max. */
export function outOfRangeConditions(dates: DateWindow): Map<string, string> {
  const conditions = new Map<string, string>();
  for (const contract of datasetContracts) {
    const outside = contract.columns.flatMap((c) => {
      const value = sqlIdent(c.name);
      return [
        outsideWindow(c, value, dates),
        c.min === undefined ? undefined : `${value} < ${c.min}`,
        c.max === undefined ? undefined : `${value} > ${c.max}`,
      ].filter((condition) => condition !== undefined);
    });
    if (outside.length > 0) conditions.set(contract.name, outside.join(' or '));
  }
  return conditions;
}

/**
 * Leaves staged rows out that ingest now rejects for their range (see leaveOut and
 * outOfRangeConditions).
 */
export async function leaveOutOfRange(db: DuckDBSession, dates: DateWindow, files: StagedFiles, workDir: string): Promise<LeftOut | undefined> {
  return await leaveOut(db, outOfRangeConditions(dates), files, workDir);
}
