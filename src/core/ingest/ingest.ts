import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { datasetContracts, findDataset } from '../contracts/datasets.js';
import { findPreset, presets, type Preset } from '../contracts/presets.js';
import type { DuckDBSession } from '../duckdb.js';
import { errorMessage, InputFileError } from '../errors.js';
import type { FingerprintedObject, Lake, LakeObject } from '../lake/lake.js';
import { exists, findObject, localMirrorPath, writeJson } from '../lake/lake-helpers.js';
import { inputFileId, LakeKeys, LakePrefix, parseInboxKey } from '../lake/lake-layout.js';
import type { InputLimits } from './read-input.js';
import { LakeSettingsSchema, type LakeSettings } from '../settings/lake-settings.js';
import { currencyDatasets, lakeCurrency, recordCurrency, type LakeCurrency } from './lake-currency.js';
import { RejectShareError, type ReasonCount } from './reject-share.js';
import { stageFile } from './stage-file.js';
import type { DeclaredFormats } from './value-formats.js';
import { dateWindow, type DateWindow } from './validate-sql.js';
import { checkLakeKey, pseudonymisationFrom, pseudonymiseFile, requireKey, type Pseudonymisation } from '../control/pseudonymise.js';
import { isWithdrawn, withdrawnKeys } from '../control/tombstones.js';
import { compactedParts, isCompactedPart } from '../pipeline/compact-staging.js';

/**
 * 'skipped': an inbox entry that is no readable file (a FIFO, a dangling link): reported with the reason, never read.
 * 'withdrawn': an inbox file `loyaltylake withdraw` set aside (src/core/control/withdraw.ts): never read while its tombstone stays.
 */
export type FileOutcome = 'loaded' | 'quarantined' | 'already_ingested' | 'skipped' | 'withdrawn';

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
  /**
   * Of a loaded file with rejects: the most frequent reasons (without the values they quote) and
   * their rows. (A file refused for too many rejects names them in `error`; its quarantine report holds them too.)
   */
  readonly top_reasons?: ReasonCount[];
  /** The run that ingested the file but wrote no manifest (killed, or failed to write it); this run's manifest counts it. */
  readonly ingested_by_unfinished_run?: string;
}

/** What is written to `_runs/ingested/<run id>/…` as each file is handled, before the staging file or quarantine report that marks it done. */
export interface IngestRecord {
  readonly run_id: string;
  readonly file: FileReport;
}

/** The records folder of files in no dataset's folder. */
const UNKNOWN_DATASET = '_unknown';

/**
 * Where everything derived from one inbox object goes; the fingerprint makes a changed file
 * a new input. A file in a folder that is no dataset (yet) is quarantined under _unknown/,
 * so that once a later version declares that dataset, the file is ingested after all.
 */
export function ingestKeys(object: FingerprintedObject, lakePresets: readonly Preset[] = []) {
  const { folder, name, path } = parseInboxKey(object.key);
  // A preset's files stage into its dataset, under the preset's name.
  const preset = findPreset(folder, lakePresets);
  const dataset = preset?.dataset ?? folder;
  const id = inputFileId(preset ? `${preset.preset}/${name}` : datasetFilePath(name, lakePresets), object.etag);
  const known = findDataset(dataset) !== undefined;
  const unknownId = inputFileId(path, object.etag);
  const quarantine = known ? LakeKeys.quarantine(dataset, id) : LakeKeys.quarantineUnknown(unknownId);
  return {
    dataset,
    preset,
    record: (runId: string) => (known ? LakeKeys.ingestRecord(runId, dataset, id) : LakeKeys.ingestRecord(runId, UNKNOWN_DATASET, unknownId)),
    staging: LakeKeys.staging(dataset, id),
    rejects: LakeKeys.rejects(dataset, id),
    quarantine,
    quarantineReport: LakeKeys.quarantineReport(quarantine),
  };
}

