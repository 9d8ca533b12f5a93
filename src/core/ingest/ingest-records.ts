import type { Lake, LakeObject } from '../lake/lake.js';
import { exists, readJson, writeJson } from '../lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import type { FileReport, IngestRecord } from './ingest.js';
import { isCompactedPart } from '../pipeline/compact-staging.js';

/**
 * The files ingested by runs that wrote no manifest — killed, failed to write it, or the
 * ingest Lambda, which writes none — and that no manifest counts yet: the run `runId` counts
 * them in its own manifest. Each is copied under `runId`'s records first, so once that
 * manifest is written, no later run counts it again; if it never is, the next run does.
 * A file counts once however many records it has (a file ingested twice at once).
 */
export async function adoptUnfinished(lake: Lake, runId: string): Promise<{ adopted: FileReport[]; error?: unknown }> {
  const adopted: FileReport[] = [];
  const byKey = () => adopted.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  try {
    await adoptEach(lake, runId, adopted);
    return { adopted: byKey() };
  } catch (error) {
    // What was adopted so far is counted by this run; the rest is left to the next.
    return { adopted: byKey(), error };
  }
}

async function adoptEach(lake: Lake, runId: string, adopted: FileReport[]): Promise<void> {
  const objects = await lake.list(LakePrefix.runs);
  const manifests = new Set(objects.map((o) => /^_runs\/([^/]+)\.json$/.exec(o.key)?.[1]).filter((id) => id !== undefined));
  const files = new Map<string, { runId: string; object: LakeObject }[]>();
  for (const object of objects) {
    if (!object.key.startsWith(LakeKeys.ingestRecords)) continue;
    const path = object.key.slice(LakeKeys.ingestRecords.length);
    const slash = path.indexOf('/');
    const file = path.slice(slash + 1);
    files.set(file, [...(files.get(file) ?? []), { runId: path.slice(0, slash), object }]);
  }
  for (const [file, records] of files) {
    if (records.some((r) => r.runId === runId || manifests.has(r.runId))) continue;
    const newest = records.reduce((a, b) => (b.object.lastModified > a.object.lastModified ? b : a));
    const record = await readJson<IngestRecord>(lake, newest.object.key);
    if (!record || !(await isDone(lake, record.file))) continue;
    const report: FileReport = { ...record.file, ingested_by_unfinished_run: record.run_id };
    const [dataset, fileId] = [file.slice(0, file.indexOf('/')), file.slice(file.indexOf('/') + 1, -'.json'.length)];
    await writeJson(lake, LakeKeys.ingestRecord(runId, dataset, fileId), { run_id: runId, file: report });
    adopted.push(report);
  }
}

/** A run's own reports with the adopted ones: a file this run found already ingested is counted as adopted. */
export function withAdopted(files: readonly FileReport[], adopted: readonly FileReport[]): FileReport[] {
  const adoptedFiles = new Set(adopted.map((f) => `${f.key}\0${f.etag}`));
  return [...files.filter((f) => !(f.outcome === 'already_ingested' && adoptedFiles.has(`${f.key}\0${f.etag}`))), ...adopted];
}

/** Whether the file's done-marker was written: its staging file, or its quarantine report. */
async function isDone(lake: Lake, file: FileReport): Promise<boolean> {
  // A staging file compacted since (compact-staging.ts) is done too.
  if (file.staging_key) return (await exists(lake, file.staging_key)) || (await isCompactedPart(lake, file.dataset, file.staging_key));
  return file.quarantine_key !== undefined && (await exists(lake, LakeKeys.quarantineReport(file.quarantine_key)));
}
