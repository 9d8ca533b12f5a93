import { randomBytes } from 'node:crypto';
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { datasetContracts } from '../contracts/datasets.js';
import { DuckDBSession, sqlString } from '../duckdb.js';
import { LoyaltyLakeError } from '../errors.js';
import type { Lake } from '../lake/lake.js';
import { localCopy, localMirrorPath, readJson, writeJson } from '../lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import { rewriteParquet } from '../control/parquet-rewrite.js';

/**
 * Compaction of staging (issue 12): a dataset's many staging files (one per input file) merged
 * into one compacted file, which keeps every row's `_source_key`, `_source_line` and `_landed_at`,
 * so "the latest landed row wins" picks the same rows, and withdraw and forget still find a
 * file's rows. Which staging files a compacted file holds is in the dataset's staging index
 * (`_runs/staging-index/<dataset>.json`); from then on those keys count as ingested.
 *
 * Published in three steps, each leaving a lake that reads every row once (by stagedFiles):
 * 1. write the new compacted file — not named by the index yet: readers ignore it;
 * 2. write the index naming it and its parts — readers now read it, and ignore those parts
 *    and the previous compacted file;
 * 3. delete the parts and the previous compacted file.
 * A process killed in between leaves objects that stagedFiles names as `stray`; the next run
 * (or compaction) deletes them first (settleStaging).
 */

/** Staged objects of a dataset above which a run compacts them (settings `staging.compact_above_files`). */
export const DEFAULT_COMPACT_ABOVE_FILES = 100;

export interface StagingIndex {
  readonly dataset: string;
  /** The compacted file readers read; the parts it holds are never read on their own. */
  readonly compacted: string;
  /** The staging keys (one per input file version) whose rows the compacted file holds. */
  readonly parts: readonly string[];
  readonly rows: number;
  readonly written_at: string;
}

export interface DatasetStaging {
  /** The staging files to read: the compacted file named by the index, and every staging file it does not hold. */
  readonly files: string[];
  /** Objects an interrupted or finished compaction left, which no reader reads: parts the index names, other compacted files. */
  readonly stray: string[];
  readonly index?: StagingIndex;
}

const COMPACTED = /^compacted-[^/@]+\.parquet$/;

/** Whether `key` is a compacted staging file (LakeKeys.compactedStaging), not an input file's. */
export function isCompactedStaging(key: string): boolean {
  if (!key.startsWith(LakePrefix.staging)) return false;
  const [, name, ...rest] = key.slice(LakePrefix.staging.length).split('/');
  return rest.length === 0 && name !== undefined && COMPACTED.test(name);
}

export async function readStagingIndex(lake: Lake, dataset: string): Promise<StagingIndex | undefined> {
  return await readJson<StagingIndex>(lake, LakeKeys.stagingIndex(dataset));
}

/** The staging files of `dataset` a reader reads (each row once), and the stray objects beside them. */
export async function stagedFiles(lake: Lake, dataset: string): Promise<DatasetStaging> {
  const listed = (await lake.list(LakeKeys.stagingFolder(dataset))).map((o) => o.key).filter((key) => key.endsWith('.parquet'));
  const index = await readStagingIndex(lake, dataset);
  const parts = new Set(index?.parts ?? []);
  if (index && !listed.includes(index.compacted)) {
    throw new LoyaltyLakeError(`${LakeKeys.stagingIndex(dataset)} names ${index.compacted}, which is missing: the rows of ${parts.size} staging files are lost (was it deleted by hand?)`);
  }
  const files: string[] = [];
  const stray: string[] = [];
  for (const key of listed) {
    const read = isCompactedStaging(key) ? key === index?.compacted : !parts.has(key);
    (read ? files : stray).push(key);
  }
  return { files, stray, index };
}

/** Deletes what stagedFiles found stray: the last step of a compaction an earlier process did not finish. */
export async function settleStaging(lake: Lake, staging: DatasetStaging): Promise<DatasetStaging> {
  // The parts before the compacted files: a listing in between still reads each row once.
  await eachAtOnce(staging.stray.filter((k) => !isCompactedStaging(k)), (key) => lake.delete(key));
  await eachAtOnce(staging.stray.filter(isCompactedStaging), (key) => lake.delete(key));
  return { ...staging, stray: [] };
}

/** Requests in flight at once: thousands of parts are deleted (or downloaded) one request each on S3. */
const AT_ONCE = 16;

async function eachAtOnce<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, items.length) }, worker));
  return results;
}

/** Every staging key a compacted file holds, over all datasets: ingest counts them as done. */
export async function compactedParts(lake: Lake): Promise<Set<string>> {
  const parts = new Set<string>();
  for (const { key } of await lake.list(LakeKeys.stagingIndexes)) {
    if (!key.endsWith('.json')) continue;
    for (const part of (await readJson<StagingIndex>(lake, key))?.parts ?? []) parts.add(part);
  }
  return parts;
}