/**
 * The path a dataset's own file is named by in its dataset's folders, never one a preset's file
 * has there (`<preset>/<name>`): a first folder named like a preset (or like one with leading
 * `~`) gets one more `~`. Other paths stay as they are, so their ids do not change. (A preset
 * added later changes the ids of dataset files under a folder of its name: they are ingested
 * once more, and their rows count once, by primary key or as identical rows.)
 */
function datasetFilePath(name: string, lakePresets: readonly Preset[]): string {
  const first = name.split('/')[0]!;
  return name.includes('/') && findPreset(first.replace(/^~+/, ''), lakePresets) ? `~${name}` : name;
}

/** Inbox objects that are data files: not folder markers, not hidden files. */
export function isInboxFile(object: LakeObject): boolean {
  const name = object.key.split('/').at(-1) ?? '';
  return object.key.startsWith(LakePrefix.inbox) && name !== '' && !name.startsWith('.');
}

export interface IngestContext {
  readonly lake: Lake;
  readonly db: DuckDBSession;
  /**
   * Scratch folder for downloads and outputs. Each staging file written stays in its lake
   * mirror (lake-helpers.ts localMirrorPath), so a run reads it without downloading it again.
   */
  readonly workDir: string;
  readonly runId: string;
  /** What one input file may cost (inflated size, NDJSON keys). @default - read-input.ts's defaults */
  readonly limits?: InputLimits;
  /** The plausible dates (lake settings `ingest`). @default - the default settings' window on today's date */
  readonly dates?: DateWindow;
  /** The lake's currency as set in its settings. @default - the currency of the first file loaded with one (see lake-currency.ts) */
  readonly currency?: string;
  /** How CSV files write amounts and dates (lake settings `ingest.formats`). @default - detected per file */
  readonly formats?: DeclaredFormats;
  /** Files with a larger share of rejected rows are quarantined (lake settings `ingest.max_reject_share`). @default - reject-share.ts's default */
  readonly maxRejectShare?: number;
  /** The presets the lake declares (settings `presets`), beside the built-in ones. @default - none */
  readonly presets?: readonly Preset[];
  /** Customer ids replaced by their pseudonym before anything is staged (lake settings `pseudonymise`). @default - off */
  readonly pseudonymisation?: Pseudonymisation;
}

/**
 * What the lake's settings allow an input: the context fields `limits`, `dates`, `currency`, `formats`,
 * `maxRejectShare` and `presets` on the run date `now`, and `pseudonymisation` with its key (from
 * `keyFromSecret` when deployed, else the environment variable the settings name).
 */
export function ingestLimits(
  settings: LakeSettings,
  now = new Date(),
  keyFromSecret?: Parameters<typeof pseudonymisationFrom>[2],
): Pick<IngestContext, 'limits' | 'dates' | 'currency' | 'formats' | 'maxRejectShare' | 'presets' | 'pseudonymisation'> {
  return {
    limits: { maxInflatedBytes: settings.ingest.max_inflated_bytes },
    dates: dateWindow(settings.ingest, now),
    currency: settings.currency,
    formats: settings.ingest.formats,
    maxRejectShare: settings.ingest.max_reject_share,
    presets: settings.presets,
    pseudonymisation: pseudonymisationFrom(settings, process.env, keyFromSecret),
  };
}

