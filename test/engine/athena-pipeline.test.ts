// runPipeline with the Athena engine against its documented stand-in: DuckDBAthenaDouble
// (test/engine/duckdb-athena-double.ts), DuckDB in this process playing Athena's DuckDB engine,
// a service that cannot run here (no AWS account, no network). Two copies of one ingested demo
// lake, one run in process and one on the stand-in, publish the same tables row for row and
// write the same manifest counts; a statement that fails at poll time fails the run and
// publishes nothing.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetContracts } from '../../src/core/contracts/datasets.js';
import { athenaRunFolder, ATHENA_RUNS_PREFIX } from '../../src/core/engine/athena-engine.js';
import { stagingColumns, stagingTableName } from '../../src/core/engine/staging-statement.js';
import { LakeKeys, LakePrefix } from '../../src/core/lake/lake-layout.js';
import { LocalLake } from '../../src/core/lake/local-lake.js';
import { currentTablesRun } from '../../src/core/pipeline/previous-runs.js';
import type { RunManifest } from '../../src/core/pipeline/run-manifest.js';
import { writeDemoInbox } from '../../src/demo/index.js';
import { csv, ingestOnly, query, readParquet, run, tempDir, tempLake } from '../helpers/temp-lake.js';
import { DuckDBAthenaDouble } from './duckdb-athena-double.js';

type Row = Record<string, unknown>;

/** The stand-in with the Glue tables the construct creates: one per dataset over staging/<dataset>/. */
function standIn(dir: string, lake: LocalLake): DuckDBAthenaDouble {
  const double = new DuckDBAthenaDouble(dir, tempDir());
  for (const contract of datasetContracts) {
    double.registerTable(stagingTableName(contract.name), join(lake.uri, LakeKeys.stagingFolder(contract.name)), stagingColumns(contract));
  }
  return double;
}

/** What two runs over the same staging must agree on: everything but ids, times and durations. */
function counts(manifest: RunManifest) {
  return {
    status: manifest.status,
    as_of: manifest.as_of,
    as_of_basis: manifest.as_of_basis,
    currency: manifest.currency,
    out_of_range_left_out: manifest.out_of_range_left_out,
    inputs: manifest.inputs,
    missing_datasets: manifest.missing_datasets,
    models: manifest.models.map(({ duration_ms: _, ...record }) => record),
    tests: manifest.tests,
    published: manifest.published,
    headline: manifest.headline,
    alerts: manifest.alerts,
    warnings: manifest.warnings,
  };
}

async function metricsKeys(lake: LocalLake): Promise<string[]> {
  return (await lake.list(LakePrefix.metrics)).map((o) => o.key).sort();
}

describe('runPipeline on the Athena engine (DuckDB stand-in for Athena)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  // Not tempLake(): its folders go after each test, and these serve every test.
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'loyaltylake-athena-pipeline-'));
    dirs.push(dir);
    return dir;
  };

  let localDir: string;
  let athenaDir: string;
  let local: RunManifest;
  beforeAll(async () => {
    localDir = newDir();
    await writeDemoInbox(localDir, { customers: 1500 });
    await ingestOnly(new LocalLake(localDir));
    // The same staged files (landing times included) for the Athena run.
    athenaDir = newDir();
    cpSync(localDir, athenaDir, { recursive: true });
    local = await run(new LocalLake(localDir), { ingest: false, runId: 'local' });
  }, 180_000);

  it('publishes the tables and manifest counts of the in-process engine, and leaves no Athena table or file behind', async () => {
    // Prepare
    const lake = new LocalLake(athenaDir);
    const double = standIn(athenaDir, lake);

    // Act
    const athena = await run(lake, { ingest: false, runId: 'athena', athena: { queries: double, poll: { pollMs: 0 } } });

    // Assess: the in-process run succeeded and published (else the comparison proves nothing) ...
    expect(local.status, local.error).toBe('succeeded');
    expect(local.models.some((m) => m.status === 'built' && m.published_to)).toBe(true);
    // ... and the Athena run agrees on every count
    expect(athena.error).toBeUndefined();
    expect(counts(athena)).toEqual(counts(local));
    // the same published objects, each table the same rows (ordered by every column, so row order cannot differ)
    const keys = await metricsKeys(lake);
    expect(keys).toEqual(await metricsKeys(new LocalLake(localDir)));
    const tables = keys.filter((key) => key.endsWith('.parquet'));
    expect(tables.length).toBe(local.models.filter((m) => m.published_to).length);
    for (const key of tables) {
      const expected = await readParquet(localDir, key, 'all');
      const actual = await readParquet(athenaDir, key, 'all');
      expectSameRows(actual, expected, key);
    }
    // the run's Athena tables were dropped and its folder removed: only the construct's staging tables remain
    expect([...double.tables.keys()].sort()).toEqual(datasetContracts.map((c) => stagingTableName(c.name)).sort());
    expect(await lake.list(ATHENA_RUNS_PREFIX)).toEqual([]);
  }, 240_000);

  it('fails the run when a model statement fails at poll time, and publishes nothing', async () => {
    // Prepare: the lake the in-process run published; the stand-in accepts the CREATE TABLE AS of
    // int_orders_completed_v1, writes a file, then reports the statement FAILED when polled.
    const lake = new LocalLake(localDir);
    const before = new Map((await metricsKeys(lake)).map((key) => [key, readFileSync(join(localDir, key))]));
    const double = standIn(localDir, lake);
    double.interruptWriteOf.add('int_orders_completed_v1');

    // Act
    const manifest = await run(lake, { ingest: false, runId: 'athena-fails', athena: { queries: double, poll: { pollMs: 0 } } });

    // Assess: failed, named, nothing published
    expect(manifest.status).toBe('failed');
    expect(manifest.published).toBe(false);
    expect(manifest.error).toMatch(/int_orders_completed_v1: Athena could not build it: .*interrupted/);
    // metrics/ byte for byte as the in-process run left it, and still that run's tables
    expect(await metricsKeys(lake)).toEqual([...before.keys()]);
    for (const [key, bytes] of before) expect(readFileSync(join(localDir, key)).equals(bytes), key).toBe(true);
    expect((await currentTablesRun(lake))?.run_id).toBe('local');
    // and the failed run's Athena tables and files are gone
    expect([...double.tables.keys()].sort()).toEqual(datasetContracts.map((c) => stagingTableName(c.name)).sort());
    expect(await lake.list(athenaRunFolder('athena-fails'))).toEqual([]);
  }, 120_000);
});