/** Whether the staging file `stagingKey` of `dataset` is held by the dataset's compacted file. */
export async function isCompactedPart(lake: Lake, dataset: string, stagingKey: string): Promise<boolean> {
  return (await readStagingIndex(lake, dataset))?.parts.includes(stagingKey) ?? false;
}

export interface Compaction {
  readonly dataset: string;
  /** Staging objects merged (a previous compacted file counts as one). */
  readonly files: number;
  readonly rows: number;
  readonly compacted: string;
}

/**
 * Finishes any compaction an earlier process left (settleStaging), then compacts each dataset
 * with more than `aboveFiles` staging objects into one file. The compacted file stays in the
 * run's scratch folder (its lake mirror), as do the parts, so staging them costs no download.
 */
export async function compactStaging(
  lake: Lake,
  db: DuckDBSession,
  workDir: string,
  aboveFiles: number,
): Promise<{ compactions: Compaction[]; settled: string[] }> {
  const compactions: Compaction[] = [];
  const settled: string[] = [];
  for (const contract of datasetContracts) {
    let staging = await stagedFiles(lake, contract.name);
    settled.push(...staging.stray);
    staging = await settleStaging(lake, staging);
    if (staging.files.length <= aboveFiles) continue;
    const paths = await eachAtOnce(staging.files, (key) => localCopy(lake, key, workDir));
    const parts = staging.files.flatMap((key) => (key === staging.index?.compacted ? staging.index.parts : [key]));
    const all = `read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true)`;
    const out = localMirrorPath(workDir, `${LakePrefix.tmp}compacted-${contract.name}.parquet`);
    await mkdir(dirname(out), { recursive: true });
    // In landed order: the order no reader relies on, but a stable one for people reading the file.
    await db.run(`copy (select * from ${all} order by _landed_at, _source_key, _source_line) to ${sqlString(out)} (format parquet, compression zstd)`);
    const rows = Number(await db.scalar(`select count(*) from read_parquet(${sqlString(out)})`));
    const expected = Number(await db.scalar(`select count(*) from ${all}`));
    if (rows !== expected) throw new LoyaltyLakeError(`compacting ${contract.name}: ${rows} rows written of ${expected}`);
    const compacted = await replaceCompacted(lake, { dataset: contract.name, localPath: out, parts, rows, replaces: staging.files, workDir });
    compactions.push({ dataset: contract.name, files: staging.files.length, rows, compacted });
  }
  return { compactions, settled };
}

/**
 * Publishes `localPath` as the dataset's compacted file holding `parts` (the three steps above),
 * then deletes `replaces` (the objects it takes the place of: parts, the previous compacted file).
 * Keeps a copy in the scratch folder's lake mirror. Returns the new compacted file's key.
 */
export async function replaceCompacted(
  lake: Lake,
  change: { dataset: string; localPath: string; parts: readonly string[]; rows: number; replaces: readonly string[]; workDir: string },
): Promise<string> {
  const compacted = LakeKeys.compactedStaging(change.dataset, newCompactionId());
  await lake.upload(change.localPath, compacted);
  const index: StagingIndex = { dataset: change.dataset, compacted, parts: [...change.parts].sort(), rows: change.rows, written_at: new Date().toISOString() };
  await writeJson(lake, LakeKeys.stagingIndex(change.dataset), index);
  const mirror = localMirrorPath(change.workDir, compacted);
  await mkdir(dirname(mirror), { recursive: true });
  await rename(change.localPath, mirror);
  await settleStaging(lake, { files: [], stray: change.replaces.filter((key) => key !== compacted), index });
  return compacted;
}

/**
 * Rewrites a dataset's compacted file with only the rows that pass `keep` (SQL over its columns,
 * `replace` expressions for some columns, as parquet-rewrite.ts) and the parts `parts` maps the
 * old ones to, published as a new compacted file (replaceCompacted). For withdraw and forget;
 * undefined when the dataset has no compacted file.
 */
export async function rewriteCompacted(
  lake: Lake,
  db: DuckDBSession,
  workDir: string,
  dataset: string,
  change: { keep: string; replace?: Readonly<Record<string, string>>; parts: (parts: readonly string[]) => string[] },
): Promise<{ from: string; to: string; rowsBefore: number; rows: number } | undefined> {
  const staging = await settleStaging(lake, await stagedFiles(lake, dataset));
  const index = staging.index;
  if (!index) return undefined;
  const path = await localCopy(lake, index.compacted, workDir);
  const out = localMirrorPath(workDir, `${LakePrefix.tmp}rewritten-${dataset}.parquet`);
  await mkdir(dirname(out), { recursive: true });
  await rewriteParquet(db, path, out, change.keep, change.replace);
  const rows = Number(await db.scalar(`select count(*) from read_parquet(${sqlString(out)})`));
  const to = await replaceCompacted(lake, { dataset, localPath: out, parts: change.parts(index.parts), rows, replaces: [index.compacted], workDir });
  return { from: index.compacted, to, rowsBefore: index.rows, rows };
}

function newCompactionId(): string {
  return `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
}