/** Ingests every inbox file not ingested before (by key and content fingerprint). */
export async function ingestInbox(
  context: IngestContext,
  onFile: (report: FileReport, index: number, total: number) => void = () => {},
): Promise<FileReport[]> {
  const { lake } = context;
  await checkLakeKey(lake, context.pseudonymisation);
  const inbox = (await lake.list(LakePrefix.inbox, { etags: true })).filter(isInboxFile);
  // Done: a staging file, a quarantine report, or a staging file a compacted file holds (compact-staging.ts).
  const done = new Set([...[...(await lake.list(LakePrefix.staging)), ...(await lake.list(LakePrefix.quarantine))].map((o) => o.key), ...(await compactedParts(lake))]);
  const withdrawn = await withdrawnKeys(lake);
  const currency = currencyOfRun(context);
  const reports: FileReport[] = [];
  for (const [index, object] of inbox.entries()) {
    const report = isWithdrawn(object.key, withdrawn)
      ? withdrawnFile(object, context.presets)
      : isIngested(object, done, context.presets) ? alreadyIngested(object, context.presets) : await ingestObject(context, object, { currency });
    reports.push(report);
    onFile(report, index, inbox.length);
  }
  for (const { key, reason } of (await lake.unlisted?.(LakePrefix.inbox)) ?? []) {
    reports.push({ key, dataset: parseInboxKey(key).folder, etag: '', landed_at: '', outcome: 'skipped', error: reason });
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
  const object = await findObject(context.lake, key, { etags: true });
  if (!object || !isInboxFile(object)) return undefined;
  if (isWithdrawn(object.key, await withdrawnKeys(context.lake, object.key))) return withdrawnFile(object, context.presets);
  await checkLakeKey(context.lake, context.pseudonymisation);
  const keys = ingestKeys(object, context.presets);
  const done =
    (await exists(context.lake, keys.staging)) ||
    (await exists(context.lake, keys.quarantineReport)) ||
    (await isCompactedPart(context.lake, keys.dataset, keys.staging));
  return done ? alreadyIngested(object, context.presets) : await ingestObject(context, object, options);
}

export interface IngestOptions {
  /** Quarantine the file on any error, not only on bad input: the caller will not try again. */
  readonly lastAttempt?: boolean;
  /** The lake's currency as known to a loop over many files. @default - read from the lake for this file */
  readonly currency?: RunCurrency;
}

/** The lake's currency, read once for a loop over many files and updated when a file decides it. */
interface RunCurrency {
  get(): Promise<LakeCurrency | undefined>;
  decided(currency: LakeCurrency): void;
}

/**
 * Reading it for each file cost a listing, and, while no loaded file had a currency (an orders
 * export without the column), a read of every staged file: quadratic in the files of one run.
 * Only a file loaded in this run can change it, and it says so (`decided`).
 */
function currencyOfRun(context: IngestContext): RunCurrency {
  let known: Promise<LakeCurrency | undefined> | undefined;
  return {
    get: () => (known ??= lakeCurrency(context.lake, context.db, context.workDir, context.currency)),
    decided: (currency) => {
      known = Promise.resolve(currency);
    },
  };
}

function isIngested(object: FingerprintedObject, done: ReadonlySet<string>, lakePresets?: readonly Preset[]): boolean {
  const keys = ingestKeys(object, lakePresets);
  return done.has(keys.staging) || done.has(keys.quarantineReport);
}

function withdrawnFile(object: FingerprintedObject, lakePresets?: readonly Preset[]): FileReport {
  return { ...describe(object, ingestKeys(object, lakePresets).dataset), outcome: 'withdrawn', error: `withdrawn (loyaltylake withdraw): not ingested while ${LakeKeys.withdrawn(object.key)} is there` };
}

function alreadyIngested(object: FingerprintedObject, lakePresets?: readonly Preset[]): FileReport {
  return { ...describe(object, ingestKeys(object, lakePresets).dataset), outcome: 'already_ingested' };
}

/**
 * Loads one inbox object: good rows to staging, bad rows to rejects (with reason
 * and line), or the whole file to quarantine with a JSON report. Staging is
 * written last, so its presence means the file was fully handled.
 */
export async function ingestObject(
  context: IngestContext,
  object: FingerprintedObject,
  options: IngestOptions = {},
): Promise<FileReport> {
  const { lake, db, workDir } = context;
  const keys = ingestKeys(object, context.presets);
  const contract = findDataset(keys.dataset);
  const fileDir = join(workDir, 'ingest', randomUUID());
  // Not the file's own name: it may be as long as a name can be, with no room for the suffixes added here.
  const localPath = join(fileDir, 'input');
  await lake.download(object.key, localPath);
  try {
    if (!contract) {
      const known = datasetContracts.map((d) => d.name).join(', ');
      const presetNames = [...presets, ...(context.presets ?? [])].map((p) => p.preset).join(', ');
      throw new InputFileError(`'${keys.dataset}' is not a dataset: put files under ${LakeKeys.inboxFolder('<dataset>')}, one of ${known} (or a vendor export under ${presetNames})`);
    }
    const stagedPath = `${localPath}.staged.parquet`;
    const hasCurrency = currencyDatasets.some((d) => d.contract === contract);
    const currency = hasCurrency ? await (options.currency?.get() ?? lakeCurrency(lake, db, workDir, context.currency)) : undefined;
    const { currency: decided, ...counts } = await stageFile(db, {
      contract,
      preset: keys.preset,
      localPath,
      object,
      stagingPath: stagedPath,
      rejectsPath: `${localPath}.rejects.parquet`,
      limits: context.limits,
      dates: context.dates ?? ingestLimits(LakeSettingsSchema.parse({})).dates,
      currency,
      // A preset's declared formats win, field by field, over the lake's.
      formats: { ...context.formats, ...keys.preset?.formats },
      maxRejectShare: context.maxRejectShare,
    });
    if (decided) {
      await recordCurrency(lake, decided);
      options.currency?.decided(decided);
    }
    if (context.pseudonymisation) {
      // Before anything leaves this machine: no raw customer id reaches staging or rejects.
      const key = requireKey(context.pseudonymisation);
      await pseudonymiseFile(db, stagedPath, key);
      if (counts.rows_rejected > 0) await pseudonymiseFile(db, `${localPath}.rejects.parquet`, key);
    }
    const report: FileReport = {
      ...describe(object, keys.dataset),
      outcome: 'loaded',
      ...counts,
      staging_key: keys.staging,
      rejects_key: counts.rows_rejected > 0 ? keys.rejects : undefined,
    };
    if (counts.rows_rejected > 0) await lake.upload(`${localPath}.rejects.parquet`, keys.rejects);
    await writeRecord(context, keys.record(context.runId), report);
    await lake.upload(stagedPath, keys.staging);
    await keepLocalCopy(stagedPath, localMirrorPath(workDir, keys.staging));
    return report;
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
  object: FingerprintedObject,
  localPath: string,
  error: InputFileError,
): Promise<FileReport> {
  const keys = ingestKeys(object, context.presets);
  const report = {
    ...describe(object, keys.dataset),
    outcome: 'quarantined' as const,
    quarantine_key: keys.quarantine,
    error: error.message,
  };
  const rejects = error instanceof RejectShareError ? { ...error.rows, top_reasons: [...error.topReasons] } : {};
  const details = { ...report, ...rejects, line: error.line ?? null, size: object.size, run_id: context.runId };
  await context.lake.upload(localPath, keys.quarantine);
  await writeRecord(context, keys.record(context.runId), report);
  await writeJson(context.lake, keys.quarantineReport, details);
  return report;
}

/** Written before the file's done-marker (its staging file or quarantine report), so that no file is done without one. */
async function writeRecord(context: IngestContext, key: string, file: FileReport): Promise<void> {
  const record: IngestRecord = { run_id: context.runId, file };
  await writeJson(context.lake, key, record);
}

async function keepLocalCopy(path: string, mirrorPath: string): Promise<void> {
  await mkdir(dirname(mirrorPath), { recursive: true });
  await rename(path, mirrorPath);
}

function describe(object: FingerprintedObject, dataset: string) {
  return { key: object.key, dataset, etag: object.etag, landed_at: object.lastModified.toISOString() };
}
