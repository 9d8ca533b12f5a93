import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { ConfigError, errorMessage } from '../errors.js';
import { ingestKeys, isInboxFile } from '../ingest/ingest.js';
import type { FingerprintedObject, Lake } from '../lake/lake.js';
import { findObject, readJson, writeJson } from '../lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import { recoverPublish } from '../pipeline/publish.js';
import { latestManifest } from '../pipeline/run-manifest.js';
import { readLakeSettings } from '../settings/lake-settings.js';
import { underLease } from './control-lease.js';
import { FORGOTTEN_REFERENCE, rewriteInboxFile } from './inbox-rewrite.js';
import { parquetColumns, rewriteParquet } from './parquet-rewrite.js';
import { type ForgetRecord } from './forget-records.js';
import { forgetInCompacted, type RewrittenInbox } from './compacted-control.js';
import { isCompactedStaging } from '../pipeline/compact-staging.js';
import { checkLakeKey, CUSTOMER_ID_COLUMNS, pseudonym, pseudonymisationFrom, requireKey } from './pseudonymise.js';

export interface ForgetOptions {
  readonly lake: Lake;
  /** The customer's id as the exports write it (with pseudonymisation on: the raw id, hashed here). */
  readonly customerId: string;
  /** Where the key is read from with pseudonymisation on. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Folder for scratch files. @default - the OS temp folder */
  readonly scratchDir?: string;
}

/** One object forget changed: rewritten without the customer (`to` its new key, when the key changed) or removed. */
export interface ForgetChange {
  readonly key: string;
  readonly to?: string;
  readonly removed?: boolean;
}

export interface ForgetResult {
  readonly forget_id: string;
  readonly pseudonymised: boolean;
  readonly inbox: ForgetChange[];
  readonly staging: ForgetChange[];
  readonly rejects: ForgetChange[];
  readonly quarantine: ForgetChange[];
  readonly metrics: ForgetChange[];
  readonly history: ForgetChange[];
  readonly report: ForgetChange[];
  /** Files that still hold the customer and that forget could not clean: the user must (never silent). */
  readonly unresolved: { readonly key: string; readonly reason: string }[];
  /** Where the record of this forget is (it names no one). */
  readonly record: string;
}


/**
 * Removes one customer from the lake: the inbox originals (rewritten without the customer's
 * rows, and their staging and rejects moved to the new version's keys, so the rewritten file
 * counts as ingested and is never loaded twice), staging, rejects, quarantine copies, the
 * current tables and every history snapshot (rewritten without the customer's rows, metadata
 * kept), and the report. Aggregates (monthly counts, sums) keep the customer's share until the
 * next run rebuilds them from the cleaned staging: the changed staging keys make that run (and
 * the scheduled tick) rebuild. Under the run lease; an earlier run's interrupted publish is
 * finished first, so no journal copy brings the customer back.
 */
export async function forgetCustomer(options: ForgetOptions): Promise<ForgetResult> {
  const { lake } = options;
  const rawId = options.customerId.trim();
  if (rawId === '') throw new ConfigError('forget needs the id of a customer, got an empty one');
  const { settings } = await readLakeSettings(lake);
  const pseudonymisation = pseudonymisationFrom(settings, options.env ?? process.env);
  return await underLease(lake, 'forget', async (forgetId) => {
    await checkLakeKey(lake, pseudonymisation);
    const stagedId = pseudonymisation ? pseudonym(requireKey(pseudonymisation), rawId) : rawId;
    const scratch = await mkdtemp(join(options.scratchDir ?? tmpdir(), 'loyaltylake-forget-'));
    const db = await DuckDBSession.open({ workDir: scratch, threads: 2 });
    try {
      const latest = await latestManifest(lake);
      await recoverPublish(lake, join(scratch, 'recover'), latest?.status === 'succeeded' ? latest.run_id : undefined);
      const work = new ForgetWork(lake, db, scratch, rawId, stagedId);
      await work.inputs();
      await work.quarantine();
      for (const area of ['metrics', 'history'] as const) await work.tables(area);
      await work.report();
      const result = work.result(forgetId, pseudonymisation !== undefined);
      await writeJson(lake, result.record, recordOf(result));
      return result;
    } finally {
      db.closeSync();
      await rm(scratch, { recursive: true, force: true });
    }
  });
}


function recordOf(result: ForgetResult): ForgetRecord {
  const count = (changes: ForgetChange[]) => changes.length;
  return {
    forget_id: result.forget_id,
    finished_at: new Date().toISOString(),
    pseudonymised: result.pseudonymised,
    objects_changed: {
      inbox: count(result.inbox),
      staging: count(result.staging),
      rejects: count(result.rejects),
      quarantine: count(result.quarantine),
      metrics: count(result.metrics),
      history: count(result.history),
      report: count(result.report),
    },
    unresolved: result.unresolved.length,
  };
}

