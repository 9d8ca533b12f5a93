import type { DuckDBSession } from '../core/duckdb.js';
import { sqlString } from '../core/duckdb.js';
import type { Lake } from '../core/lake/lake.js';
import { localCopy, readJson } from '../core/lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../core/lake/lake-layout.js';
import type { FileReport } from '../core/ingest/ingest.js';
import type { IngestSummary, RunManifest, RunWarning } from '../core/pipeline/run-manifest.js';
import type { Row } from './sections.js';

/** How many earlier runs the history lists. */
export const RUN_HISTORY_LIMIT = 10;
export const TOP_REJECT_REASONS = 5;

export interface DataHealth {
  readonly run: Pick<RunManifest, 'run_id' | 'status' | 'started_at' | 'finished_at' | 'churn_window_days' | 'published'> &
    Omit<IngestSummary, 'files'> & {
      readonly error: string | null;
      readonly as_of: string | null;
      /** Where the as-of date came from, in words (asOfBasis). */
      readonly as_of_basis: string | null;
      readonly tests_passed: number;
      readonly tests_failed: number;
    };
  /** Files of the last run that were refused or had rows rejected, each with its most common reject reasons. */
  readonly files: {
    readonly key: string;
    readonly outcome: string;
    readonly rows_rejected: number;
    readonly error: string | null;
    readonly top_reasons: readonly { readonly reason: string; readonly rows: number }[];
  }[];
  readonly reject_reasons: Row[];
  readonly missing_datasets: readonly string[];
  /** The run's warnings (manifest.warnings): numbers that may be wrong, shown first and set apart. */
  readonly run_warnings: readonly RunWarning[];
  /** Notes on loaded files and failed data tests. */
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
  const rejectPaths = new Map<string, string>();
  for (const file of files) if (file.rejects_key) rejectPaths.set(file.key, await localCopy(lake, file.rejects_key, scratchDir));
  const reasonsOf = async (file: FileReport) => {
    if (file.top_reasons) return file.top_reasons.slice(0, TOP_REJECT_REASONS);
    const path = rejectPaths.get(file.key);
    return path ? ((await topRejectReasons(db, [path])) as { reason: string; rows: number }[]) : [];
  };
  const problemFiles: DataHealth['files'] = [];
  for (const file of files.filter((f) => f.outcome !== 'loaded' || (f.rows_rejected ?? 0) > 0)) {
    problemFiles.push({ key: file.key, outcome: file.outcome, rows_rejected: file.rows_rejected ?? 0, error: file.error ?? null, top_reasons: await reasonsOf(file) });
  }
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
      as_of_basis: asOfBasis(latest) ?? null,
      tests_passed: latest.tests.passed,
      tests_failed: latest.tests.failed,
    },
    files: problemFiles,
    reject_reasons: await topRejectReasons(db, [...rejectPaths.values()]),
    missing_datasets: latest.missing_datasets,
    run_warnings: latest.warnings ?? [],
    warnings: [...notes, ...failedTests],
    history: await runHistory(lake),
  };
}

/** What the as-of date is, where it is not the next word after the date: the other dated rows a lake without orders has. */
const AS_OF_FALLBACKS = [
  ['subscriptions', 'subscription start'],
  ['survey_responses', 'survey response'],
  ['events', 'event'],
] as const;

/**
 * Where a run's as-of date came from, in words: the manifest's as_of_basis ('option' read as
 * '--as-of'), else told from the run's inputs as the pipeline chooses it (metrics.md: the latest
 * completed order; in a lake without orders the latest subscription start, survey response or event).
 */
export function asOfBasis(manifest: Pick<RunManifest, 'as_of_basis' | 'as_of_source' | 'inputs'>): string | undefined {
  const basis = manifest.as_of_basis ?? (manifest.as_of_source === 'option' ? 'option' : undefined);
  if (basis) return basis === 'option' ? '--as-of' : basis;
  if (manifest.as_of_source !== 'data') return undefined;
  const has = (dataset: string) => ((manifest.inputs ?? []).find((input) => input.dataset === dataset)?.rowsCurrent ?? 0) > 0;
  if (has('orders')) return 'latest completed order';
  const dated = AS_OF_FALLBACKS.filter(([dataset]) => has(dataset)).map(([, what]) => what);
  return dated.length === 0 ? 'latest dated row' : `latest ${dated.join(', ').replace(/, ([^,]*)$/, ' or $1')}`;
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
