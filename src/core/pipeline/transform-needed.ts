import type { Lake } from '../lake/lake.js';
import { readJson } from '../lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import { ConfigError } from '../errors.js';
import { loadModels, settingOverridesFrom } from '../models/model-declaration.js';
import { defaultModelsDir } from '../paths.js';
import { readLakeSettings } from '../settings/lake-settings.js';
import type { PublishJournal } from './publish.js';
import { latestManifest } from './run-manifest.js';

/**
 * Whether a transform run has anything to do: staging files the last successful run did not
 * read, a model that changed, a last run that failed (so a failed run is retried), or a publish
 * a killed run left unfinished (so the next tick repairs the tables).
 * This is what turns a burst of dropped files into one run on the next schedule tick.
 */
export async function transformNeeded(lake: Lake, modelsDir = defaultModelsDir()): Promise<{ needed: boolean; reason: string }> {
  const journal = await readJson<PublishJournal>(lake, LakeKeys.publishJournal);
  if (journal) return { needed: true, reason: `the publish of run ${journal.run_id} was interrupted: a run finishes it first` };
  const latest = await latestManifest(lake);
  if (!latest) return { needed: true, reason: 'no run yet' };
  if (latest.status !== 'succeeded') return { needed: true, reason: `the last run (${latest.run_id}) ${latest.status}` };
  const read = new Set(latest.inputs.flatMap((input) => input.files));
  const staged = (await lake.list(LakePrefix.staging)).filter((o) => o.key.endsWith('.parquet'));
  const fresh = staged.filter((o) => !read.has(o.key));
  if (fresh.length > 0 || staged.length !== read.size) {
    return { needed: true, reason: `${fresh.length} staging files not yet in the published tables` };
  }
  const published = new Set(latest.models.map((m) => m.fingerprint));
  // The models as a run would load them: with the lake's settings in effect (a changed setting changes a fingerprint).
  let settings, fingerprint;
  try {
    ({ settings, fingerprint } = await readLakeSettings(lake));
  } catch (error) {
    if (error instanceof ConfigError) return { needed: true, reason: `the lake's settings cannot be read: a run reports it (${error.message.split('\n')[0]})` };
    throw error;
  }
  const changed = loadModels(modelsDir, { settingOverrides: settingOverridesFrom(settings) }).filter((m) => !published.has(m.fingerprint));
  if (changed.length > 0) return { needed: true, reason: `models changed: ${changed.map((m) => m.table).join(', ')}` };
  // Targets, the currency or the date window change no model, but what a run computes or accepts.
  if (latest.settings?.fingerprint !== fingerprint) return { needed: true, reason: `the lake's settings changed since run ${latest.run_id}` };
  return { needed: false, reason: `nothing new since run ${latest.run_id}` };
}
