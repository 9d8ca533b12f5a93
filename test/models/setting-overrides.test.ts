// The lake's settings (loyaltylake.yml) override the models' declared settings of the same name:
// in the SQL, in the fingerprint (a changed setting rebuilds the model), in a run and in
// transformNeeded, which must load the models exactly as the run does.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBSession, sqlString } from '../../src/core/duckdb.js';
import { ModelError } from '../../src/core/errors.js';
import { loadModels, settingOverridesFrom, type ModelVersion } from '../../src/core/models/model-declaration.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { transformNeeded } from '../../src/core/pipeline/transform-needed.js';
import { parseLakeSettings } from '../../src/core/settings/lake-settings.js';
import { declare, yaml } from '../helpers/declare-model.js';
import { csv, query, run, tempDir, tempLake } from '../helpers/temp-lake.js';

const COLUMNS = '      - name: id\n        type: BIGINT\n        description: id\n';
const SETTINGS = `    settings:
      gap: 30
      names: []
      label: plain
      margin: null
`;
const SQL = 'with\n\nt as (\n    select 1 as id, {{ gap }} as gap, {{ names }} as names, {{ label }} as label, {{ margin }} as margin\n)\n\nselect * from t\n';

/** The one model of a temp folder, loaded with the given overrides. */
function load(overrides?: Record<string, unknown>): ModelVersion {
  const dir = tempDir();
  declare(dir, 'a_model', yaml('a_model', COLUMNS, SETTINGS), { 1: SQL });
  return loadModels(dir, overrides ? { settingOverrides: settingOverridesFrom(overrides) } : {})[0]!;
}

describe('setting overrides', () => {
  it('fill the SQL with the overriding values, a list as a VARCHAR list literal quoted item by item', async () => {
    const model = load({ gap: 45, names: ['wishlist_add', "it's"], label: "o'brien", unrelated: 1 });

    expect(model.settings).toEqual({ gap: 45, names: ['wishlist_add', "it's"], label: "o'brien", margin: null });
    expect(model.sql).toContain("select 1 as id, 45 as gap, ['wishlist_add', 'it''s'] as names, 'o''brien' as label, NULL as margin");
    const db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
    try {
      expect(await db.rows(model.sql)).toEqual([{ id: 1, gap: 45, names: ['wishlist_add', "it's"], label: "o'brien", margin: null }]);
      const declared = load();
      expect(declared.sql).toContain('cast([] as varchar[]) as names'); // typed: no rows from unnest, comparable with strings
      expect(await db.rows(`select count(*) as n from unnest(${declared.sql.match(/cast\(\[\] as varchar\[\]\)/)![0]}) as t (x) where x = 'a'`)).toEqual([
        { n: '0' },
      ]);
    } finally {
      db.closeSync();
    }
  });

  it('change the fingerprint when a value changes, and leave it as declared when the values are the defaults', () => {
    const declared = load().fingerprint;
    expect(load({ gap: 30, names: [], label: 'plain', unrelated: 'x' }).fingerprint).toBe(declared); // same values: nothing to rebuild
    expect(load({ gap: 31 }).fingerprint).not.toBe(declared);
    expect(load({ names: ['a'] }).fingerprint).not.toBe(declared);
    expect(load({ names: ['a', 'b'] }).fingerprint).not.toBe(load({ names: ['a'] }).fingerprint);
    expect(load({ margin: 0.4 }).fingerprint).not.toBe(declared); // a declared null takes any kind
    expect(load({ margin: 0.4 }).sql).toContain('0.4 as margin');
  });

  it('must be of the declared kind', () => {
    expect(() => load({ gap: 'thirty' })).toThrow(ModelError);
    expect(() => load({ gap: 'thirty' })).toThrow(/setting gap must be a number/);
    expect(() => load({ names: 'wishlist_add' })).toThrow(/setting names must be a list/);
  });

  it("are the lake settings' numbers, strings, booleans and string lists; nested settings and targets are left out", () => {
    const { settings } = parseLakeSettings(
      'key_features: [wishlist_add, review_posted]\nsession_gap_minutes: 20\ngross_margin: 0.4\ningest:\n  earliest_date: 2020-01-01\n' +
        'targets:\n  - metric: loyalty_kpis_monthly.clv_formula\n    comparator: at_least\n    value: 100\n',
    );
    expect(settingOverridesFrom(settings)).toEqual({
      key_features: ['wishlist_add', 'review_posted'],
      login_event: 'login', // the lake's default
      session_gap_minutes: 20,
      gross_margin: 0.4,
    });
  });
});

