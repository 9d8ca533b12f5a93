import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { errorMessage, LoyaltyLakeError } from '../errors.js';
import type { Lake } from '../lake/lake.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import type { ModelVersion } from '../models/model-declaration.js';
import { OUTPUT_TYPES } from '../models/output-types.js';

export interface PublishedTable {
  readonly metricsKey: string;
  readonly historyKey: string;
}

export function publishedKeys(model: ModelVersion, asOf: string): PublishedTable {
  return {
    metricsKey: LakeKeys.metrics(model.model, model.version),
    historyKey: LakeKeys.history(model.model, model.version, asOf),
  };
}

/** Writes a built model table to one local ZSTD Parquet file and checks its column encodings. */
export async function writeModelParquet(db: DuckDBSession, model: ModelVersion, workDir: string): Promise<string> {
  const path = join(workDir, 'publish', model.model, `v${model.version}.parquet`);
  await mkdir(join(workDir, 'publish', model.model), { recursive: true });
  await db.run(`copy ${sqlIdent(model.table)} to ${sqlString(path)} (format parquet, compression zstd)`);
  const schema = await db.rows(
    `select name, type, converted_type from parquet_schema(${sqlString(path)}) where name <> 'duckdb_schema'`,
  );
  for (const column of model.columns) {
    const written = schema.find((row) => row.name === column.name);
    const expected = OUTPUT_TYPES[column.type].parquet;
    if (!written || written.type !== expected.type || (written.converted_type ?? null) !== expected.convertedType) {
      throw new LoyaltyLakeError(
        `${model.table}.${column.name}: Parquet encoding ${written?.type}/${written?.converted_type} is not the Athena-safe ${expected.type}/${expected.convertedType}`,
      );
    }
  }
  return path;
}

/**
 * Replaces each table with one atomic write, then stores its snapshot for the as-of date.
 * If any write fails, the tables already replaced get their previous version back, so the
 * run publishes all of its tables or none (a table that did not exist before stays).
 */
export async function publishTables(
  lake: Lake,
  tables: readonly { localPath: string; keys: PublishedTable }[],
  scratch: string,
): Promise<void> {
  const existing = new Set((await lake.list(LakePrefix.metrics)).map((o) => o.key));
  const previous = new Map<string, string>();
  for (const { keys } of tables) {
    if (!existing.has(keys.metricsKey)) continue;
    const path = join(scratch, 'previous', keys.metricsKey);
    await lake.download(keys.metricsKey, path);
    previous.set(keys.metricsKey, path);
  }
  const replaced: string[] = [];
  try {
    for (const table of tables) {
      replaced.push(table.keys.metricsKey);
      await lake.upload(table.localPath, table.keys.metricsKey);
    }
    for (const table of tables) await lake.upload(table.localPath, table.keys.historyKey);
  } catch (error) {
    throw new LoyaltyLakeError(`${errorMessage(error)} (while publishing; ${await restore(lake, replaced, previous)})`, { cause: error });
  }
}

async function restore(lake: Lake, replaced: readonly string[], previous: ReadonlyMap<string, string>): Promise<string> {
  const restorable = replaced.filter((key) => previous.has(key));
  try {
    for (const key of restorable) await lake.upload(previous.get(key)!, key);
    return `put back the previous version of ${restorable.length} tables`;
  } catch (error) {
    return `could not put back the previous tables (${errorMessage(error)}); each table is still whole, old or new`;
  }
}
