import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { sqlString } from '../../src/core/duckdb.js';
import type { Lake } from '../../src/core/lake/lake.js';
import { runChild } from './killed-child.js';
import { query, tempDir } from './temp-lake.js';

/** MD5 of every object under `prefixes` (S3: the ETag of a single PUT, which is its MD5). */
export async function hashObjects(lake: Lake, prefixes = ['metrics/', 'history/']): Promise<Map<string, string>> {
  const objects = (await Promise.all(prefixes.map((prefix) => lake.list(prefix, { etags: true })))).flat();
  return new Map(objects.map((o) => [o.key, o.etag]));
}

/** Every file under a local lake's folder, as the file system sees it (temp files included), with its MD5. */
export function hashFiles(dir: string, folders = ['metrics', 'history']): Map<string, string> {
  const files = new Map<string, string>();
  for (const folder of folders) {
    let entries;
    try {
      entries = readdirSync(join(dir, folder), { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries.filter((e) => !e.isDirectory())) {
      const path = join(entry.parentPath, entry.name);
      files.set(relative(dir, path).split(sep).join('/'), createHash('md5').update(readFileSync(path)).digest('hex'));
    }
  }
  return files;
}

/** The run_id and as_of in the key-value metadata of each published table, by key. */
export async function tableStamps(lake: Lake): Promise<Map<string, string>> {
  const dir = tempDir();
  const stamps = new Map<string, string>();
  for (const { key } of await lake.list('metrics/')) {
    const path = join(dir, key);
    await lake.download(key, path);
    const rows = await query(
      `select decode(key) as k, decode(value) as v from parquet_kv_metadata(${sqlString(path)}) where decode(key) in ('run_id', 'as_of') order by k desc`,
    );
    stamps.set(key, rows.map((row) => row.v).join(' '));
  }
  return stamps;
}

/**
 * Runs the pipeline on `location` in a child process that SIGKILLs itself after publishing
 * `tables` tables (test/helpers/crash-child.ts, bundled with esbuild: the tests run TypeScript
 * that plain node cannot). Resolves with the exit signal.
 */
export async function spawnCrashingRun(location: string, tables: number, runId: string): Promise<NodeJS.Signals | null> {
  return await runChild('test/helpers/crash-child.ts', [location, String(tables), runId]);
}