describe('runPipeline on the Athena engine: rows an older version staged', () => {
  it('leaves staged amounts out of range out of the models on the engine, counted (test/ingest/amount-range.test.ts in process)', async () => {
    // Prepare: the staging file an older version wrote for two orders over the 1,000,000,000.00
    // maximum of amount (docs/input-rules.md), beside a new file with one order of 10
    const { dir, lake, put } = tempLake();
    put('inbox/orders/new.csv', csv('order_id,customer_id,ordered_at,amount', 'o3,c2,2024-01-07,10'));
    const staging = 'staging/orders/old.csv@0123456789ab.parquet';
    put(staging, '');
    await query(`copy (
        select * from (values ('o1', 2), ('o2', 3)) as t(order_id, _source_line)
        cross join (select 'c1' as customer_id, timestamp '2024-01-05' as ordered_at, 9999999999999999.99::decimal(18,2) as amount,
            0::decimal(18,2) as refunded_amount, null::varchar as currency, 'completed' as status,
            'inbox/orders/old.csv' as _source_key, timestamp '2024-01-06' as _landed_at)
    ) to '${join(dir, staging)}' (format parquet)`);
    const double = standIn(dir, lake);

    // Act: ingest in process (new.csv), then stage and build on the stand-in
    const manifest = await run(lake, { runId: 'athena-range', athena: { queries: double, poll: { pollMs: 0 } } });

    // Assess: o1 and o2 left out (2 rows; the Athena engine names no files), only c2's order of 10 built
    expect(manifest.error).toBeUndefined();
    expect(manifest.out_of_range_left_out).toEqual({ rows: 2, staging_files: [] });
    expect(manifest.inputs.find((i) => i.dataset === 'orders')).toMatchObject({ rows: 3, rowsCurrent: 1 });
    const summary = await readParquet(dir, 'metrics/customer_summary/v1/data.parquet', 'customer_id');
    expect(summary.map((r) => [r.customer_id, String(r.revenue)])).toEqual([['c2', '10.00']]);
  }, 60_000);
});

/** Equal row for row; a DOUBLE may differ in its last bits (sums in another order), nothing else may. */
function expectSameRows(actual: Row[], expected: Row[], table: string): void {
  expect(actual.length, `${table} rows`).toBe(expected.length);
  for (const [i, row] of expected.entries()) {
    for (const [column, value] of Object.entries(row)) {
      const got = actual[i]![column];
      if (typeof value === 'number' && typeof got === 'number' && value !== got) {
        expect(Math.abs(got - value) / Math.max(Math.abs(value), 1e-300), `${table} row ${i} ${column}`).toBeLessThan(1e-9);
      } else {
        expect(got, `${table} row ${i} ${column}`).toEqual(value);
      }
    }
  }
}
