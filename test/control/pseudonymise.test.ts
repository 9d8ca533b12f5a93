import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { definePseudonymMacro, pseudonym } from '../../src/core/control/pseudonymise.js';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { csv, query, readParquet, run, tempDir, tempLake } from '../helpers/temp-lake.js';
import { join } from 'node:path';

const KEY = 'a-test-key-of-32-bytes-0123456789';
const ENV = 'LOYALTYLAKE_PSEUDONYMISATION_KEY';
// The reference: node's own HMAC, independent of the SQL under test.
const hmac = (key: string, id: string) => createHmac('sha256', key).update(id, 'utf8').digest('hex');

afterEach(() => {
  delete process.env[ENV];
});

describe('pseudonyms in SQL', () => {
  it('equals HMAC-SHA256 as node:crypto computes it, for short, block-sized and long keys', async () => {
    // Prepare: keys of 16 bytes, exactly one 64-byte block, and 100 bytes (hashed first, RFC 2104); ids ASCII, e-mail, non-ASCII, empty.
    const keys = ['0123456789abcdef', 'k'.repeat(64), 'long key '.repeat(11) + 'x'];
    const ids = ['c1', 'Jane.Doe@example.com', 'Zoë Ångström 東京', ''];
    const db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
    try {
      for (const key of keys) {
        // Act
        await definePseudonymMacro(db, key);
        const rows = await db.rows(`select id, __pseudonym(id) as p from unnest(?::varchar[]) as t(id)`, [`[${ids.map((i) => `"${i}"`).join(',')}]`]);
        // Assess
        for (const row of rows) expect(row.p).toBe(hmac(key, String(row.id)));
        expect(rows).toHaveLength(ids.length);
      }
    } finally {
      db.closeSync();
    }
    expect(pseudonym(keys[0]!, 'c1')).toBe(hmac(keys[0]!, 'c1'));
  });
});

describe('pseudonymisation at ingest', () => {
  const settings = 'pseudonymise:\n  key_env: LOYALTYLAKE_PSEUDONYMISATION_KEY\n';
  const orders = csv('order_id,customer_id,ordered_at,amount', 'o1,jane@example.com,2024-01-05,10', 'o2, bob@example.com ,2024-01-06,20', 'o3,ann@example.com,2024-01-07,oops');
  const customers = csv('customer_id,created_at,referred_by', 'jane@example.com,2023-12-01,', 'bob@example.com,2023-12-02,jane@example.com');

  it('replaces every customer id by its HMAC in staging, rejects and tables, the same in every dataset', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('loyaltylake.yml', settings);
    put('inbox/orders/orders.csv', orders);
    put('inbox/customers/customers.csv', customers);
    process.env[ENV] = KEY;

    // Act
    const manifest = await run(lake, { asOf: '2024-01-31' });

    // Assess
    expect(manifest.status).toBe('succeeded');
    const [jane, bob, ann] = ['jane@example.com', 'bob@example.com', 'ann@example.com'].map((id) => hmac(KEY, id));
    const stagedOrders = await readParquet(dir, 'staging/orders/*.parquet', 'order_id');
    // ' bob@example.com ' is trimmed before hashing, as staging trims every value.
    expect(stagedOrders.map((r) => r.customer_id)).toEqual([jane, bob]);
    const stagedCustomers = await readParquet(dir, 'staging/customers/*.parquet', 'created_at');
    expect(stagedCustomers.map((r) => [r.customer_id, r.referred_by])).toEqual([[jane, null], [bob, jane]]);
    const rejects = await readParquet(dir, 'rejects/orders/*.parquet');
    expect(rejects.map((r) => r.customer_id)).toEqual([ann]);
    // Orders and customers join on the pseudonym: bob is referred (by jane's pseudonym).
    const summary = await readParquet(dir, 'metrics/customer_summary/v1/data.parquet', 'customer_id');
    expect(summary.map((r) => [r.customer_id, r.is_referred]).sort()).toEqual([[bob, true], [jane, false]].sort());
    // No raw id anywhere in staging, rejects or tables.
    const anywhere = await query(`
      select count(*) as n from read_parquet([${['staging', 'rejects', 'metrics', 'history'].map((area) => quoteGlob(dir, `${area}/**/*.parquet`)).join(', ')}], union_by_name = true) as row
      where contains(cast(to_json(row) as varchar), '@example.com')`);
    expect(Number(anywhere[0]!.n)).toBe(0);
  });

  it('fails the run, ingesting nothing, when the key is missing', async () => {
    // Prepare
    const { lake, put } = tempLake();
    put('loyaltylake.yml', settings);
    put('inbox/orders/orders.csv', orders);

    // Act
    const manifest = await run(lake, { asOf: '2024-01-31' });

    // Assess
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toMatch(/sets pseudonymise, but no key was found in the environment variable LOYALTYLAKE_PSEUDONYMISATION_KEY/);
    expect(await lake.list('staging/')).toEqual([]);
  });

  it('fails when the key changed, when the setting is removed, or when staging already holds raw ids', async () => {
    // Prepare: a pseudonymised lake
    const { lake, put } = tempLake();
    put('loyaltylake.yml', settings);
    put('inbox/orders/orders.csv', orders);
    process.env[ENV] = KEY;
    expect((await run(lake, { asOf: '2024-01-31' })).status).toBe('succeeded');

    // Act + Assess: another key
    process.env[ENV] = 'another-key-of-enough-bytes-000';
    expect((await run(lake, { asOf: '2024-01-31' })).error).toMatch(/is not the one the lake's staging was pseudonymised with/);
    // Act + Assess: the setting removed
    put('loyaltylake.yml', 'currency: EUR\n');
    expect((await run(lake, { asOf: '2024-01-31' })).error).toMatch(/holds pseudonymised customer ids .* does not set pseudonymise/);

    // Prepare: a lake with raw ids in staging
    const raw = tempLake();
    raw.put('inbox/orders/orders.csv', orders);
    await run(raw.lake, { asOf: '2024-01-31' });
    raw.put('loyaltylake.yml', settings);
    // Act + Assess
    expect((await run(raw.lake, { asOf: '2024-01-31' })).error).toMatch(/already holds raw customer ids/);
  });

  it('fails for a key shorter than 16 bytes', async () => {
    const { lake, put } = tempLake();
    put('loyaltylake.yml', 'pseudonymise: true\n');
    put('inbox/orders/orders.csv', orders);
    process.env[ENV] = 'short';
    expect((await run(lake, { asOf: '2024-01-31' })).error).toMatch(/is 5 bytes long; use at least 16/);
  });
});

function quoteGlob(dir: string, glob: string): string {
  return `'${join(dir, glob).replaceAll("'", "''")}'`;
}
