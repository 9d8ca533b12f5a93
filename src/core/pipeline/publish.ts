import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { errorMessage, LoyaltyLakeError } from '../errors.js';
import type { Lake } from '../lake/lake.js';
import { exists, findObject, readJson, writeJson } from '../lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import type { ModelVersion } from '../models/model-declaration.js';
import { OUTPUT_TYPES } from '../models/output-types.js';

/**
 * What a run publishes: 'current' replaces the tables in metrics/ and writes the as-of date's
 * snapshots; 'history_only' (a backfill) writes the snapshots only.
 */
export type PublishMode = 'current' | 'history_only';

export interface PublishedTable {
  /** Absent when the run publishes history only. */
  readonly metricsKey?: string;
  readonly historyKey: string;
}

export function publishedKeys(model: ModelVersion, asOf: string, settings: string, mode: PublishMode): PublishedTable {
  return {
    ...(mode === 'current' ? { metricsKey: LakeKeys.metrics(model.model, model.version) } : {}),
    historyKey: LakeKeys.history(model.model, model.version, asOf, settings),
  };
}

/**
 * The settings variant of a run's snapshots: its churn window and the start of its lake
 * settings' fingerprint (which covers every setting a model reads), e.g. `cw90-1a2b3c4d`. A run
 * with other settings writes its own snapshot of an as-of date instead of replacing another's.
 */
export function historySettings(churnWindowDays: number, settingsFingerprint: string): string {
  return `cw${churnWindowDays}-${settingsFingerprint.slice(0, 8)}`;
}

/** Which run wrote a published file: in every Parquet file's key-value metadata, so a reader can check all tables come from one run. */
export interface PublishStamp {
  readonly runId: string;
  readonly asOf: string;
  /** @default 'current' */
  readonly mode?: PublishMode;
}