describe('a run on a lake with settings', () => {
  it('builds the engagement models with the lake’s settings, records their fingerprints, and transformNeeded sees a change', async () => {
    // Prepare: c1's events 40 minutes apart: one session with a 45-minute gap (two with the default 30)
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount,currency', 'o1,c1,2024-01-05,10,EUR'));
    put(
      'inbox/events/events.csv',
      csv('customer_id,event_name,occurred_at', 'c1,login,2024-01-10 10:00:00', 'c1,wishlist_add,2024-01-10 10:40:00', 'c2,login,2024-01-11 08:00:00'),
    );
    put('loyaltylake.yml', 'session_gap_minutes: 45\nkey_features: [wishlist_add, review_posted]\n');
    const overrides = { session_gap_minutes: 45, key_features: ['wishlist_add', 'review_posted'] };
    const withSettings = new Map(loadModels(defaultModelsDir(), { settingOverrides: overrides }).map((m) => [m.table, m]));
    const declared = new Map(loadModels(defaultModelsDir()).map((m) => [m.table, m]));

    // Act
    const manifest = await run(lake, { asOf: '2024-01-31' });

    // Assess: the values in the SQL, the fingerprints the run recorded, and the published tables
    expect(manifest.error).toBeUndefined();
    expect(manifest.status).toBe('succeeded');
    expect(withSettings.get('engagement_monthly_v2')!.sql).toContain('> cast(45 as double) * 60000000');
    expect(withSettings.get('feature_adoption_monthly_v1')!.sql).toContain("unnest(['wishlist_add', 'review_posted'])");
    const fingerprint = (table: string) => manifest.models.find((m) => `${m.model}_v${m.version}` === table)!.fingerprint;
    for (const table of ['engagement_monthly_v2', 'feature_adoption_monthly_v1']) {
      expect(fingerprint(table)).toBe(withSettings.get(table)!.fingerprint);
      expect(fingerprint(table)).not.toBe(declared.get(table)!.fingerprint);
    }
    expect(fingerprint('engagement_monthly_v1')).toBe(declared.get('engagement_monthly_v1')!.fingerprint); // declares no setting
    const table = (model: string, version: number) => sqlString(join(dir, `metrics/${model}/v${version}/data.parquet`));
    expect(await query(`select month, events, sessions from read_parquet(${table('engagement_monthly', 2)})`)).toEqual([
      { month: '2024-01-01', events: '3', sessions: '2' }, // c1: 1 (40 ≤ 45), c2: 1
    ]);
    expect(await query(`select feature, adopters, adoption_rate from read_parquet(${table('feature_adoption_monthly', 1)}) order by feature`)).toEqual([
      { feature: 'review_posted', adopters: '0', adoption_rate: 0 },
      { feature: 'wishlist_add', adopters: '1', adoption_rate: 0.5 }, // c1 of {c1, c2}
    ]);

    // Act and assess 2: nothing to do while the settings stay; a changed setting changes what is needed
    expect(await transformNeeded(lake)).toEqual({ needed: false, reason: `nothing new since run ${manifest.run_id}` });
    put('loyaltylake.yml', 'session_gap_minutes: 30\nkey_features: [wishlist_add, review_posted]\n');
    expect(await transformNeeded(lake)).toEqual({ needed: true, reason: 'models changed: engagement_monthly_v2' });
    put('loyaltylake.yml', 'session_gap_minutes: [1\n');
    expect(await transformNeeded(lake)).toMatchObject({ needed: true, reason: expect.stringContaining("the lake's settings cannot be read") });

    // Act and assess 3: the run with the default gap rebuilds, two sessions for c1
    put('loyaltylake.yml', 'key_features: [wishlist_add, review_posted]\n');
    const second = await run(lake, { asOf: '2024-01-31' });
    expect(second.status).toBe('succeeded');
    expect(await query(`select sessions from read_parquet(${table('engagement_monthly', 2)})`)).toEqual([{ sessions: '3' }]);
    expect(await transformNeeded(lake)).toMatchObject({ needed: false });

    // Act and assess 4: a comment changes nothing; a setting no model reads (the currency) still needs a run
    put('loyaltylake.yml', '# features we track\nkey_features: [wishlist_add, review_posted]\n');
    expect(await transformNeeded(lake)).toMatchObject({ needed: false });
    put('loyaltylake.yml', 'key_features: [wishlist_add, review_posted]\ncurrency: EUR\n');
    expect(await transformNeeded(lake)).toEqual({ needed: true, reason: `the lake's settings changed since run ${second.run_id}` });
  }, 60_000);
});
