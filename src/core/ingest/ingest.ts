import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { datasetContracts, findDataset } from '../contracts/datasets.js';
import { findPreset, presets } from '../contracts/presets.js';
import type { DuckDBSession } from '../duckdb.js';
import { errorMessage, InputFileError } from '../errors.js';
import type { Lake, LakeObject } from '../lake/lake.js';
import type { InputLimits } from './read-input.js';
import { stageFile } from './stage-file.js';

export type FileOutcome = 'loaded' | 'quarantined' | 'already_ingested';

export interface FileReport {
  readonly key: string;
  readonly dataset: string;
  readonly etag: string;
  readonly landed_at: string;
  readonly outcome: FileOutcome;
  readonly rows_in?: number;
  readonly rows_loaded?: number;
  readonly rows_rejected?: number;
  /** Where the typed rows, the rejected rows or the refused file went. */
  readonly staging_key?: string;
  readonly rejects_key?: string;
  readonly quarantine_key?: string;
  readonly error?: string;
  /** What was left out of a loaded file (e.g. NDJSON keys past the limit). */
  readonly notes?: string[];
}

/**
 * Where everything derived from one inbox object goes; the fingerprint makes a changed file
 * a new input. A file in a folder that is no dataset (yet) is quarantined under _unknown/,
 * so that once a later version declares that dataset, the file is ingested after all.
 */
