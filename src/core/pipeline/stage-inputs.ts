import type { DatasetContract } from '../contracts/dataset-contract.js';
import { datasetContracts } from '../contracts/datasets.js';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import type { Lake } from '../lake/lake.js';
import { localCopy } from '../lake/lake-helpers.js';
import { STAGED_TYPE } from '../ingest/validate-sql.js';
import { stagedFiles } from './compact-staging.js';

export interface StagedDataset {
  readonly dataset: string;
  readonly files: string[];
  /** Rows over all staging files, before primary-key de-duplication. */
  readonly rows: number;
  /** Rows the models see: one per primary key, from the most recently landed file. */
  readonly rowsCurrent: number;
}

/**
 * Gets a local copy of every staging file to read (downloading only those this run did not
 * write or compact itself; see stagedFiles) and defines the view `stg_<dataset>` over them:
 * the contract's columns, one row per primary key — the row from the most recently
 * landed file wins (ties: the later key, then the later line); for a dataset without a
 * key, one row per distinct row. A dataset with no files gets an empty view of the same
 * shape, so models still compile.
 */
export async function stageInputs(lake: Lake, db: DuckDBSession, workDir: string): Promise<StagedDataset[]> {
  const staged: StagedDataset[] = [];
  for (const contract of datasetContracts) {
    // Each row once: a compacted file, and the staging files it does not hold (compact-staging.ts).
    const { files } = await stagedFiles(lake, contract.name);
    const localPaths: string[] = [];
    for (const key of files) localPaths.push(await localCopy(lake, key, workDir));
    const view = sqlIdent(`stg_${contract.name}`);
    if (localPaths.length === 0) {
      await db.run(`create or replace view ${view} as select ${emptyColumns(contract)} where false`);
      staged.push({ dataset: contract.name, files, rows: 0, rowsCurrent: 0 });
      continue;
    }
    const all = `read_parquet([${localPaths.map(sqlString).join(', ')}], union_by_name = true)`;
    // A column added to the contract later is in none of the files an older version staged: NULL (or its default) there.
    const inFiles = new Set((await db.rows(`select column_name from (describe select * from ${all})`)).map((r) => String(r.column_name)));
    const columns = contract.columns
      .map((c) => (inFiles.has(c.name) ? sqlIdent(c.name) : `cast(${c.default ?? 'null'} as ${STAGED_TYPE[c.type]}) as ${sqlIdent(c.name)}`))
      .join(', ');
    // One row per primary key, the latest landed winning; without a key, identical rows count once.
    const latest =
      contract.primaryKey.length > 0
        ? `qualify row_number() over (
              partition by ${contract.primaryKey.map(sqlIdent).join(', ')}
              order by _landed_at desc, _source_key desc, _source_line desc
          ) = 1`
        : `group by all`;
    await db.run(`
      create or replace table ${sqlIdent(`stg_${contract.name}_current`)} as
      select ${columns}
      from ${all}
      ${latest}`);
    await db.run(`create or replace view ${view} as select * from ${sqlIdent(`stg_${contract.name}_current`)}`);
    const rows = Number(await db.scalar(`select count(*) from ${all}`));
    const rowsCurrent = Number(await db.scalar(`select count(*) from ${view}`));
    staged.push({ dataset: contract.name, files, rows, rowsCurrent });
  }
  return staged;
}

function emptyColumns(contract: DatasetContract): string {
  return contract.columns.map((c) => `cast(null as ${STAGED_TYPE[c.type]}) as ${sqlIdent(c.name)}`).join(', ');
}
