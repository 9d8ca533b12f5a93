import type { Lake } from '../lake/lake.js';
import { exists, readJson, writeJson } from '../lake/lake-helpers.js';
import { LakeKeys } from '../lake/lake-layout.js';

/** What a tombstone holds: the inbox key it withdraws (its name is only a hash of it) and when. */
export interface Tombstone {
  readonly inbox_key: string;
  readonly withdrawn_at: string;
}

/**
 * The tombstones in the lake, by their own keys: one listing, no reads. With `onlyFor`, just
 * that inbox key's tombstone is looked up (the ingest Lambda handles one key at a time).
 */
export async function withdrawnKeys(lake: Lake, onlyFor?: string): Promise<ReadonlySet<string>> {
  if (onlyFor !== undefined) {
    const key = LakeKeys.withdrawn(onlyFor);
    return new Set((await exists(lake, key)) ? [key] : []);
  }
  return new Set((await lake.list(LakeKeys.withdrawnFolder)).map((o) => o.key));
}

export function isWithdrawn(inboxKey: string, tombstones: ReadonlySet<string>): boolean {
  return tombstones.has(LakeKeys.withdrawn(inboxKey));
}

export async function writeTombstone(lake: Lake, inboxKey: string, now = new Date()): Promise<void> {
  await writeJson(lake, LakeKeys.withdrawn(inboxKey), { inbox_key: inboxKey, withdrawn_at: now.toISOString() } satisfies Tombstone);
}

/** The tombstone of `inboxKey`, or undefined. */
export async function readTombstone(lake: Lake, inboxKey: string): Promise<Tombstone | undefined> {
  return await readJson<Tombstone>(lake, LakeKeys.withdrawn(inboxKey));
}

/** Every tombstone, read (for listing them). */
export async function listTombstones(lake: Lake): Promise<Tombstone[]> {
  const tombstones: Tombstone[] = [];
  for (const { key } of await lake.list(LakeKeys.withdrawnFolder)) {
    const tombstone = await readJson<Tombstone>(lake, key);
    if (tombstone) tombstones.push(tombstone);
  }
  return tombstones;
}
