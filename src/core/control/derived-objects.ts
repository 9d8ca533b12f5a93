import type { Lake } from '../lake/lake.js';
import { ingestKeys } from '../ingest/ingest.js';

/** The objects ingest derived from one version of an inbox file. */
export interface DerivedObjects {
  /** The start of the content fingerprint in these keys (see lake-layout.ts inputFileId). */
  readonly fingerprint: string;
  readonly staging?: string;
  readonly rejects?: string;
  readonly quarantine?: string;
  readonly quarantineReport?: string;
}

/** `<fingerprint>` as inputFileId writes it: the first 12 characters of an ETag (hex, or hex and '-'). */
export const FINGERPRINT = '([0-9A-Za-z-]{1,12})';

/**
 * Every version of the inbox file `inboxKey` that ingest handled (whether or not it is still
 * in the inbox): its staging, rejects and quarantine objects, found by the keys ingest derives
 * from the inbox key, whatever the content fingerprint was.
 */
export async function derivedObjects(lake: Lake, inboxKey: string): Promise<DerivedObjects[]> {
  const keys = ingestKeys({ key: inboxKey, etag: '', size: 0, lastModified: new Date(0) });
  const areas = [
    { field: 'staging', prefix: keys.staging.slice(0, -'.parquet'.length), suffix: '.parquet' },
    { field: 'rejects', prefix: keys.rejects.slice(0, -'.parquet'.length), suffix: '.parquet' },
    { field: 'quarantine', prefix: keys.quarantine, suffix: '' },
    { field: 'quarantineReport', prefix: keys.quarantine, suffix: '.error.json' },
  ] as const;
  const versions = new Map<string, Record<string, string>>();
  for (const { field, prefix, suffix } of areas) {
    const pattern = new RegExp(`^${FINGERPRINT}${suffix.replaceAll('.', '\\.')}$`);
    for (const { key } of await lake.list(prefix)) {
      const fingerprint = pattern.exec(key.slice(prefix.length))?.[1];
      if (fingerprint === undefined) continue;
      versions.set(fingerprint, { ...versions.get(fingerprint), [field]: key });
    }
  }
  return [...versions.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([fingerprint, objects]) => ({ fingerprint, ...objects }));
}

/** The keys of one version's objects, in the order they are best removed: the done-markers (staging, quarantine report) last. */
export function keysOf(objects: DerivedObjects): string[] {
  return [objects.rejects, objects.quarantine, objects.staging, objects.quarantineReport].filter((key) => key !== undefined);
}
