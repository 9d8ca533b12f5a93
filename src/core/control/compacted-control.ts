import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { ingestKeys } from '../ingest/ingest.js';
import type { FingerprintedObject, Lake } from '../lake/lake.js';
import { localCopy } from '../lake/lake-helpers.js';
import { LakeKeys } from '../lake/lake-layout.js';
import { readStagingIndex, rewriteCompacted } from '../pipeline/compact-staging.js';
import { FINGERPRINT } from './derived-objects.js';
import { FORGOTTEN_REFERENCE } from './inbox-rewrite.js';
import { parquetColumns } from './parquet-rewrite.js';
import { CUSTOMER_ID_COLUMNS } from './pseudonymise.js';

// Withdraw and forget on staging files a compacted file holds (src/core/pipeline/compact-staging.ts):
// the same rows leave, by each row's `_source_key`, as if the files were still apart.

/**
 * Removes every version of the inbox file `inboxKey` from its dataset's compacted file: its rows
 * (by `_source_key`) and its staging keys in the index (so that, once the withdrawal is undone,
 * the file is ingested again). Returns those staging keys; none when the compacted file holds none.
 */
export async function withdrawFromCompacted(lake: Lake, inboxKey: string, scratchDir?: string): Promise<string[]> {
  const keys = ingestKeys({ key: inboxKey, etag: '', size: 0, lastModified: new Date(0) });
  const prefix = keys.staging.slice(0, -'.parquet'.length);
  const version = new RegExp(`^${FINGERPRINT}\\.parquet$`);
  const held = (await readStagingIndex(lake, keys.dataset))?.parts.filter((part) => part.startsWith(prefix) && version.test(part.slice(prefix.length))) ?? [];
  if (held.length === 0) return [];
  await withSession(scratchDir, async (db, workDir) => {
    await rewriteCompacted(lake, db, workDir, keys.dataset, {
      keep: `_source_key is distinct from ${sqlString(inboxKey)}`,
      parts: (parts) => parts.filter((part) => !held.includes(part)),
    });
  });
  return held;
}

/** An inbox file forget rewrote: the version ingest saw, and the rewritten one with the lines it dropped. */
export interface RewrittenInbox {
  readonly original: FingerprintedObject;
  readonly cleaned: { readonly object: FingerprintedObject; readonly droppedLines: readonly number[] };
}

/**
 * Forget in each compacted file: rows of the customer go (`customer_id`), a `referred_by` naming
 * them becomes 'forgotten', and the rows of inbox files forget rewrote get their lines renumbered
 * as the rewritten file numbers them, their parts the rewritten file's staging keys (so it counts
 * as ingested). Returns each compacted file replaced: `key` the old, `to` the new.
 */
export async function forgetInCompacted(
  lake: Lake,
  db: DuckDBSession,
  workDir: string,
  customer: string,
  rewritten: readonly RewrittenInbox[],
): Promise<{ key: string; to: string }[]> {
  const changes: { key: string; to: string }[] = [];
  for (const dataset of await compactedDatasets(lake)) {
    const index = (await readStagingIndex(lake, dataset))!;
    const moved = new Map(
      rewritten
        .filter((r) => index.parts.includes(ingestKeys(r.original).staging))
        .map((r) => [ingestKeys(r.original).staging, r] as const),
    );
    const path = await localCopy(lake, index.compacted, workDir);
    const columns = await parquetColumns(db, path);
    const ids = columns.filter((name) => (CUSTOMER_ID_COLUMNS as readonly string[]).includes(name.trim().toLowerCase()));
    const named = ids.length === 0 ? 0 : Number(await db.scalar(`select count(*) from read_parquet(${sqlString(path)}) where ${ids.map((c) => `trim(${sqlIdent(c)}) = ${sqlString(customer)}`).join(' or ')}`));
    if (named === 0 && moved.size === 0) continue;
    const own = ids.filter((c) => c.trim().toLowerCase() === 'customer_id');
    const keep = own.length === 0 ? 'true' : own.map((c) => `trim(${sqlIdent(c)}) is distinct from ${sqlString(customer)}`).join(' and ');
    const replace: Record<string, string> = {};
    for (const name of ids.filter((c) => c.trim().toLowerCase() === 'referred_by')) {
      replace[name] = `case when trim(${sqlIdent(name)}) = ${sqlString(customer)} then ${sqlString(FORGOTTEN_REFERENCE)} else ${sqlIdent(name)} end`;
    }
    const dropped = [...moved.values()].flatMap((r) => r.cleaned.droppedLines.map((line) => `(${sqlString(r.original.key)}, ${line})`));
    if (dropped.length > 0) {
      await db.run(`create or replace temp table __dropped_lines (source_key varchar, line bigint)`);
      await db.run(`insert into __dropped_lines values ${dropped.join(', ')}`);
      // A rewritten file numbers its lines without the dropped ones.
      replace._source_line = '_source_line - (select count(*) from __dropped_lines d where d.source_key = _source_key and d.line < _source_line)';
    }
    const renamed = new Map([...moved].map(([part, r]) => [part, ingestKeys(r.cleaned.object).staging]));
    const result = await rewriteCompacted(lake, db, workDir, dataset, { keep, replace, parts: (parts) => parts.map((part) => renamed.get(part) ?? part) });
    if (result) changes.push({ key: result.from, to: result.to });
  }
  return changes;
}

async function compactedDatasets(lake: Lake): Promise<string[]> {
  return (await lake.list(LakeKeys.stagingIndexes)).filter((o) => o.key.endsWith('.json')).map((o) => o.key.slice(LakeKeys.stagingIndexes.length, -'.json'.length));
}

async function withSession<T>(scratchDir: string | undefined, work: (db: DuckDBSession, workDir: string) => Promise<T>): Promise<T> {
  const workDir = await mkdtemp(join(scratchDir ?? tmpdir(), 'loyaltylake-compacted-'));
  const db = await DuckDBSession.open({ workDir, threads: 2 });
  try {
    return await work(db, workDir);
  } finally {
    db.closeSync();
    await rm(workDir, { recursive: true, force: true });
  }
}
