import type { FileReport } from '../core/ingest/ingest.js';
import type { RunManifest } from '../core/pipeline/run-manifest.js';

/**
 * What a run found that the user must read, as console lines: every file with rejected rows
 * (named, with its top reasons) and the run's warnings, set apart so they cannot be missed.
 */

/** Reasons shown per file on the console (the report's data health lists more). */
const REASONS_PER_FILE = 3;

const count = (n: number) => n.toLocaleString('en-US');

/** "12 rows (1.4%)": the share tells a format problem (most rows) from a few bad rows. */
function rejectedShare(file: FileReport): string {
  const rejected = file.rows_rejected ?? 0;
  const rowsIn = file.rows_in ?? 0;
  const percent = (rejected / rowsIn) * 100;
  const share = rowsIn === 0 ? '' : percent < 0.1 ? ' (<0.1%)' : ` (${percent.toFixed(rejected === rowsIn ? 0 : 1)}%)`;
  return `${count(rejected)} of ${count(rowsIn)} rows${share}`;
}

/** "customer_id is missing: 10; amount is not a number: 2", or '' when the manifest has no reasons for the file. */
export function topReasonsText(file: FileReport, limit = REASONS_PER_FILE): string {
  const reasons = file.top_reasons ?? [];
  const shown = reasons.slice(0, limit).map(({ reason, rows }) => `${reason}: ${count(rows)}`);
  const more = reasons.length - limit;
  if (more > 0) shown.push(`${more} more reason${more === 1 ? '' : 's'}`);
  return shown.join('; ');
}

/** One line per loaded file that had rows rejected: the file, how many of its rows, and why. */
export function rejectedFileLines(files: readonly FileReport[]): string[] {
  return files
    .filter((file) => file.outcome === 'loaded' && (file.rows_rejected ?? 0) > 0)
    .map((file) => {
      const reasons = topReasonsText(file);
      return `  rejects ${file.key}: ${rejectedShare(file)} rejected${reasons ? ` — ${reasons}` : ''}`;
    });
}

/** The warnings block: a count in a banner line, then one line each; empty when there are none. */
export function warningLines(manifest: RunManifest): string[] {
  const warnings = manifest.warnings ?? [];
  if (warnings.length === 0) return [];
  const title = `${warnings.length} WARNING${warnings.length === 1 ? '' : 'S'}: numbers that may be wrong — check before you use them`;
  return [
    '',
    `!! ${title}`,
    ...warnings.map((warning) => `!!   [${warning.kind}] ${warning.message}`),
    `!! (also in the run manifest under "warnings" and in the report's Data health section)`,
  ];
}
