import { DuckDBSession, sqlIdent, sqlString } from '../core/duckdb.js';
import type { Lake } from '../core/lake/lake.js';
import { localCopy } from '../core/lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../core/lake/lake-layout.js';

/** One published table: `metrics/<model>/v<N>/data.parquet`, read as the view `<model>_v<N>`. */
export interface PublishedTable {
  readonly model: string;
  readonly version: number;
  readonly table: string;
  readonly key: string;
}

const PUBLISHED_KEY = new RegExp(`^${LakePrefix.metrics}([a-z][a-z0-9_]*)/v([0-9]+)/data\\.parquet$`);

/** The published tables of a lake, from its metrics/ listing (never staging: the report shows what was published). */
export async function listPublishedTables(lake: Lake): Promise<PublishedTable[]> {
  const tables: PublishedTable[] = [];
  for (const object of await lake.list(LakePrefix.metrics)) {
    const match = PUBLISHED_KEY.exec(object.key);
    if (!match) continue;
    const model = match[1]!;
    const version = Number(match[2]);
    if (object.key !== LakeKeys.metrics(model, version)) continue;
    tables.push({ model, version, table: `${model}_v${version}`, key: object.key });
  }
  return tables;
}

/**
 * Registers the published tables among `wanted` as views over local copies of their Parquet
 * files, so that the section queries read them by the names the models use (e.g.
 * `cohort_retention_v1`). Returns the names of the views. Only those tables are downloaded.
 */
export async function registerPublishedTables(db: DuckDBSession, lake: Lake, scratchDir: string, wanted: ReadonlySet<string>): Promise<Set<string>> {
  const names = new Set<string>();
  for (const table of await listPublishedTables(lake)) {
    if (!wanted.has(table.table)) continue;
    const path = await localCopy(lake, table.key, scratchDir);
    await db.run(`create or replace view ${sqlIdent(table.table)} as select * from read_parquet(${sqlString(path)})`);
    names.add(table.table);
  }
  return names;
}

