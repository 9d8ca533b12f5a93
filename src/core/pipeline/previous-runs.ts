import type { Lake } from '../lake/lake.js';
import { readJson } from '../lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import { latestManifest, type RunManifest } from './run-manifest.js';

/** How many run manifests, newest first, are read to find the one whose tables are current. */
const MANIFESTS_SEARCHED = 50;

/**
 * The manifest of the run whose tables are in metrics/: the latest run that succeeded and
 * published current tables (a backfill publishes history only). Usually latest.json; after a
 * failed run, the newest such manifest under `_runs/` (run ids start with their start time).
 */
export async function currentTablesRun(lake: Lake): Promise<RunManifest | undefined> {
  const latest = await latestManifest(lake);
  if (latest && publishedCurrent(latest)) return latest;
  const ids = (await lake.list(LakePrefix.runs))
    .map((object) => /^_runs\/([^/]+)\.json$/.exec(object.key)?.[1])
    .filter((id): id is string => id !== undefined && id !== latest?.run_id && !RUNS_FILES.has(`${LakePrefix.runs}${id}.json`))
    .sort()
    .reverse()
    .slice(0, MANIFESTS_SEARCHED);
  for (const id of ids) {
    const manifest = await readJson<RunManifest>(lake, LakeKeys.runManifest(id));
    if (manifest && publishedCurrent(manifest)) return manifest;
  }
  return undefined;
}

/** The files under _runs/ that are no run's manifest. */
const RUNS_FILES = new Set<string>([LakeKeys.latestRunManifest, LakeKeys.runLease, LakeKeys.publishJournal, LakeKeys.lakeCurrency]);

function publishedCurrent(manifest: RunManifest): boolean {
  // Manifests older than publish modes were all current.
  return manifest.status === 'succeeded' && manifest.published && manifest.publish_mode !== 'history_only';
}
