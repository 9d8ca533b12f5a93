import { createHash, createHmac } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { DuckDBSession, sqlIdent, sqlString } from '../duckdb.js';
import { ConfigError } from '../errors.js';
import type { Lake } from '../lake/lake.js';
import { readJson, writeJson } from '../lake/lake-helpers.js';
import { LakeKeys, LakePrefix } from '../lake/lake-layout.js';
import type { LakeSettings } from '../settings/lake-settings.js';

/** The environment variable that holds the key when the settings name none. */
export const DEFAULT_KEY_ENV = 'LOYALTYLAKE_PSEUDONYMISATION_KEY';
/** Shortest key accepted (UTF-8 bytes): HMAC is only as strong as its key, and ids are guessable. */
export const MIN_KEY_BYTES = 16;
/** Columns that hold a customer id, in every dataset: each is replaced by its pseudonym. */
export const CUSTOMER_ID_COLUMNS = ['customer_id', 'referred_by'] as const;

/** Pseudonymisation as a run sees it: on (the lake's settings say so), with the key if one was found. */
export interface Pseudonymisation {
  /** The secret key; undefined when it was not found (the run must then fail, never fall back to raw ids). */
  readonly key: string | undefined;
  /** Where the key is looked for, for messages: never the key itself. */
  readonly keySource: string;
}

/**
 * Pseudonymisation as the lake's settings ask for it: undefined when off. The key comes from
 * `keyFromSecret` when given (deployed: Secrets Manager), else from the environment variable the
 * settings name.
 */
export function pseudonymisationFrom(
  settings: Pick<LakeSettings, 'pseudonymise'>,
  env: NodeJS.ProcessEnv = process.env,
  keyFromSecret?: { readonly key: string | undefined; readonly source: string },
): Pseudonymisation | undefined {
  if (!settings.pseudonymise) return undefined;
  if (keyFromSecret) return { key: keyFromSecret.key || undefined, keySource: keyFromSecret.source };
  const name = settings.pseudonymise.key_env;
  return { key: env[name] || undefined, keySource: `the environment variable ${name}` };
}

/** The key, or a ConfigError that says where it was looked for. */
export function requireKey(pseudonymisation: Pseudonymisation): string {
  const { key, keySource } = pseudonymisation;
  if (key === undefined) {
    throw new ConfigError(
      `${LakeKeys.settings} sets pseudonymise, but no key was found in ${keySource}: nothing is ingested without it (customer ids are never staged as written)`,
    );
  }
  if (Buffer.byteLength(key) < MIN_KEY_BYTES) {
    throw new ConfigError(`the pseudonymisation key in ${keySource} is ${Buffer.byteLength(key)} bytes long; use at least ${MIN_KEY_BYTES} (e.g. openssl rand -hex 32)`);
  }
  return key;
}

/** The pseudonym of one id: HMAC-SHA256(key, id) in lower-case hex; what the SQL below computes. */
export function pseudonym(key: string, id: string): string {
  return createHmac('sha256', key).update(id, 'utf8').digest('hex');
}

/** HMAC of a fixed text: lets a later run tell whether it has the key the lake was pseudonymised with, and says nothing of anyone. */
const KEY_CHECK_TEXT = 'loyaltylake pseudonymisation key check';

interface KeyCheckRecord {
  readonly key_check: string;
  readonly since: string;
}

/**
 * Refuses to ingest into a lake whose staging would then mix raw ids and pseudonyms, or
 * pseudonyms of two keys: with pseudonymisation on, the lake's key check must match the key
 * (written on first use, when staging is still empty); with it off, the lake must have none.
 */
export async function checkLakeKey(lake: Lake, pseudonymisation: Pseudonymisation | undefined): Promise<void> {
  const record = await readJson<KeyCheckRecord>(lake, LakeKeys.pseudonymisation);
  if (!pseudonymisation) {
    if (record) {
      throw new ConfigError(
        `the lake's staging holds pseudonymised customer ids (since ${record.since}, ${LakeKeys.pseudonymisation}) but ${LakeKeys.settings} does not set pseudonymise: set it again, or raw ids would be mixed with pseudonyms`,
      );
    }
    return;
  }
  const check = pseudonym(requireKey(pseudonymisation), KEY_CHECK_TEXT);
  if (record) {
    if (record.key_check !== check) {
      throw new ConfigError(
        `the pseudonymisation key in ${pseudonymisation.keySource} is not the one the lake's staging was pseudonymised with (since ${record.since}): the same customer would get two pseudonyms`,
      );
    }
    return;
  }
  if ((await lake.list(LakePrefix.staging)).length > 0) {
    throw new ConfigError(
      `${LakeKeys.settings} sets pseudonymise, but the lake's staging already holds raw customer ids: start the lake's derived data afresh (docs/control.md, "Turning pseudonymisation on")`,
    );
  }
  await writeJson(lake, LakeKeys.pseudonymisation, { key_check: check, since: new Date().toISOString() } satisfies KeyCheckRecord);
}

/**
 * Defines the SQL macro `__pseudonym(text)`: HMAC-SHA256 as RFC 2104 builds it from SHA-256,
 * sha256((K ⊕ opad) ‖ sha256((K ⊕ ipad) ‖ m)), with K the key padded to the 64-byte block. The
 * padded keys are bound as parameters into a temp table, so the key is in no SQL text (DuckDB
 * echoes SQL in its error messages).
 */
export async function definePseudonymMacro(db: DuckDBSession, key: string): Promise<void> {
  const BLOCK = 64;
  let padded = Buffer.from(key, 'utf8');
  // A key longer than the block is hashed first (RFC 2104).
  if (padded.length > BLOCK) padded = createHash('sha256').update(padded).digest();
  padded = Buffer.concat([padded, Buffer.alloc(BLOCK - padded.length)]);
  const xor = (byte: number) => Buffer.from(padded.map((b) => b ^ byte)).toString('hex');
  await db.run('create or replace temp table __pseudonym_key as select unhex(?) as ipad, unhex(?) as opad', [xor(0x36), xor(0x5c)]);
  await db.run(`
    create or replace temp macro __pseudonym(id) as
    sha256((select opad from __pseudonym_key) || unhex(sha256((select ipad from __pseudonym_key) || encode(id))))`);
}

/**
 * Replaces, in a local staging or rejects Parquet file before it is uploaded, every customer id
 * column (by name, case-insensitively and trimmed, as ingest matches columns) with its pseudonym,
 * and drops `_source_json` (a rejected NDJSON line as written, ids included). Values are
 * trimmed first, as staging trims them; blank values stay as they are.
 */
export async function pseudonymiseFile(db: DuckDBSession, path: string, key: string): Promise<void> {
  await definePseudonymMacro(db, key);
  const columns = (await db.rows(`select column_name from (describe select * from read_parquet(${sqlString(path)}))`)).map((r) => String(r.column_name));
  const select = columns
    .filter((name) => name !== '_source_json')
    .map((name) => {
      const column = sqlIdent(name);
      if (!(CUSTOMER_ID_COLUMNS as readonly string[]).includes(name.trim().toLowerCase())) return column;
      return `case when nullif(trim(${column}), '') is null then ${column} else __pseudonym(trim(${column})) end as ${column}`;
    });
  await db.run(`copy (select ${select.join(', ')} from read_parquet(${sqlString(path)})) to ${sqlString(`${path}.pseudonymised`)} (format parquet, compression zstd)`);
  await rename(`${path}.pseudonymised`, path);
  // The padded key stays in this session no longer than needed.
  await db.run('drop macro if exists __pseudonym; drop table if exists __pseudonym_key');
}
