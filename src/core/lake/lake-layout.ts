import { createHash } from 'node:crypto';

/**
 * The lake layout (architecture.md, "Lake layout"): every prefix and every key the pipeline,
 * the Lambda functions, the IAM grants and the Glue tables use. A prefix is renamed here and
 * nowhere else. Keys use '/', never start with it, and prefixes end with it.
 */
export const LakePrefix = {
  /** Exports as dropped by the user: `inbox/<dataset or preset>/<any name>`. */
  inbox: 'inbox/',
  /** Typed, validated rows of each ingested file, one Parquet file per input file. */
  staging: 'staging/',
  /** Rows refused with their reason, one Parquet file per input file that had any. */
  rejects: 'rejects/',
  /** Whole files refused, each with a JSON report beside it. */
  quarantine: 'quarantine/',
  /** The published tables: the current version of every model version. */
  metrics: 'metrics/',
  /** A snapshot of every published table per as-of date. */
  history: 'history/',
  /** One manifest per run, and the latest. */
  runs: '_runs/',
  /** The report of the latest successful run. */
  report: 'report/',
  /** A local lake's temp files while they are written: never listed, never data. */
  tmp: '_tmp/',
  /** What the user decided about the data: withdrawn inbox files, the pseudonymisation key check (src/core/control). */
  control: '_control/',
} as const;

export type LakeArea = keyof typeof LakePrefix;

/** The folder of a file loose in the inbox, and the quarantine folder of files dropped where no dataset is. */
const UNKNOWN_FOLDER = '_unknown';

export const LakeKeys = {
  /** Folder of one dataset's (or preset's) dropped exports. */
  inboxFolder: (folder: string) => `${LakePrefix.inbox}${folder}/`,
  inboxFile: (folder: string, name: string) => `${LakeKeys.inboxFolder(folder)}${name}`,
  /** Folder of one dataset's staging files. */
  stagingFolder: (dataset: string) => `${LakePrefix.staging}${dataset}/`,
  /** Staging file of one ingested input file (`fileId` names the input file and its content, see `inputFileId`). */
  staging: (dataset: string, fileId: string) => `${LakeKeys.stagingFolder(dataset)}${fileId}.parquet`,
  /**
   * A dataset's compacted staging file: the rows of many staging files in one (compact-staging.ts).
   * No input file's id can name it: every id ends in `@<fingerprint>`, and this name has no '@'.
   * Not `_compacted-…`: Hive-style readers (Athena over Glue tables) take names starting with '_' or '.' for hidden files.
   */
  compactedStaging: (dataset: string, id: string) => `${LakeKeys.stagingFolder(dataset)}compacted-${id}.parquet`,
  /** Which staging files a dataset's compacted file holds (compact-staging.ts). */
  stagingIndexes: `${LakePrefix.runs}staging-index/`,
  stagingIndex: (dataset: string) => `${LakePrefix.runs}staging-index/${dataset}.json`,
  /** Folder of one dataset's rejected rows. */
  rejectsFolder: (dataset: string) => `${LakePrefix.rejects}${dataset}/`,
  rejects: (dataset: string, fileId: string) => `${LakeKeys.rejectsFolder(dataset)}${fileId}.parquet`,
  /** Quarantine copy of a refused file of a dataset. */
  quarantine: (dataset: string, fileId: string) => `${LakePrefix.quarantine}${dataset}/${fileId}`,
  /** Quarantine copy of a file in a folder that is no dataset; `fileId` keeps that folder. */
  quarantineUnknown: (fileId: string) => `${LakePrefix.quarantine}${UNKNOWN_FOLDER}/${fileId}`,
  quarantineReport: (quarantineKey: string) => `${quarantineKey}.error.json`,
  /** Folder of one published model version (a Glue table's location). `version` may be a placeholder such as '<N>'. */
  metricsFolder: (model: string, version: number | string) => `${LakePrefix.metrics}${model}/v${version}/`,
  metrics: (model: string, version: number | string) => `${LakeKeys.metricsFolder(model, version)}data.parquet`,
  /** Folder of one model version's snapshots, partitioned by `as_of=` and `settings=` (a Glue table's location). */
  historyFolder: (model: string, version: number) => `${LakePrefix.history}${model}/v${version}/`,
  /**
   * The partition folder of one as-of date and settings variant (`historySettings` in publish.ts),
   * relative to a history folder (pass '${as_of}' and '${settings}' for Glue's location template).
   */
  historyPartition: (asOf: string, settings: string) => `as_of=${asOf}/settings=${settings}/`,
  history: (model: string, version: number, asOf: string, settings: string) =>
    `${LakeKeys.historyFolder(model, version)}${LakeKeys.historyPartition(asOf, settings)}data.parquet`,
  runManifest: (runId: string) => `${LakePrefix.runs}${runId}.json`,
  latestRunManifest: `${LakePrefix.runs}latest.json`,
  /** The lease of the run that holds the lake (one run at a time). */
  runLease: `${LakePrefix.runs}lease.json`,
  /** Created (exclusively) by the one run that takes over an expired lease of `runId`. */
  leaseTakeover: (runId: string) => `${LakePrefix.runs}lease-takeover/${runId}.json`,
  /** The journal of a publish in progress: every table's previous and new object (publish.ts). */
  publishJournal: `${LakePrefix.runs}publish.json`,
  /** Where publishes keep copies of the objects they replace, until committed or rolled back. */
  publishArea: `${LakePrefix.runs}publish/`,
  publishPrevious: (runId: string, key: string) => `${LakeKeys.publishArea}${runId}/previous/${key}`,
  /** Every file's ingest record, by the run that ingested it. */
  ingestRecords: `${LakePrefix.runs}ingested/`,
  /** The record of one ingested file (`fileId` as in its staging or quarantine key) by the run `runId`. */
  ingestRecord: (runId: string, dataset: string, fileId: string) => `${LakeKeys.ingestRecords}${runId}/${dataset}/${fileId}.json`,
  /** The lake's currency, as taken from the first file loaded with one (unless loyaltylake.yml sets it). */
  lakeCurrency: `${LakePrefix.runs}currency.json`,
  report: `${LakePrefix.report}index.html`,
  /** Tombstones of withdrawn inbox files, one per inbox key (named by its hash: keys reach 1024 bytes). */
  withdrawnFolder: `${LakePrefix.control}withdrawn/`,
  withdrawn: (inboxKey: string) => `${LakePrefix.control}withdrawn/${createHash('sha256').update(inboxKey).digest('hex')}.json`,
  /** Proof that staging is pseudonymised, and with which key (a keyed hash of a constant, never of a person). */
  pseudonymisation: `${LakePrefix.control}pseudonymisation.json`,
  /** That a forget happened and what it touched, never whom. */
  forgetRecords: `${LakePrefix.runs}forgets/`,
  forgetRecord: (forgetId: string) => `${LakePrefix.runs}forgets/${forgetId}.json`,
  /** The lake's own settings, at its root. */
  settings: 'loyaltylake.yml',
} as const;

