import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Lake } from '../core/lake/lake.js';
import { LakeKeys, LakePrefix } from '../core/lake/lake-layout.js';
import { LocalLake } from '../core/lake/local-lake.js';

/**
 * What makes a location a lake: an inbox, or anything a run or the user left there. A location
 * with none of them is most likely a mistyped --lake, which a run would quietly turn into a
 * new, empty lake.
 */
export const LAKE_MARKERS = [
  LakeKeys.settings,
  LakePrefix.inbox,
  LakePrefix.runs,
  LakePrefix.metrics,
  LakePrefix.staging,
  LakePrefix.history,
  LakePrefix.rejects,
  LakePrefix.quarantine,
] as const;

/** True when `lake` holds an inbox folder or any lake file (cheapest checks first; stops at the first found). */
export async function looksLikeALake(lake: Lake): Promise<boolean> {
  if (lake instanceof LocalLake) {
    // A local inbox folder counts even while empty: `mkdir -p lake/inbox/orders` is how a lake starts.
    return LAKE_MARKERS.some((marker) => existsSync(join(lake.root, marker)));
  }
  for (const marker of LAKE_MARKERS) {
    const found = await lake.list(marker);
    if (found.some((object) => object.key === marker || marker.endsWith('/'))) return true;
  }
  return false;
}
