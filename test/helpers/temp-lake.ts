import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { DuckDBSession, sqlString } from '../../src/core/duckdb.js';
import { ingestInbox, type FileReport } from '../../src/core/ingest/ingest.js';
import { LocalLake } from '../../src/core/lake/local-lake.js';
import { runPipeline, type PipelineOptions } from '../../src/core/pipeline/run-pipeline.js';

const created: string[] = [];
afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh local lake in a temp folder, removed after the test. */
export function tempLake(): { dir: string; lake: LocalLake; put: (key: string, content: string | Buffer, landedAt?: Date) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'loyaltylake-test-'));
  created.push(dir);
  const lake = new LocalLake(dir);
  const put = (key: string, content: string | Buffer, landedAt?: Date) => {
    const path = join(dir, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    if (landedAt) utimesSync(path, landedAt, landedAt);
  };
  return { dir, lake, put };
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loyaltylake-test-'));
  created.push(dir);
  return dir;
}

export function run(lake: LocalLake, options: Omit<PipelineOptions, 'lake'> = {}) {
  return runPipeline({ lake, threads: 2, ...options });
}

/** Rows of a Parquet file (or glob) in the lake, as JSON values. */
export async function readParquet(dir: string, key: string, orderBy?: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  try {
    return await db.rows(`select * from read_parquet(${sqlString(join(dir, key))})${orderBy ? ` order by ${orderBy}` : ''}`);
  } finally {
    db.closeSync();
  }
}

/** Runs a query with a fresh DuckDB session. */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  try {
    return await db.rows(sql);
  } finally {
    db.closeSync();
  }
}

/** Ingests the lake's inbox only (no models), with a fresh DuckDB session. */
export async function ingestOnly(lake: LocalLake): Promise<FileReport[]> {
  const workDir = tempDir();
  const db = await DuckDBSession.open({ workDir, threads: 2 });
  try {
    return await ingestInbox({ lake, db, workDir, runId: 'test' });
  } finally {
    db.closeSync();
  }
}

export const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
