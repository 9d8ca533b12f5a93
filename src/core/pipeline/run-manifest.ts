import type { ForgetRecord } from '../control/forget-records.js';
import type { FileReport } from '../ingest/ingest.js';
import type { LakeCurrency } from '../ingest/lake-currency.js';
import type { LeftOut } from '../ingest/leave-out.js';
import type { Lake } from '../lake/lake.js';
import { readJson, writeJson } from '../lake/lake-helpers.js';
import { LakeKeys } from '../lake/lake-layout.js';
import type { DataTestResult } from '../models/model-runner.js';
import type { PublishRecovery } from './publish.js';
import type { TargetAlert, TargetSetting } from '../targets/targets.js';
import type { RunHeadline } from './headline-figures.js';
import type { StagedDataset } from './stage-inputs.js';

export interface ModelRunRecord {
  readonly model: string;
  readonly version: number;
  readonly fingerprint: string;
  readonly status: 'built' | 'skipped';
  readonly skipped_because?: string;
  readonly rows?: number;
  readonly tests?: DataTestResult[];
  readonly published_to?: string;
  readonly snapshot_to?: string;
  readonly duration_ms?: number;
}

/** Something the user must see about a run's numbers or inputs (console, manifest, report). */
export interface RunWarning {
  /** What kind of warning: 'jump' (a headline number changed by 10× or more since the previous run), 'rejects', … */
  readonly kind: string;
  /** One line a person reads. */
  readonly message: string;
  /** The figures behind it, for tools. */
  readonly details?: Record<string, unknown>;
}

export interface IngestSummary {
  /** Files handled by this run's ingest (new files only). */
  readonly files: FileReport[];
  readonly files_loaded: number;
  readonly files_quarantined: number;
  readonly files_already_ingested: number;
  /** Inbox entries that are no readable file (a FIFO, a dangling link), each in `files` with its reason. */
  readonly files_skipped: number;
  /** Inbox files not read because they are withdrawn (loyaltylake withdraw; `_control/withdrawn/`). */
  readonly files_withdrawn: number;
  readonly rows_in: number;
  readonly rows_loaded: number;
  readonly rows_rejected: number;
}

/**
 * What a run did, written to `_runs/<run_id>.json` and `_runs/latest.json`. A run that found
 * the lake held by another run ('blocked') changed nothing and writes only its own manifest.
 */
export interface RunManifest {
  readonly run_id: string;
  readonly status: 'succeeded' | 'failed' | 'blocked';
  readonly error?: string;
  readonly lake: string;
  readonly started_at: string;
  readonly finished_at: string;
  readonly as_of?: string;
  readonly as_of_source?: 'data' | 'option';
  /** Which date the as-of date is: 'option' (--as-of), 'latest completed order', 'latest subscription start', 'latest survey response' or 'latest event'. */
  readonly as_of_basis?: string;
  readonly churn_window_days: number;
  /** The lake's currency and where it comes from (absent while no file had one), with the staged rows left out for another. */
  readonly currency?: LakeCurrency & { readonly rows_left_out?: LeftOut };
  /** Staged rows with a date outside the lake's window or an amount out of range (staged by an older version), left out of the models. */
  readonly out_of_range_left_out?: LeftOut;
  /**
   * The lake's settings file the run read (null: none, defaults used), the keys in it no setting
   * reads, and the fingerprint of the settings in effect (a change makes the next tick run).
   */
  readonly settings: { readonly source: string | null; readonly unknown_keys: readonly string[]; readonly fingerprint?: string };
  /** The KPI targets of the settings file the run evaluated (kpi_targets_monthly), as written. */
  readonly targets?: readonly TargetSetting[];
  /** Targets missed in the latest complete month; only on a succeeded run (empty: none missed). */
  readonly alerts?: readonly TargetAlert[];
  /** Files handled by this run's ingest and the totals. */
  readonly ingest: IngestSummary;
  /** Every staging file the models read, per dataset. */
  readonly inputs: StagedDataset[];
  /** Datasets with no rows: the models that need them are skipped, their scorecard columns NULL. */
  readonly missing_datasets: string[];
  readonly models: ModelRunRecord[];
  readonly tests: { readonly passed: number; readonly failed: number };
  readonly published: boolean;
  /** An earlier run's unfinished publish this run found and finished first (publish.ts). */
  readonly recovered_publish?: PublishRecovery;
  /**
   * 'current': the run replaced the tables in metrics/ and wrote its history snapshots;
   * 'history_only': a backfill (--as-of before that of the current tables) wrote history snapshots only.
   */
  readonly publish_mode?: 'current' | 'history_only';
  /** Set when --as-of is before the as-of date of the tables in metrics/: that run and date. */
  readonly backfill?: { readonly current_run_id: string; readonly current_as_of: string; readonly publish_current: boolean };
  /** The settings variant of the run's history snapshots (`settings=` in their keys): churn window and settings fingerprint. */
  readonly history_settings?: string;
  /** The run's headline figures, which the next run compares its own with (jump-warnings.ts). */
  readonly headline?: RunHeadline;
  /** Numbers that may be wrong (a jump since the previous run, a file with many rejects, …): never block publishing, always shown. */
  readonly warnings?: RunWarning[];
  /** Customers forgotten (loyaltylake forget) since the previous run: that it happened and what changed, never who. */
  readonly forgets?: ForgetRecord[];
  readonly timings_ms: Record<string, number>;
}

export function summarizeIngest(files: readonly FileReport[]): IngestSummary {
  const fresh = files.filter((f) => f.outcome !== 'already_ingested');
  const sum = (field: 'rows_in' | 'rows_loaded' | 'rows_rejected') => fresh.reduce((total, f) => total + (f[field] ?? 0), 0);
  return {
    files: fresh,
    files_loaded: fresh.filter((f) => f.outcome === 'loaded').length,
    files_quarantined: fresh.filter((f) => f.outcome === 'quarantined').length,
    files_already_ingested: files.filter((f) => f.outcome === 'already_ingested').length,
    files_withdrawn: files.filter((f) => f.outcome === 'withdrawn').length,
    files_skipped: fresh.filter((f) => f.outcome === 'skipped').length,
    rows_in: sum('rows_in'),
    rows_loaded: sum('rows_loaded'),
    rows_rejected: sum('rows_rejected'),
  };
}

/**
 * Stores the manifest of a run under its id and as the latest (a blocked run: only under its
 * id, as it did nothing; a backfill that publishes history only: only under its id, so that
 * latest.json keeps naming the run whose tables are current). latest.json naming a succeeded
 * run is what commits its publish (for a history-only run: its own manifest).
 */
export async function writeManifest(lake: Lake, manifest: RunManifest): Promise<void> {
  await writeJson(lake, LakeKeys.runManifest(manifest.run_id), manifest);
  if (manifest.status !== 'blocked' && manifest.publish_mode !== 'history_only') await writeJson(lake, LakeKeys.latestRunManifest, manifest);
}

/** The latest run's manifest, or undefined before the first run. */
export async function latestManifest(lake: Lake): Promise<RunManifest | undefined> {
  return await readJson<RunManifest>(lake, LakeKeys.latestRunManifest);
}