/** One version of an inbox file as ingest left it: its staging and rejects objects, by the id they share. */
interface InputVersion {
  staging?: string;
  rejects?: string;
}

class ForgetWork {
  private readonly changes = { inbox: [], staging: [], rejects: [], quarantine: [], metrics: [], history: [], report: [] } as Record<
    'inbox' | 'staging' | 'rejects' | 'quarantine' | 'metrics' | 'history' | 'report',
    ForgetChange[]
  >;
  private readonly unresolved: { key: string; reason: string }[] = [];
  private files = 0;
  private readonly folders: string[] = [];
  private readonly rewrittenInbox: RewrittenInbox[] = [];

  constructor(
    private readonly lake: Lake,
    private readonly db: DuckDBSession,
    private readonly scratch: string,
    private readonly rawId: string,
    private readonly stagedId: string,
  ) {}

  result(forgetId: string, pseudonymised: boolean): ForgetResult {
    return { forget_id: forgetId, pseudonymised, ...this.changes, unresolved: this.unresolved, record: LakeKeys.forgetRecord(forgetId) };
  }

  /** A scratch path for one downloaded or written file, in a folder of its own (its readers add siblings: `.inflated`, …). */
  private local(name: string): string {
    this.files += 1;
    const folder = join(this.scratch, 'files', String(this.files));
    this.folders.push(folder);
    mkdirSync(folder, { recursive: true });
    return join(folder, name);
  }

  /** Removes the scratch files of the file just handled: forget walks the whole lake, the scratch disk holds one file at a time. */
  private async clean(): Promise<void> {
    for (const folder of this.folders.splice(0)) await rm(folder, { recursive: true, force: true });
  }

  /**
   * Every inbox file and every staged version: an inbox file holding the customer is rewritten
   * without them; a version whose staging or rejects hold them gets new ones without them,
   * under the rewritten file's keys (or, when its original is no longer in the inbox, under
   * keys with the fingerprint of the cleaned staging), and its old objects are removed.
   */
  async inputs(): Promise<void> {
    const versions = new Map<string, InputVersion>();
    for (const area of ['staging', 'rejects'] as const) {
      for (const { key } of await this.lake.list(LakePrefix[area])) {
        // A compacted file is no input file's version: forgetInCompacted cleans it.
        if (!key.endsWith('.parquet') || isCompactedStaging(key)) continue;
        const id = key.slice(LakePrefix[area].length);
        versions.set(id, { ...versions.get(id), [area]: key });
      }
    }
    const staged = new Map<string, { version: InputVersion; sourceKey: string; rows: { staging: string; rejects: string } }>();
    for (const version of versions.values()) {
      const found = await this.cleaning(() => this.versionRows(version));
      if (found) staged.set((version.staging ?? version.rejects)!, { version, ...found });
    }
    const inbox = (await this.lake.list(LakePrefix.inbox, { etags: true })).filter(isInboxFile);
    const rewritten = new Map<string, { object: FingerprintedObject; droppedLines: number[] }>();
    for (const object of inbox) {
      const outcome = await this.cleaning(() => this.rewriteInbox(object));
      if (!outcome) continue;
      this.rewrittenInbox.push({ original: object, cleaned: outcome });
      // The original's objects move to the rewritten file's keys even if they held none of the customer's rows.
      const old = ingestKeys(object);
      const version = versions.get(old.staging.slice(LakePrefix.staging.length)) ?? versions.get(old.rejects.slice(LakePrefix.rejects.length));
      rewritten.set((version?.staging ?? version?.rejects) ?? '', outcome);
      if (version && !staged.has((version.staging ?? version.rejects)!)) {
        staged.set((version.staging ?? version.rejects)!, { version, sourceKey: object.key, rows: { staging: 'true', rejects: 'true' } });
      }
    }
    for (const [id, { version, sourceKey, rows }] of staged) await this.cleaning(() => this.replaceVersion(version, sourceKey, rows, rewritten.get(id)));
    for (const change of await forgetInCompacted(this.lake, this.db, join(this.scratch, 'compacted'), this.stagedId, this.rewrittenInbox)) this.changes.staging.push(change);
  }

