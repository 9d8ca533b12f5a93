import type { DuckDBSession } from '../core/duckdb.js';
import { sqlString } from '../core/duckdb.js';
import type { Lake } from '../core/lake/lake.js';
import { localCopy, readJson } from '../core/lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../core/lake/lake-layout.js';
import type { IngestSummary, RunManifest } from '../core/pipeline/run-manifest.js';
import type { Row } from './sections.js';

/** How many earlier runs the history lists. */
export const RUN_HISTORY_LIMIT = 10;
export const TOP_REJECT_REASONS = 5;

export interface DataHealth {
  readonly run: Pick<RunManifest, 'run_id' | 'status' | 'started_at' | 'finished_at' | 'churn_window_days' | 'published'> &
    Omit<IngestSummary, 'files'> & {
      readonly error: string | null;
      readonly as_of: string | null;
      readonly tests_passed: number;
      readonly tests_failed: number;
    };
  /** Files of the last run that were refused or had rows rejected. */
  readonly files: { readonly key: string; readonly outcome: string; readonly rows_rejected: number; readonly error: string | null }[];
  readonly reject_reasons: Row[];
  readonly missing_datasets: readonly string[];
  readonly warnings: string[];
  readonly history: { readonly run_id: string; readonly status: string; readonly started_at: string; readonly as_of: string | null }[];
}

/** The most common reasons in the given rejects files (Parquet with a `_reject_reason` column). */
export async function topRejectReasons(db: DuckDBSession, paths: readonly string[], limit = TOP_REJECT_REASONS): Promise<Row[]> {
  if (paths.length === 0) return [];
  return await db.rows(`
    select _reject_reason as reason, count(*)::integer as rows
    from read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true)
    group by all order by rows desc, reason limit ${limit}`);
}

/** The last run's files, rejects and warnings, and the history of the runs before it; undefined before the first run. */
export async function dataHealthSection(db: DuckDBSession, lake: Lake, scratchDir: string): Promise<DataHealth | undefined> {
  const latest = await readJson<RunManifest>(lake, LakeKeys.latestRunManifest);
  if (!latest) return undefined;
  const { files, ...ingestCounts } = latest.ingest;
  const rejectPaths: string[] = [];
  for (const file of files) if (file.rejects_key) rejectPaths.push(await localCopy(lake, file.rejects_key, scratchDir));
  const failedTests = latest.models.flatMap((model) =>
    (model.tests ?? []).filter((test) => !test.passed).map((test) => `${model.model} v${model.version}: ${test.name} failed`),
  );
  const notes = files.flatMap((file) => (file.notes ?? []).map((note) => `${file.key}: ${note}`));
  return {
    run: {
      run_id: latest.run_id,
      status: latest.status,
      started_at: latest.started_at,
      finished_at: latest.finished_at,
      churn_window_days: latest.churn_window_days,
      published: latest.published,
      ...ingestCounts,
      error: latest.error ?? null,
      as_of: latest.as_of ?? null,
      tests_passed: latest.tests.passed,
      tests_failed: latest.tests.failed,
    },
    files: files
      .filter((file) => file.outcome !== 'loaded' || (file.rows_rejected ?? 0) > 0)
      .map((file) => ({ key: file.key, outcome: file.outcome, rows_rejected: file.rows_rejected ?? 0, error: file.error ?? null })),
    reject_reasons: await topRejectReasons(db, rejectPaths),
    missing_datasets: latest.missing_datasets,
    warnings: [...notes, ...failedTests],
    history: await runHistory(lake),
  };
}

/** The last runs, newest first (run ids start with their UTC start time, so key order is time order). */
async function runHistory(lake: Lake): Promise<DataHealth['history']> {
  const keys = (await lake.list(LakePrefix.runs))
    .map((object) => object.key)
    .filter((key) => key !== LakeKeys.latestRunManifest && key.endsWith('.json'))
    .slice(-RUN_HISTORY_LIMIT)
    .reverse();
  const history: DataHealth['history'][number][] = [];
  for (const key of keys) {
    const manifest = await readJson<RunManifest>(lake, key);
    if (manifest) history.push({ run_id: manifest.run_id, status: manifest.status, started_at: manifest.started_at, as_of: manifest.as_of ?? null });
  }
  return history;
}