export function ingestKeys(object: LakeObject) {
  const path = object.key.replace(/^inbox\//, '');
  const slash = path.indexOf('/');
  const folder = slash > 0 ? path.slice(0, slash) : '_unknown';
  const rest = slash > 0 ? path.slice(slash + 1) : path;
  // A preset's files stage into its dataset, under the preset's name.
  const preset = findPreset(folder);
  const dataset = preset?.dataset ?? folder;
  const fingerprint = object.etag.replaceAll('"', '').slice(0, 12);
  const id = `${preset ? `${preset.preset}/` : ''}${rest}@${fingerprint}`;
  const quarantine = findDataset(dataset) ? `quarantine/${dataset}/${id}` : `quarantine/_unknown/${path}@${fingerprint}`;
  return {
    dataset,
    preset,
    staging: `staging/${dataset}/${id}.parquet`,
    rejects: `rejects/${dataset}/${id}.parquet`,
    quarantine,
    quarantineReport: `${quarantine}.error.json`,
  };
}

/** Inbox objects that are data files: not folder markers, not hidden files. */
export function isInboxFile(object: LakeObject): boolean {
  const name = object.key.split('/').at(-1) ?? '';
  return object.key.startsWith('inbox/') && name !== '' && !name.startsWith('.');
}

export interface IngestContext {
  readonly lake: Lake;
  readonly db: DuckDBSession;
  /** Scratch folder for downloads and outputs. */
  readonly workDir: string;
  readonly runId: string;
  /** What one input file may cost (inflated size, NDJSON keys). @default - read-input.ts's defaults */
  readonly limits?: InputLimits;
}

/** Ingests every inbox file not ingested before (by key and content fingerprint). */
export async function ingestInbox(
  context: IngestContext,
  onFile: (report: FileReport, index: number, total: number) => void = () => {},
): Promise<FileReport[]> {
  const { lake } = context;
  const inbox = (await lake.list('inbox/')).filter(isInboxFile);
  const done = new Set([...(await lake.list('staging/')), ...(await lake.list('quarantine/'))].map((o) => o.key));
  const reports: FileReport[] = [];
  for (const [index, object] of inbox.entries()) {
    const report = isIngested(object, done) ? alreadyIngested(object) : await ingestObject(context, object);
    reports.push(report);
    onFile(report, index, inbox.length);
  }
  return reports;
}

/**
 * Ingests the inbox object at `key` unless it was ingested before; undefined when
 * there is no such object (any more) or it is not an inbox data file.
 */
export async function ingestKey(
  context: IngestContext,
  key: string,
  options: IngestOptions = {},
): Promise<FileReport | undefined> {
  const object = (await context.lake.list(key)).find((o) => o.key === key);
  if (!object || !isInboxFile(object)) return undefined;
  const keys = ingestKeys(object);
  const done = new Set(
    [...(await context.lake.list(keys.staging)), ...(await context.lake.list(keys.quarantineReport))].map((o) => o.key),
  );
  return isIngested(object, done) ? alreadyIngested(object) : await ingestObject(context, object, options);
}

export interface IngestOptions {
  /** Quarantine the file on any error, not only on bad input: the caller will not try again. */
  readonly lastAttempt?: boolean;
}

function isIngested(object: LakeObject, done: ReadonlySet<string>): boolean {
  const keys = ingestKeys(object);
  return done.has(keys.staging) || done.has(keys.quarantineReport);
}

function alreadyIngested(object: LakeObject): FileReport {
  return { ...describe(object, ingestKeys(object).dataset), outcome: 'already_ingested' };
}

/**
 * Loads one inbox object: good rows to staging, bad rows to rejects (with reason
 * and line), or the whole file to quarantine with a JSON report. Staging is
 * written last, so its presence means the file was fully handled.
 */
export async function ingestObject(
  context: IngestContext,
  object: LakeObject,
  options: IngestOptions = {},
): Promise<FileReport> {
  const { lake, db, workDir } = context;
  const keys = ingestKeys(object);
  const contract = findDataset(keys.dataset);
  const fileDir = join(workDir, 'ingest', randomUUID());
  const localPath = join(fileDir, basename(object.key));
  await lake.download(object.key, localPath);
  try {
    if (!contract) {
      const known = datasetContracts.map((d) => d.name).join(', ');
      const presetNames = presets.map((p) => p.preset).join(', ');
      throw new InputFileError(`'${keys.dataset}' is not a dataset: put files under inbox/<dataset>/, one of ${known} (or a vendor export under ${presetNames})`);
    }
    const counts = await stageFile(db, {
      contract,
      preset: keys.preset,
      localPath,
      object,
      stagingPath: `${localPath}.staged.parquet`,
      rejectsPath: `${localPath}.rejects.parquet`,
      limits: context.limits,
    });
    if (counts.rows_rejected > 0) await lake.upload(`${localPath}.rejects.parquet`, keys.rejects);
    await lake.upload(`${localPath}.staged.parquet`, keys.staging);
    return {
      ...describe(object, keys.dataset),
      outcome: 'loaded',
      ...counts,
      staging_key: keys.staging,
      rejects_key: counts.rows_rejected > 0 ? keys.rejects : undefined,
    };
  } catch (error) {
    if (error instanceof InputFileError) return await quarantine(context, object, localPath, error);
    if (!options.lastAttempt) throw error;
    const reason = new InputFileError(`could not be loaded, giving up after repeated attempts: ${errorMessage(error)}`);
    return await quarantine(context, object, localPath, reason);
  } finally {
    await db.run('drop view if exists preset_input; drop view if exists raw_input; drop table if exists checked_input');
    await rm(fileDir, { recursive: true, force: true });
  }
}

/**
 * Refuses a whole file: a copy goes to quarantine/ with a JSON report beside it naming
 * the problem. Also the way out for a file that keeps failing for another reason, so a
 * poison file is parked instead of retried forever.
 */
export async function quarantine(
  context: IngestContext,
  object: LakeObject,
  localPath: string,
  error: InputFileError,
): Promise<FileReport> {
  const keys = ingestKeys(object);
  const report = {
    ...describe(object, keys.dataset),
    outcome: 'quarantined' as const,
    quarantine_key: keys.quarantine,
    error: error.message,
  };
  const reportPath = `${localPath}.error.json`;
  const details = { ...report, line: error.line ?? null, size: object.size, run_id: context.runId };
  await writeFile(reportPath, `${JSON.stringify(details, null, 2)}\n`);
  await context.lake.upload(localPath, keys.quarantine);
  await context.lake.upload(reportPath, keys.quarantineReport);
  return report;
}

function describe(object: LakeObject, dataset: string) {
  return { key: object.key, dataset, etag: object.etag, landed_at: object.lastModified.toISOString() };
}