  /** The version's source key and its rows' filters, if its staging or rejects name the customer. */
  private async versionRows(version: InputVersion) {
    let sourceKey: string | undefined;
    const rows = { staging: 'true', rejects: 'true' };
    let touched = false;
    for (const area of ['staging', 'rejects'] as const) {
      const key = version[area];
      if (!key) continue;
      const path = this.local('input.parquet');
      await this.lake.download(key, path);
      const columns = (await parquetColumns(this.db, path)).filter((name) => (CUSTOMER_ID_COLUMNS as readonly string[]).includes(name.trim().toLowerCase()));
      if (columns.length === 0) continue;
      const [hit] = await this.db.rows(`
        select any_value(_source_key) as source_key, count(*) as n from read_parquet(${sqlString(path)})
        where ${columns.map((c) => `trim(${sqlIdent(c)}) = ${sqlString(this.stagedId)}`).join(' or ')}`);
      if (Number(hit?.n) === 0) continue;
      touched = true;
      sourceKey = String(hit!.source_key);
      const own = columns.filter((c) => c.trim().toLowerCase() === 'customer_id');
      rows[area] = own.length === 0 ? 'true' : own.map((c) => `trim(${sqlIdent(c)}) is distinct from ${sqlString(this.stagedId)}`).join(' and ');
    }
    return touched ? { sourceKey: sourceKey!, rows } : undefined;
  }

  /** Rewrites an inbox file that holds the customer; a file that cannot be read is searched as text, and reported if it holds the id. */
  private async rewriteInbox(object: FingerprintedObject): Promise<{ object: FingerprintedObject; droppedLines: number[] } | undefined> {
    const path = this.local('inbox');
    await this.lake.download(object.key, path);
    // A CSV file that does not hold the id (in any case) has none of the customer's rows: not parsed. NDJSON
    // (escapes such as \u0040) and Parquet (compressed) cannot be searched as text: always parsed.
    if (/\.(csv|tsv|txt|psv)(\.gz)?$/i.test(object.key) && !this.rawId.includes('"') && !(await holdsText(path, this.rawId))) return undefined;
    let rewrite;
    try {
      rewrite = await rewriteInboxFile(this.db, object.key, path, this.rawId);
    } catch (error) {
      if (await holdsText(path, this.rawId)) {
        this.unresolved.push({ key: object.key, reason: `holds the id, but cannot be read row by row (${errorMessage(error).split('\n')[0]}): remove the customer from it by hand, or delete it` });
      }
      return undefined;
    }
    if (await holdsText(rewrite.path ?? path, this.rawId)) {
      this.unresolved.push({ key: object.key, reason: 'still holds the id as text outside the customer id column (a name or e-mail column?): remove it by hand' });
    }
    if (!rewrite.path) return undefined;
    await this.lake.upload(rewrite.path, object.key);
    const replaced = await findObject(this.lake, object.key, { etags: true });
    if (!replaced) throw new ConfigError(`${object.key} is gone after it was rewritten`);
    // The original's landing time: the rewritten file must not win over later exports by primary key.
    this.changes.inbox.push({ key: object.key });
    return { object: { ...replaced, lastModified: object.lastModified }, droppedLines: rewrite.droppedLines };
  }

  /**
   * New staging and rejects for one version, without the customer: under the rewritten inbox
   * file's keys (its lines renumbered as the rewritten file numbers them), or else under keys
   * fingerprinted by the cleaned content. Then the old objects go.
   */
  private async replaceVersion(
    version: InputVersion,
    sourceKey: string,
    rows: { staging: string; rejects: string },
    cleaned: { object: FingerprintedObject; droppedLines: number[] } | undefined,
  ): Promise<void> {
    await this.db.run('create or replace temp table __dropped as select unnest(?::bigint[]) as line', [cleaned ? `[${cleaned.droppedLines.join(',')}]` : '[]']);
    const renumber = '_source_line - (select count(*) from __dropped where line < _source_line)';
    const outputs: Partial<Record<'staging' | 'rejects', string>> = {};
    for (const area of ['staging', 'rejects'] as const) {
      const key = version[area];
      if (!key) continue;
      const path = this.local('old.parquet');
      await this.lake.download(key, path);
      const columns = await parquetColumns(this.db, path);
      const replace: Record<string, string> = {};
      if (cleaned && columns.includes('_source_line')) replace._source_line = renumber;
      for (const name of columns.filter((c) => c.trim().toLowerCase() === 'referred_by')) {
        replace[name] = `case when trim(${sqlIdent(name)}) = ${sqlString(this.stagedId)} then ${sqlString(FORGOTTEN_REFERENCE)} else ${sqlIdent(name)} end`;
      }
      const out = this.local('new.parquet');
      await rewriteParquet(this.db, path, out, rows[area], replace);
      if (Number(await this.db.scalar(`select count(*) from read_parquet(${sqlString(out)})`)) > 0) outputs[area] = out;
    }
    const fingerprint = cleaned?.object ?? { key: sourceKey, etag: await md5(outputs.staging ?? outputs.rejects), size: 0, lastModified: new Date(0) };
    const keys = ingestKeys(fingerprint);
    for (const area of ['staging', 'rejects'] as const) {
      const out = outputs[area];
      const newKey = keys[area];
      if (out) await this.lake.upload(out, newKey);
      const oldKey = version[area];
      if (oldKey && oldKey !== newKey) await this.lake.delete(oldKey);
      if (oldKey) this.changes[area].push(out ? { key: oldKey, to: newKey } : { key: oldKey, removed: true });
    }
  }

