import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBSession } from '../core/duckdb.js';
import type { Lake } from '../core/lake/lake.js';
import { LakeKeys } from '../core/lake/lake-layout.js';
import { registerPublishedTables } from './published-tables.js';
import { renderReport } from './render-report.js';
import { reportData, type ReportData } from './report-data.js';
import { SegmentTables } from './segments-section.js';
import { ReportTables } from './sections.js';
import { TARGETS_TABLE } from './targets-section.js';

export interface WriteReportOptions {
  readonly lake: Lake;
  /** A local file to write the page to instead of the lake's `report/index.html`. */
  readonly out?: string;
  /** @default - a temp folder, removed afterwards */
  readonly scratchDir?: string;
  readonly memoryLimit?: string;
  readonly threads?: number;
}

export interface WrittenReport {
  /** The local file written, or the lake key uploaded. */
  readonly location: string;
  /** What to print: a file:// URL, or the command that prints a presigned URL for a report in S3. */
  readonly open: string;
  readonly bytes: number;
  readonly data: ReportData;
}

/**
 * Builds the report from the lake's published tables and writes it: to `out` when given,
 * else atomically to `report/index.html` in the lake.
 */
export async function writeReport(options: WriteReportOptions): Promise<WrittenReport> {
  const scratchDir = options.scratchDir ?? (await mkdtemp(join(tmpdir(), 'loyaltylake-report-')));
  const db = await DuckDBSession.open({ workDir: scratchDir, memoryLimit: options.memoryLimit, threads: options.threads });
  try {
    const tables = await registerPublishedTables(db, options.lake, scratchDir, new Set([...Object.values(ReportTables), ...Object.values(SegmentTables), TARGETS_TABLE]));
    const data = await reportData(db, tables, options.lake, scratchDir);
    const html = renderReport(data);
    const bytes = Buffer.byteLength(html);
    if (options.out) {
      const path = resolve(options.out);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.part`, html);
      await rename(`${path}.part`, path);
      return { location: path, open: pathToFileURL(path).href, bytes, data };
    }
    const file = join(scratchDir, 'report.html');
    await writeFile(file, html);
    await options.lake.upload(file, LakeKeys.report);
    return { location: LakeKeys.report, open: openCommand(options.lake.uri), bytes, data };
  } finally {
    db.closeSync();
    if (!options.scratchDir) await rm(scratchDir, { recursive: true, force: true });
  }
}

/** How a person opens the report in a lake at `uri`. */
export function openCommand(uri: string): string {
  const location = `${uri.replace(/\/+$/, '')}/${LakeKeys.report}`;
  return uri.startsWith('s3://') ? `aws s3 presign ${location} --expires-in 3600` : pathToFileURL(resolve(location)).href;
}
