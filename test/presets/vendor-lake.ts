import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBSession, sqlString } from '../../src/core/duckdb.js';
import { ingestInbox, ingestLimits, type FileReport } from '../../src/core/ingest/ingest.js';
import { readLakeSettings } from '../../src/core/settings/lake-settings.js';
import { query, tempDir, tempLake } from '../helpers/temp-lake.js';

/** A vendor sample of test/fixtures/vendors/ (see the README there for where each layout comes from). */
export const vendorFile = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/vendors', name), 'utf8');

export interface VendorLake {
  readonly reports: FileReport[];
  /** The staged rows of a dataset (contract columns as text), ordered by the first column. */
  staged(dataset: string, columns: readonly string[]): Promise<Record<string, unknown>[]>;
  /** The rejected rows of a dataset: the mapped value of `key` and the reason. */
  rejects(dataset: string, key: string): Promise<{ key: unknown; reason: unknown }[]>;
}

/** Ingests `files` (inbox key → content, landed in that order, a day apart) into a fresh local lake with the settings file `settings`, if any. */
export async function ingestVendorFiles(files: Record<string, string>, settings?: string): Promise<VendorLake> {
  const { dir, lake, put } = tempLake();
  if (settings !== undefined) put('loyaltylake.yml', settings);
  Object.entries(files).forEach(([key, content], index) => put(key, content, new Date(Date.UTC(2025, 0, 1 + index))));
  const workDir = tempDir();
  const db = await DuckDBSession.open({ workDir, threads: 2 });
  let reports: FileReport[];
  try {
    const { settings: loaded } = await readLakeSettings(lake);
    reports = await ingestInbox({ lake, db, workDir, runId: 'test', ...ingestLimits(loaded) });
  } finally {
    db.closeSync();
  }
  return {
    reports,
    staged: (dataset, columns) =>
      query(`
        select ${columns.map((c) => `cast(${c} as varchar) as ${c}`).join(', ')}
        from read_parquet(${sqlString(join(dir, `staging/${dataset}/**/*.parquet`))}) order by 1`),
    rejects: async (dataset, key) =>
      (await query(`
        select ${key} as key, _reject_reason as reason
        from read_parquet(${sqlString(join(dir, `rejects/${dataset}/**/*.parquet`))}) order by _source_line`)) as { key: unknown; reason: unknown }[],
  };
}
