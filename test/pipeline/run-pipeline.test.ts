import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqlString } from '../../src/core/duckdb.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { countingDownloads } from '../helpers/counting-lake.js';
import { copyOfModels } from '../helpers/models-dir.js';
import { csv, query, readParquet, run, tempLake } from '../helpers/temp-lake.js';

const ORDERS = csv(
  'order_id,customer_id,ordered_at,amount,currency',
  'o1,c1,2024-01-05,10,EUR',
  'o2,c2,2024-01-20,20,EUR',
  'o3,c1,2024-02-10,30,EUR',
);
/** Every published table of a lake, by key. */
function metricsFiles(dir: string): Map<string, Buffer> {
  const files = readdirSync(join(dir, 'metrics'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return new Map(files.map((entry) => [join(entry.parentPath, entry.name), readFileSync(join(entry.parentPath, entry.name))]));
}

describe('runPipeline', () => {
  it('publishes every model table, a snapshot per as-of date and a manifest', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);

    // Act
    const manifest = await run(lake);

    // Assess
    expect(manifest).toMatchObject({ status: 'succeeded', as_of: '2024-02-10', as_of_source: 'data', published: true });
    const declared = loadModels(defaultModelsDir());
    const published = declared.filter((m) => m.publish && !m.requires.some((d) => d !== 'orders'));
    expect(published.map((m) => m.model)).toEqual(expect.arrayContaining(['customer_summary', 'cohort_retention', 'retention_monthly', 'loyalty_kpis_monthly']));
    // snapshots are keyed by as-of date and settings variant (issue 11): churn window 90, no settings file
    expect(manifest.history_settings).toMatch(/^cw90-[0-9a-f]{8}$/);
    for (const { model } of published) {
      expect(readdirSync(join(dir, `metrics/${model}/v1`))).toEqual(['data.parquet']);
      expect(readFileSync(join(dir, `history/${model}/v1/as_of=2024-02-10/settings=${manifest.history_settings}/data.parquet`))).toEqual(
        readFileSync(join(dir, `metrics/${model}/v1/data.parquet`)),
      );
    }
    expect(existsSync(join(dir, 'metrics/int_orders_completed'))).toBe(false); // internal model
    expect(existsSync(join(dir, 'metrics/mrr_monthly'))).toBe(false); // no subscriptions dropped
    const written = JSON.parse(readFileSync(join(dir, `_runs/${manifest.run_id}.json`), 'utf8'));
    expect(written).toEqual(JSON.parse(readFileSync(join(dir, '_runs/latest.json'), 'utf8')));
    const recorded = written.models as { model: string; version: number; fingerprint: string }[];
    expect(recorded.map((m) => `${m.model}_v${m.version}`).sort()).toEqual(declared.map((m) => m.table).sort());
    for (const model of recorded) expect(model.fingerprint).toEqual(declared.find((d) => d.model === model.model && d.version === model.version)!.fingerprint);
    expect(written.ingest).toMatchObject({ files_loaded: 1, rows_in: 3, rows_loaded: 3, rows_rejected: 0 });
    expect(written.inputs.find((i: { dataset: string }) => i.dataset === 'orders')).toMatchObject({ rows: 3, rowsCurrent: 3 });
  });

  it('publishes only Athena-safe Parquet types, exactly as declared', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    put('inbox/customers/customers.csv', csv('customer_id,created_at,acquisition_channel,referred_by', 'c1,2024-01-01,ads,', 'c2,2024-01-01,,c1'));

    // Act
    await run(lake);

    // Assess
    const schema = await query(`
      select name, type, converted_type from parquet_schema(${sqlString(join(dir, 'metrics/*/v1/data.parquet'))})
      where name <> 'duckdb_schema'`);
    const allowed = new Set(['INT64/INT_64', 'INT64/DECIMAL', 'DOUBLE/null', 'INT32/DATE', 'INT64/TIMESTAMP_MICROS', 'BYTE_ARRAY/UTF8', 'BOOLEAN/null']);
    const unsafe = schema.filter((c) => !allowed.has(`${c.type}/${c.converted_type}`));
    expect(schema.length).toBeGreaterThan(40);
    expect(unsafe).toEqual([]);
    const decimals = await query(
      `select distinct precision, scale from parquet_schema(${sqlString(join(dir, 'metrics/*/v1/data.parquet'))}) where converted_type = 'DECIMAL'`,
    );
    expect(decimals).toEqual([{ precision: '18', scale: '2' }]);
  });

  it('fails a run whose data test fails, publishes nothing and leaves the previous tables byte-identical', async () => {
    // Prepare: a good run, then new orders and a model version whose test now fails
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    expect((await run(lake)).status).toBe('succeeded');
    const before = metricsFiles(dir);
    put('inbox/orders/more.csv', csv('order_id,customer_id,ordered_at,amount', 'o4,c3,2024-03-01,40', 'o5,c3,2024-03-02,40'));
    const models = copyOfModels();
    models.edit('customer_summary/customer_summary.yml', (text) =>
      text.replace('    tests:\n      - name: cohort_iff_orders', '    tests:\n      - name: at_most_two_orders\n        expect: orders <= 1\n      - name: cohort_iff_orders'),
    );

    // Act
    const failed = await run(lake, { modelsDir: models.dir });

    // Assess
    expect(failed.status).toBe('failed');
    expect(failed.published).toBe(false);
    expect(failed.error).toMatch(/data tests: 1 failed, nothing published: customer_summary_v1 at_most_two_orders: 2 rows/);
    expect(metricsFiles(dir)).toEqual(before);
    expect(existsSync(join(dir, 'history/customer_summary/v1/as_of=2024-03-02'))).toBe(false);
    const latest = JSON.parse(readFileSync(join(dir, '_runs/latest.json'), 'utf8'));
    expect(latest).toMatchObject({ run_id: failed.run_id, status: 'failed', published: false });

    // and the next good run publishes the new data
    const next = await run(lake);
    expect(next).toMatchObject({ status: 'succeeded', as_of: '2024-03-02' });
    expect(metricsFiles(dir)).not.toEqual(before);
  });

  it('rounds money averages half up to the cent, exactly', async () => {
    // Prepare: c1 spends 1.00 + 1.01 (mean 1.005), c2 2.67 + 2.68 (mean 2.675), c3 10.00 + 10.01 (mean 10.005)
    const { dir, lake, put } = tempLake();
    put(
      'inbox/orders/orders.csv',
      csv('order_id,customer_id,ordered_at,amount', 'a,c1,2024-01-01,1.00', 'b,c1,2024-01-02,1.01', 'c,c2,2024-01-01,2.67', 'd,c2,2024-01-02,2.68', 'e,c3,2024-01-01,10.00', 'f,c3,2024-01-02,10.01'),
    );

    // Act
    await run(lake);

    // Assess
    const summary = await readParquet(dir, 'metrics/customer_summary/v1/data.parquet', 'customer_id');
    expect(summary.map((r) => r.avg_order_value)).toEqual(['1.01', '2.68', '10.01']);
    // the cohort spent 27.37 over 3 customers: 9.1233… per customer
    const [cohort] = await readParquet(dir, 'metrics/cohort_retention/v1/data.parquet');
    expect(cohort!.cumulative_revenue_per_customer).toBe('9.12');
  });

  it('keeps one currency when orders mix them: the rows in the other are rejected, and the run goes on', async () => {
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount,currency', 'o1,c1,2024-01-05,10,EUR', 'o2,c2,2024-01-20,20,USD'));
    const manifest = await run(lake);
    expect(manifest.status).toBe('succeeded');
    // one row each: the tie goes to the first code alphabetically
    expect(manifest.currency).toEqual({ code: 'EUR', source: 'first_loaded_file', file: 'inbox/orders/orders.csv' });
    expect(manifest.ingest).toMatchObject({ rows_loaded: 1, rows_rejected: 1 });
  });

  it('fails with a clear error when there are no completed orders and no --as-of', async () => {
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount,status', 'o1,c1,2024-01-05,10,cancelled'));
    const manifest = await run(lake);
    expect(manifest).toMatchObject({ status: 'failed' });
    expect(manifest.error).toMatch(/no completed orders \(or other dated rows\) are loaded/);
  });

  it.each([
    [{ asOf: '2024-02-30' }, /--as-of must be a date YYYY-MM-DD, got '2024-02-30'/],
    [{ churnWindowDays: 0 }, /--churn-window-days must be a whole number ≥ 1, got '0'/],
  ])('fails on bad options %o', async (options, error) => {
    const { lake } = tempLake();
    const manifest = await run(lake, options);
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toMatch(error);
  });

  it("takes the churn window from the lake's settings file, unless the option gives one", async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    put('loyaltylake.yml', 'churn_window_days: 30\nfuture_setting: 1\n');

    // Act
    const fromFile = await run(lake);
    const fromOption = await run(lake, { churnWindowDays: 45 });

    // Assess
    expect(fromFile).toMatchObject({ status: 'succeeded', churn_window_days: 30 });
    expect(fromFile.settings).toMatchObject({ source: `${lake.uri}/loyaltylake.yml`, unknown_keys: ['future_setting'] });
    const published = join(dir, 'metrics/retention_monthly/v1/data.parquet');
    expect(await query(`select distinct churn_window_days from read_parquet(${sqlString(published)})`)).toEqual([{ churn_window_days: '45' }]);
    expect(fromOption.churn_window_days).toBe(45);
  });

  it('fails on an invalid settings file, naming it and the setting, and publishes nothing', async () => {
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    put('loyaltylake.yml', 'churn_window_days: soon\n');

    const manifest = await run(lake);

    expect(manifest.status).toBe('failed');
    expect(manifest.error).toContain(`${lake.uri}/loyaltylake.yml has invalid settings`);
    expect(manifest.error).toContain('churn_window_days');
    expect(existsSync(join(dir, 'metrics'))).toBe(false);
    expect(existsSync(join(dir, 'staging'))).toBe(false);
  });

  it('skips models whose input dataset was never dropped and says so', async () => {
    const { lake, put } = tempLake();
    put('inbox/customers/customers.csv', csv('customer_id,created_at', 'c1,2024-01-01'));
    const manifest = await run(lake, { asOf: '2024-01-31' });
    expect(manifest.status).toBe('succeeded');
    expect(manifest.models.map((m) => [m.model, m.status, m.skipped_because])).toContainEqual(['cohort_retention', 'skipped', 'no orders data']);
  });
});

