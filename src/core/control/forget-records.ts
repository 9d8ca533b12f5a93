import type { Lake } from '../lake/lake.js';
import { readJson } from '../lake/lake-helpers.js';
import { LakeKeys } from '../lake/lake-layout.js';

/**
 * What `_runs/forgets/<id>.json` keeps: that a forget happened, when, and how many objects of
 * each area it changed. Never the id, a hash of it, file names or row counts: together with an
 * old copy of a file, those would tell whom it was about.
 */
export interface ForgetRecord {
  readonly forget_id: string;
  readonly finished_at: string;
  readonly pseudonymised: boolean;
  readonly objects_changed: Record<'inbox' | 'staging' | 'rejects' | 'quarantine' | 'metrics' | 'history' | 'report', number>;
  /** Objects left holding the customer, for the user to clean (0: the forget is complete). */
  readonly unresolved: number;
}

/** The records of the forgets done after `since` (ISO time; all if undefined), oldest first: for a run's manifest. */
export async function forgetRecordsSince(lake: Lake, since?: string): Promise<ForgetRecord[]> {
  const records: ForgetRecord[] = [];
  for (const { key } of await lake.list(LakeKeys.forgetRecords)) {
    const record = await readJson<ForgetRecord>(lake, key);
    if (record && (since === undefined || record.finished_at > since)) records.push(record);
  }
  return records.sort((a, b) => (a.finished_at < b.finished_at ? -1 : 1));
}