  private async cleaning<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      await this.clean();
    }
  }

  /** Quarantine copies (files refused whole) that hold the id as text are removed; their reports stay, so they are not ingested again. */
  async quarantine(): Promise<void> {
    for (const { key } of await this.lake.list(LakePrefix.quarantine)) {
      if (!key.endsWith('.error.json')) await this.cleaning(() => this.quarantined(key));
    }
  }

  private async quarantined(key: string): Promise<void> {
    const path = this.local('quarantined');
    await this.lake.download(key, path);
    if (!(await holdsText(path, this.rawId)) && !(await this.parquetHolds(path, this.rawId))) return;
    await this.lake.delete(key);
    this.changes.quarantine.push({ key, removed: true });
    const reportKey = LakeKeys.quarantineReport(key);
    const report = await readJson<Record<string, unknown>>(this.lake, reportKey);
    if (report) await writeJson(this.lake, reportKey, { ...report, copy_removed: 'the copy held a customer who was forgotten' });
  }

  /** Every published table (or snapshot) with a customer id column, rewritten without the customer's rows. */
  async tables(area: 'metrics' | 'history'): Promise<void> {
    for (const { key } of await this.lake.list(LakePrefix[area])) {
      if (key.endsWith('.parquet')) await this.cleaning(() => this.table(area, key));
    }
  }

  private async table(area: 'metrics' | 'history', key: string): Promise<void> {
    const path = this.local('table.parquet');
    await this.lake.download(key, path);
    const columns = (await parquetColumns(this.db, path)).filter((name) => (CUSTOMER_ID_COLUMNS as readonly string[]).includes(name));
    if (columns.length === 0) return;
    const hits = Number(await this.db.scalar(`select count(*) from read_parquet(${sqlString(path)}) where ${columns.map((c) => `${sqlIdent(c)} = ${sqlString(this.stagedId)}`).join(' or ')}`));
    if (hits === 0) return;
    const keep = columns.includes('customer_id') ? `customer_id is distinct from ${sqlString(this.stagedId)}` : 'true';
    const replace: Record<string, string> = columns.includes('referred_by')
      ? { referred_by: `case when referred_by = ${sqlString(this.stagedId)} then ${sqlString(FORGOTTEN_REFERENCE)} else referred_by end` }
      : {};
    const out = this.local('table-new.parquet');
    await rewriteParquet(this.db, path, out, keep, replace);
    await this.lake.upload(out, key);
    this.changes[area].push({ key });
  }

  /** The HTML report names customers (churn risk): removed when it names this one; the next run, or `loyaltylake report`, writes it again. */
  async report(): Promise<void> {
    await this.cleaning(() => this.reportFile());
  }

  private async reportFile(): Promise<void> {
    const path = this.local('report.html');
    if (!(await findObject(this.lake, LakeKeys.report))) return;
    await this.lake.download(LakeKeys.report, path);
    if (!(await holdsText(path, this.rawId)) && !(await holdsText(path, this.stagedId))) return;
    await this.lake.delete(LakeKeys.report);
    this.changes.report.push({ key: LakeKeys.report, removed: true });
  }

  private async parquetHolds(path: string, text: string): Promise<boolean> {
    try {
      const n = await this.db.scalar(`select count(*) from read_parquet(${sqlString(path)}) as row where contains(lower(cast(to_json(row) as varchar)), ?)`, [text.toLowerCase()]);
      return Number(n) > 0;
    } catch {
      return false;
    }
  }
}

/**
 * Whether a file (inflated first if gzip) holds `text` as a word, ignoring case: an id is never
 * missed for its case, and 'c1' is not found in 'c10'. Streamed: inbox files reach gigabytes.
 */
async function holdsText(path: string, text: string): Promise<boolean> {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu');
  const search = async (inflate: boolean) => {
    const input = createReadStream(path);
    const stream = inflate ? input.pipe(createGunzip()) : input;
    stream.setEncoding('utf8');
    let tail = '';
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        const window = tail + chunk;
        if (pattern.test(window)) return true;
        // Enough of the end to hold a match cut by the chunk boundary, with the character before it.
        tail = window.slice(-(text.length + 2));
      }
      return false;
    } finally {
      input.destroy();
    }
  };
  if (await isGzip(path)) {
    try {
      return await search(true);
    } catch {
      // A broken archive: searched as it is.
    }
  }
  return await search(false);
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function md5(path: string | undefined): Promise<string> {
  if (!path) return randomBytes(16).toString('hex');
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