describe('what a run reads back', () => {
  it('downloads neither the staging files it wrote nor the tables it published, but does download older staging files', async () => {
    // Prepare
    const { dir, lake: local, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const { lake, downloads } = countingDownloads(local);
    let seen: { published: string[]; retentionRows: unknown } | undefined;

    // Act
    const first = await runPipeline({
      lake,
      threads: 2,
      readPublished: async (db, published) => {
        seen = { published: [...published], retentionRows: await db.scalar('select count(*) from cohort_retention_v1') };
      },
    });

    // Assess: only the input file came down; the report hook saw the published tables in the run's session
    expect(first.status).toBe('succeeded');
    expect(downloads.filter((key) => !key.startsWith('_runs/'))).toEqual(['inbox/orders/orders.csv']); // _runs/: the lease and the lake's currency, read back
    expect(seen!.published).toEqual(expect.arrayContaining(['cohort_retention_v1', 'customer_summary_v1']));
    expect(seen!.published).not.toContain('int_orders_completed_v1'); // internal, never published
    expect(Number(seen!.retentionRows)).toBe((await readParquet(dir, 'metrics/cohort_retention/v1/data.parquet')).length);

    // and a later run downloads the staging file of the first, not its own
    downloads.length = 0;
    put('inbox/orders/more.csv', csv('order_id,customer_id,ordered_at,amount', 'o4,c3,2024-03-01,40'));
    expect((await runPipeline({ lake, threads: 2 })).status).toBe('succeeded');
    // metrics/: the previous tables, copied for the publish journal
    expect(downloads.filter((key) => !key.startsWith('metrics/') && !key.startsWith('_runs/'))).toEqual([
      'inbox/orders/more.csv',
      first.ingest.files[0]!.staging_key,
    ]);
  });

  it('records the models built before one whose SQL fails, and names the failing one', async () => {
    // Prepare
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const models = copyOfModels();
    models.edit('customer_summary/v1.sql', () => 'select no_such_column from stg_orders\n');

    // Act
    const manifest = await run(lake, { modelsDir: models.dir });

    // Assess
    expect(manifest).toMatchObject({ status: 'failed', published: false });
    expect(manifest.error).toMatch(/customer_summary_v1/);
    expect(manifest.models.map((m) => m.model)).toContain('int_orders_completed');
    expect(manifest.models.map((m) => m.model)).not.toContain('customer_summary');
  });
});

describe('model versions', () => {
  it('keeps v1 and v2 of a model live side by side, each with its own fingerprint', async () => {
    // Prepare: declare a v2 of cohort_retention beside v1 (same SQL plus one column)
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const models = copyOfModels();
    const v1Sql = readFileSync(join(models.dir, 'cohort_retention/v1.sql'), 'utf8');
    writeFileSync(
      join(models.dir, 'cohort_retention/v2.sql'),
      `select *, cohort_size - active_customers as inactive_customers from (\n${v1Sql}\n)\n`,
    );
    models.edit('cohort_retention/cohort_retention.yml', (text) => {
      const v1 = text.slice(text.indexOf('  - version: 1'));
      const v2 = v1
        .replace('  - version: 1', '  - version: 2\n    description: Adds inactive_customers.')
        .replace(
          '      - name: is_partial_period',
          '      - name: inactive_customers\n        type: BIGINT\n        description: cohort_size − active_customers.\n        tests: [not_null]\n      - name: is_partial_period',
        );
      return `${text}${v2}`;
    });
    const other = tempLake();
    other.put('inbox/orders/orders.csv', ORDERS);
    const withV1Only = await run(other.lake);

    // Act
    const manifest = await run(lake, { modelsDir: models.dir });

    // Assess
    expect(manifest.status).toBe('succeeded');
    const versions = manifest.models.filter((m) => m.model === 'cohort_retention');
    expect(versions.map((m) => [m.version, m.published_to])).toEqual([
      [1, 'metrics/cohort_retention/v1/data.parquet'],
      [2, 'metrics/cohort_retention/v2/data.parquet'],
    ]);
    expect(versions[0]!.fingerprint).not.toBe(versions[1]!.fingerprint);
    const v1Alone = withV1Only.models.find((m) => m.model === 'cohort_retention')!;
    expect(versions[0]!.fingerprint).toBe(v1Alone.fingerprint); // adding v2 leaves v1 as it was
    const v1 = await readParquet(dir, 'metrics/cohort_retention/v1/data.parquet', 'cohort_month, period_number');
    const v2 = await readParquet(dir, 'metrics/cohort_retention/v2/data.parquet', 'cohort_month, period_number');
    expect(Object.keys(v1[0]!)).not.toContain('inactive_customers');
    // cohort 2024-01 = {c1, c2}; in February only c1 is active → 1 inactive
    expect(v2.map((r) => [r.cohort_month, r.period_number, r.inactive_customers])).toEqual([
      ['2024-01-01', '0', '0'],
      ['2024-01-01', '1', '1'],
    ]);
    expect(v2.map(({ inactive_customers: _, ...rest }) => rest)).toEqual(v1);
  });
});
