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
} as const;

export type LakeArea = keyof typeof LakePrefix;

export const LakeKeys = {
  /** Folder of one dataset's (or preset's) dropped exports. */
  inboxFolder: (folder: string) => `${LakePrefix.inbox}${folder}/`,
  /** Folder of one dataset's staging files. */
  stagingFolder: (dataset: string) => `${LakePrefix.staging}${dataset}/`,
  /** Staging file of one ingested input file (`fileId` names the input file and its content). */
  staging: (dataset: string, fileId: string) => `${LakePrefix.staging}${dataset}/${fileId}.parquet`,
  rejects: (dataset: string, fileId: string) => `${LakePrefix.rejects}${dataset}/${fileId}.parquet`,
  /** Quarantine copy of a refused file; `dataset` is '_unknown' for a folder that is no dataset. */
  quarantine: (dataset: string, fileId: string) => `${LakePrefix.quarantine}${dataset}/${fileId}`,
  quarantineReport: (quarantineKey: string) => `${quarantineKey}.error.json`,
  /** Folder of one published model version (a Glue table's location). */
  metricsFolder: (model: string, version: number) => `${LakePrefix.metrics}${model}/v${version}/`,
  metrics: (model: string, version: number) => `${LakeKeys.metricsFolder(model, version)}data.parquet`,
  /** Folder of one model version's snapshots, partitioned by `as_of=` (a Glue table's location). */
  historyFolder: (model: string, version: number) => `${LakePrefix.history}${model}/v${version}/`,
  history: (model: string, version: number, asOf: string) => `${LakeKeys.historyFolder(model, version)}as_of=${asOf}/data.parquet`,
  runManifest: (runId: string) => `${LakePrefix.runs}${runId}.json`,
  latestRunManifest: `${LakePrefix.runs}latest.json`,
  report: `${LakePrefix.report}index.html`,
  /** The lake's own settings, at its root. */
  settings: 'loyaltylake.yml',
} as const;