/** Writes a built model table to one local ZSTD Parquet file, stamped with the run, and checks its column encodings. */
export async function writeModelParquet(db: DuckDBSession, model: ModelVersion, workDir: string, stamp: PublishStamp): Promise<string> {
  const path = join(workDir, 'publish', model.model, `v${model.version}.parquet`);
  await mkdir(join(workDir, 'publish', model.model), { recursive: true });
  const metadata = `kv_metadata {run_id: ${sqlString(stamp.runId)}, as_of: ${sqlString(stamp.asOf)}}`;
  await db.run(`copy ${sqlIdent(model.table)} to ${sqlString(path)} (format parquet, compression zstd, ${metadata})`);
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
 * The publish journal (`_runs/publish.json`), written before the first table is replaced: every
 * object the run replaces (tables and snapshots), where a copy of its previous content is kept
 * (null: there was none) and the new content's fingerprint. A run's tables are published once
 * `_runs/latest.json` names that run as succeeded (a history-only publish: once the run's own
 * manifest does); until then the next run rolls the journal back.
 */
export interface PublishJournal {
  readonly run_id: string;
  readonly as_of: string;
  /** How the publish is committed: 'current' when latest.json names the run, 'history_only' when its own manifest says it succeeded. Absent in older journals: 'current'. */
  readonly mode?: PublishMode;
  readonly state: 'replacing' | 'committed';
  readonly started_at: string;
  readonly objects: readonly JournalEntry[];
}

export interface JournalEntry {
  /** The object replaced: a table under metrics/ or a snapshot under history/. */
  readonly key: string;
  /** A copy of what was there before, or null if nothing was. */
  readonly previous: string | null;
  /** What the run writes there (MD5, S3's ETag of a single PUT). */
  readonly new: { readonly md5: string; readonly size: number };
}

/** What a run found of an earlier run's unfinished publish, and did with it (in its manifest). */
export interface PublishRecovery {
  readonly run_id: string;
  readonly action: 'rolled_back' | 'rolled_forward';
  readonly objects: number;
  /** Objects the interrupted run had already replaced (by fingerprint). */
  readonly replaced: number;
}

/** A publish whose tables are all in place, not yet committed. */
export interface Publication {
  readonly journal: PublishJournal;
  /** Marks the journal committed and removes it with the copies: after the manifest that commits the run is written. */
  commit(): Promise<void>;
  /** Puts every previous object back; says what it did (never throws). */
  rollBack(): Promise<string>;
}

/**
 * Replaces every table and stores its snapshot for the as-of date, journaled: copies of the
 * previous objects first, then the journal, then the new objects. If a write fails, every
 * object gets its previous content back (a snapshot that did not exist is removed), so a failed
 * publish changes no byte of metrics/ or history/; if the process dies, the next run does that.
 */
export async function publishTables(
  lake: Lake,
  stamp: PublishStamp,
  tables: readonly { localPath: string; keys: PublishedTable }[],
  scratch: string,
): Promise<Publication> {
  const metrics = new Set((await lake.list(LakePrefix.metrics)).map((o) => o.key));
  const writes = tables.flatMap(({ localPath, keys }) => [
    ...(keys.metricsKey ? [{ localPath, key: keys.metricsKey }] : []),
    { localPath, key: keys.historyKey },
  ]);
  const objects: JournalEntry[] = [];
  for (const { localPath, key } of writes) {
    let previous: string | null = null;
    if (key.startsWith(LakePrefix.metrics) ? metrics.has(key) : await exists(lake, key)) {
      previous = LakeKeys.publishPrevious(stamp.runId, key);
      const copy = join(scratch, 'previous', key);
      await lake.download(key, copy);
      await lake.upload(copy, previous);
    }
    const content = await readFile(localPath);
    objects.push({ key, previous, new: { md5: createHash('md5').update(content).digest('hex'), size: content.length } });
  }
  const journal: PublishJournal = {
    run_id: stamp.runId,
    as_of: stamp.asOf,
    mode: stamp.mode ?? 'current',
    state: 'replacing',
    started_at: new Date().toISOString(),
    objects,
  };
  await writeJson(lake, LakeKeys.publishJournal, journal);
  const publication: Publication = {
    journal,
    commit: async () => {
      await writeJson(lake, LakeKeys.publishJournal, { ...journal, state: 'committed' });
      await removeJournal(lake);
    },
    rollBack: async () => {
      try {
        await rollBack(lake, journal, scratch);
        return `put back the previous content of all ${objects.length} objects`;
      } catch (error) {
        return `could not put back the previous objects (${errorMessage(error)}); the next run rolls back ${LakeKeys.publishJournal}`;
      }
    },
  };
  try {
    for (const { localPath, key } of writes) await lake.upload(localPath, key);
  } catch (error) {
    throw new LoyaltyLakeError(`${errorMessage(error)} (while publishing; ${await publication.rollBack()})`, { cause: error });
  }
  return publication;
}

/**
 * Finishes an earlier run's publish that a crash (or a lost lake) left unfinished: forward if
 * it was committed — latest.json names that run as succeeded, or for a history-only publish,
 * which never touches latest.json, the run's own manifest says it succeeded — else back. Run
 * before anything else, under the lease. Undefined if there was nothing to finish.
 */
export async function recoverPublish(lake: Lake, scratch: string, committedRun: string | undefined): Promise<PublishRecovery | undefined> {
  const journal = await readJson<PublishJournal>(lake, LakeKeys.publishJournal);
  if (!journal) return undefined;
  let replaced = 0;
  for (const entry of journal.objects) if ((await findObject(lake, entry.key, { etags: true }))?.etag === entry.new.md5) replaced += 1;
  const forward =
    journal.state === 'committed' ||
    (journal.mode === 'history_only' ? await runSucceeded(lake, journal.run_id) : committedRun === journal.run_id);
  if (forward) await removeJournal(lake);
  else await rollBack(lake, journal, scratch);
  return { run_id: journal.run_id, action: forward ? 'rolled_forward' : 'rolled_back', objects: journal.objects.length, replaced };
}

/** Whether the run's own manifest (`_runs/<run_id>.json`) says it succeeded: what commits a history-only publish. */
export async function runSucceeded(lake: Lake, runId: string): Promise<boolean> {
  return (await readJson<{ status?: string }>(lake, LakeKeys.runManifest(runId)))?.status === 'succeeded';
}

/**
 * Removes temp files that versions before the journal left beside tables when killed
 * (`<key>.<uuid>.tmp-upload` in metrics/ or history/, which Athena would read as data).
 * Run under the lease: no publish of this version writes such names.
 */
export async function removeStrayTemps(lake: Lake): Promise<string[]> {
  const stray = [...(await lake.list(LakePrefix.metrics)), ...(await lake.list(LakePrefix.history))]
    .map((o) => o.key)
    .filter((key) => key.endsWith('.tmp-upload'));
  for (const key of stray) await lake.delete(key);
  return stray;
}

/** Every journaled object back to its previous content, then the journal and the copies removed. */
async function rollBack(lake: Lake, journal: PublishJournal, scratch: string): Promise<void> {
  for (const [index, entry] of journal.objects.entries()) {
    if (entry.previous === null) {
      await lake.delete(entry.key);
      continue;
    }
    const copy = join(scratch, 'restore', String(index));
    await lake.download(entry.previous, copy);
    await lake.upload(copy, entry.key);
  }
  await removeJournal(lake);
}

/** The journal first (it must never name copies that are gone), then every copy, also those of older interrupted cleanups. */
async function removeJournal(lake: Lake): Promise<void> {
  await lake.delete(LakeKeys.publishJournal);
  for (const { key } of await lake.list(LakeKeys.publishArea)) await lake.delete(key);
}
