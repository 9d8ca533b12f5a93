import type { FileReport } from '../ingest/ingest.js';
import type { DataTestResult } from '../models/model-runner.js';
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

/** What a run did, written to `_runs/<run_id>.json` and `_runs/latest.json`. */
export interface RunManifest {
  readonly run_id: string;
  status: 'running' | 'succeeded' | 'failed';
  error?: string;
  readonly lake: string;
  readonly started_at: string;
  finished_at?: string;
  as_of?: string;
  as_of_source?: 'data' | 'option';
  readonly churn_window_days: number;
  /** Files handled by this run's ingest (new files only) and the totals. */
  ingest: {
    files: FileReport[];
    files_loaded: number;
    files_quarantined: number;
    files_already_ingested: number;
    rows_in: number;
    rows_loaded: number;
    rows_rejected: number;
  };
  /** Every staging file the models read, per dataset. */
  inputs: StagedDataset[];
  /** Datasets with no rows: the models that need them are skipped, their scorecard columns NULL. */
  missing_datasets: string[];
  models: ModelRunRecord[];
  tests: { passed: number; failed: number };
  published: boolean;
  timings_ms: Record<string, number>;
}

export function summarizeIngest(files: FileReport[]): RunManifest['ingest'] {
  const fresh = files.filter((f) => f.outcome !== 'already_ingested');
  const sum = (field: 'rows_in' | 'rows_loaded' | 'rows_rejected') => fresh.reduce((total, f) => total + (f[field] ?? 0), 0);
  return {
    files: fresh,
    files_loaded: fresh.filter((f) => f.outcome === 'loaded').length,
    files_quarantined: fresh.filter((f) => f.outcome === 'quarantined').length,
    files_already_ingested: files.length - fresh.length,
    rows_in: sum('rows_in'),
    rows_loaded: sum('rows_loaded'),
    rows_rejected: sum('rows_rejected'),
  };
}
