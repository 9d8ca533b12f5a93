import { ConfigError } from '../errors.js';
import type { Lake } from '../lake/lake.js';
import { findObject } from '../lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import { underLease } from './control-lease.js';
import { withdrawFromCompacted } from './compacted-control.js';
import { derivedObjects, keysOf } from './derived-objects.js';
import { readTombstone, writeTombstone } from './tombstones.js';

export interface WithdrawResult {
  readonly inbox_key: string;
  /** withdrawn: the tombstone was written now; already_withdrawn: it was there (objects left from before are removed anyway). */
  readonly action: 'withdrawn' | 'already_withdrawn' | 'restored' | 'was_not_withdrawn';
  /** Staging, rejects and quarantine objects removed (withdraw only). */
  readonly removed: string[];
  /** Whether the inbox holds a file at the key (undo: the next run ingests it). */
  readonly in_inbox: boolean;
  readonly tombstone: string;
}

/**
 * Withdraws an inbox file: writes its tombstone (so ingest never reads any version of that key
 * again), then removes what ingest derived from every version of it — staging (its rows leave
 * the next build: the set of staging files changed, so the next run, or the next scheduled
 * tick, rebuilds), rejects and the quarantine copy with its report. The inbox file itself is
 * the user's and stays. Under the run lease.
 */
export async function withdrawFile(lake: Lake, inboxKey: string): Promise<WithdrawResult> {
  checkInboxKey(inboxKey);
  return await underLease(lake, 'withdraw', async () => {
    const existing = await readTombstone(lake, inboxKey);
    // The tombstone first: from then on no ingest (a run, the Lambda) stages the file again.
    if (!existing) await writeTombstone(lake, inboxKey);
    const removed: string[] = [];
    for (const version of await derivedObjects(lake, inboxKey)) {
      for (const key of keysOf(version)) {
        await lake.delete(key);
        removed.push(key);
      }
    }
    // Its rows in a compacted staging file leave too; the staging keys it held are reported as removed.
    removed.push(...(await withdrawFromCompacted(lake, inboxKey)));
    const inInbox = (await findObject(lake, inboxKey)) !== undefined;
    return { inbox_key: inboxKey, action: existing ? 'already_withdrawn' : 'withdrawn', removed, in_inbox: inInbox, tombstone: LakeKeys.withdrawn(inboxKey) };
  });
}

/** Removes an inbox file's tombstone: the next run ingests the file again (as a new file: its rows were removed). */
export async function undoWithdraw(lake: Lake, inboxKey: string): Promise<WithdrawResult> {
  checkInboxKey(inboxKey);
  return await underLease(lake, 'withdraw', async () => {
    const existing = await readTombstone(lake, inboxKey);
    if (existing) await lake.delete(LakeKeys.withdrawn(inboxKey));
    const inInbox = (await findObject(lake, inboxKey)) !== undefined;
    return { inbox_key: inboxKey, action: existing ? 'restored' : 'was_not_withdrawn', removed: [], in_inbox: inInbox, tombstone: LakeKeys.withdrawn(inboxKey) };
  });
}

function checkInboxKey(inboxKey: string): void {
  if (!inboxKey.startsWith(LakePrefix.inbox) || inboxKey.endsWith('/') || inboxKey.length === LakePrefix.inbox.length) {
    throw new ConfigError(`withdraw takes the key of a file in the inbox, e.g. ${LakeKeys.inboxFile('orders', '2024/orders.csv')}, got '${inboxKey}'`);
  }
}
