import { DuckDBSession, sqlString } from '../duckdb.js';
import type { FileReport } from '../ingest/ingest.js';
import type { Lake } from '../lake/lake.js';
import { localCopy } from '../lake/lake-helpers.js';
import { LakeKeys } from '../lake/lake-layout.js';
import type { RunWarning } from './run-manifest.js';
import type { StagedDataset } from './stage-inputs.js';

/** How many reasons a message lists. */
const TOP_REASONS = 5;

/** A dataset whose every row was rejected (or whose every file was refused): its inputs reached the lake, no row is current. */
export interface RejectedDataset {
  readonly dataset: string;
  /** Rows in the dataset's rejects files, and how many files they are. */
  readonly rows_rejected: number;
  readonly rejects_files: number;
  /** The most common reasons, their echoed values left out, with the rows that have each; they add up to rows_rejected when there are at most five. */
  readonly reasons: readonly { readonly reason: string; readonly rows: number }[];
  /** Files of the dataset this run refused whole, with why. */
  readonly refused_files: readonly { readonly key: string; readonly error: string }[];
}

/**
 * The datasets that were dropped but have no current row: every row of their files was
 * rejected (read back from `rejects/<dataset>/`), or every file this run saw was refused.
 * A dataset never dropped is not one of them.
 */
export async function allRejectedDatasets(
  lake: Lake,
  db: DuckDBSession,
  workDir: string,
  inputs: readonly StagedDataset[],
  files: readonly FileReport[],
): Promise<RejectedDataset[]> {
  const rejected: RejectedDataset[] = [];
  for (const input of inputs.filter((i) => i.rowsCurrent === 0)) {
    const rejectsKeys = (await lake.list(LakeKeys.rejectsFolder(input.dataset))).map((o) => o.key).filter((key) => key.endsWith('.parquet'));
    const refused = files
      .filter((f) => f.dataset === input.dataset && f.outcome === 'quarantined')
      .map((f) => ({ key: f.key, error: f.error ?? 'refused' }));
    if (rejectsKeys.length === 0 && refused.length === 0) continue;
    const paths: string[] = [];
    for (const key of rejectsKeys) paths.push(await localCopy(lake, key, workDir));
    const { rows, reasons } = await commonReasons(db, paths);
    rejected.push({ dataset: input.dataset, rows_rejected: rows, rejects_files: rejectsKeys.length, reasons, refused_files: refused });
  }
  return rejected;
}

/**
 * Rows per reason, most common first. A row's reason lists every rule it breaks (joined by
 * '; '), each quoting the value it got: the quotes are taken out, so rows that break the same
 * rules group together whatever their values, and each row counts once.
 */
async function commonReasons(db: DuckDBSession, paths: readonly string[]): Promise<{ rows: number; reasons: RejectedDataset['reasons'] }> {
  if (paths.length === 0) return { rows: 0, reasons: [] };
  const rows = await db.rows(`
    with rejected as (
        select _reject_reason as reason
        from read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true)
    ),
    unquoted as (
        select regexp_replace(
                   regexp_replace(regexp_replace(coalesce(reason, '(no reason)'), ', got ''.*?''(; |$)', '\\1', 'g'), ': ''.*?''(; |$)', '\\1', 'g'),
                   ', got [^;]*', '', 'g') as reason
        from rejected
    )
    select reason, count(*) as rows, sum(count(*)) over () as total
    from unquoted
    group by reason
    order by rows desc, reason`);
  return {
    rows: Number(rows[0]?.total ?? 0),
    reasons: rows.slice(0, TOP_REASONS).map((r) => ({ reason: String(r.reason), rows: Number(r.rows) })),
  };
}

/** One line: how many rows of the dataset were rejected, for which reasons, and the files refused whole. */
export function allRejectedMessage(dataset: RejectedDataset): string {
  const refused = dataset.refused_files.map((f) => `${f.key}: ${f.error}`).join('; ');
  if (dataset.rows_rejected === 0) return `every file of ${dataset.dataset} was refused whole, no row is loaded: ${refused}`;
  const files = `${dataset.rejects_files} file${dataset.rejects_files === 1 ? '' : 's'}`;
  const reasons = dataset.reasons.map((r) => `${r.reason} (${r.rows} row${r.rows === 1 ? '' : 's'})`).join(', ');
  return (
    `every row of ${dataset.dataset} was rejected (${dataset.rows_rejected} rows in ${files}, see ${LakeKeys.rejectsFolder(dataset.dataset)}); ` +
    `most common reasons: ${reasons}` +
    (refused ? `; also refused whole: ${refused}` : '')
  );
}

/** The warning of a dataset with no loaded row, in a run that goes on with the others. */
export function allRejectedWarning(dataset: RejectedDataset): RunWarning {
  return { kind: 'all_rejected', message: allRejectedMessage(dataset), details: { ...dataset } };
}
