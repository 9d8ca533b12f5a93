import { DuckDBSession } from '../duckdb.js';
import { InputFileError } from '../errors.js';

/** A reason rows were rejected for, without the values it quotes, and how many rows it rejected. */
export interface ReasonCount {
  readonly reason: string;
  readonly rows: number;
}

/** How many reasons a report lists. */
export const TOP_REASONS = 5;

/**
 * The default `ingest.max_reject_share`. Data rejects a few rows for what they are (1.4% of the
 * UCI online-retail invoices have no customer id); a misread format rejects many (19% of a
 * Stripe export with thousands separators, every row of a European re-save): 5% lies between,
 * with room for a file a little worse than usual.
 */
export const DEFAULT_MAX_REJECT_SHARE = 0.05;

/**
 * Below this many rejected rows a file is not judged by its share: in a small file one or two
 * bad rows are a large share by chance (2 of 20 rows is 10%), and each is reported as a reject anyway.
 */
export const MIN_REJECTS_JUDGED = 10;

/** The most frequent reasons of `checked_input`'s rejected rows (a row with two reasons counts under both). */
export async function topReasons(db: DuckDBSession, limit = TOP_REASONS): Promise<ReasonCount[]> {
  const rows = await db.rows(`
    select reason, count(*) as rows
    from (select unnest(string_split(__reason_stems, '; ')) as reason from checked_input where __reason_stems is not null)
    group by reason
    order by rows desc, reason
    limit ${limit}`);
  return rows.map((row) => ({ reason: String(row.reason), rows: Number(row.rows) }));
}

/** A file refused whole because too many of its rows were rejected: the counts come with it, for the quarantine report. */
export class RejectShareError extends InputFileError {
  constructor(
    message: string,
    readonly rows: { readonly rows_in: number; readonly rows_rejected: number },
    readonly topReasons: readonly ReasonCount[],
  ) {
    super(message);
    this.name = 'RejectShareError';
  }
}

/** `4.1%`: one decimal below 10%, none above; never 0% or 100% unless it is. */
export function formatShare(share: number): string {
  const percent = share * 100;
  const text = percent < 10 ? percent.toFixed(1) : percent.toFixed(0);
  if (text === '0.0' && share > 0) return '<0.1%';
  if (text === '100' && share < 1) return '>99%';
  return `${text.replace(/\.0$/, '')}%`;
}

/**
 * Throws RejectShareError when more than `maxShare` of the file's rows were rejected: a share
 * that high says the file was misread (a format, a layout), and loading the rest would give
 * numbers that look right and are not.
 */
export function checkRejectShare(counts: { rows_in: number; rows_rejected: number }, maxShare: number, reasons: readonly ReasonCount[]): void {
  const { rows_in, rows_rejected } = counts;
  const share = rows_in === 0 ? 0 : rows_rejected / rows_in;
  if (rows_rejected < MIN_REJECTS_JUDGED || share <= maxShare) return;
  const listed = reasons.map((r) => `${r.reason} (${r.rows} ${r.rows === 1 ? 'row' : 'rows'})`).join('; ');
  throw new RejectShareError(
    `${rows_rejected} of ${rows_in} rows (${formatShare(share)}) would be rejected, more than ingest.max_reject_share (${formatShare(maxShare)}): ` +
      `the file was refused whole. Top reasons: ${listed}. Fix the file (or declare its formats), or raise ingest.max_reject_share`,
    counts,
    reasons,
  );
}