/** An inbox key split into the folder it was dropped in (a dataset or preset) and the path below it. */
export interface InboxPath {
  /** The first folder below inbox/, or '_unknown' for a file loose in the inbox. */
  readonly folder: string;
  /** The key below that folder (for a loose file: below inbox/), e.g. '2024/orders.csv'. */
  readonly name: string;
  /** The key below inbox/, e.g. 'orders/2024/orders.csv'. */
  readonly path: string;
}

export function parseInboxKey(key: string): InboxPath {
  if (!key.startsWith(LakePrefix.inbox)) throw new Error(`not an inbox key: ${key}`);
  const path = key.slice(LakePrefix.inbox.length);
  const slash = path.indexOf('/');
  if (slash <= 0) return { folder: UNKNOWN_FOLDER, name: path, path };
  return { folder: path.slice(0, slash), name: path.slice(slash + 1), path };
}

/**
 * Longest path segment an id keeps as written (UTF-8 bytes): a file system allows 255 per name,
 * and the longest name made from an id adds 75 (a local quarantine report while it is written:
 * `@<12>.error.json.<uuid>.tmp-upload`).
 */
const MAX_SEGMENT_BYTES = 180;
/** Longest path an id keeps as written: S3 allows 1024 bytes per key, with room for the folders before it. */
const MAX_PATH_BYTES = 800;
/** How much of a long file name a hashed id keeps, to stay readable. */
const READABLE_BYTES = 60;

/**
 * Names one version of one input file in staging, rejects and quarantine: its path (below the
 * dataset folder) and the start of its content fingerprint, so a changed file is a new input.
 * Every key derived from an input file's name is built here.
 *
 * A path with a segment over 180 bytes or over 800 bytes in all (S3 keys reach 1024 bytes, a
 * CJK file name 255) becomes the start of its file name and a hash of the whole path. Shorter
 * paths stay as they are, so files ingested before keep their ids (but for names of 181–186
 * bytes, the longest that could load before: they are ingested once more).
 */
export function inputFileId(path: string, etag: string): string {
  return `${fitPath(path)}@${etag.replaceAll('"', '').slice(0, 12)}`;
}

function fitPath(path: string): string {
  const segments = path.split('/');
  if (Buffer.byteLength(path) <= MAX_PATH_BYTES && segments.every((s) => Buffer.byteLength(s) <= MAX_SEGMENT_BYTES)) return path;
  const hash = createHash('sha256').update(path).digest('hex').slice(0, 16);
  return `${utf8Start(segments.at(-1)!, READABLE_BYTES)}~${hash}`;
}

/** The longest start of `text` of at most `bytes` UTF-8 bytes, never cutting a character. */
function utf8Start(text: string, bytes: number): string {
  let result = '';
  for (const char of text) {
    if (Buffer.byteLength(result + char) > bytes) break;
    result += char;
  }
  return result;
}
