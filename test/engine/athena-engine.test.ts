// The Athena engine against its documented stand-in (test/engine/duckdb-athena-double.ts: DuckDB
// in this process playing Athena's DuckDB engine, which cannot run here). On the demo lake it
// stages every dataset and builds every model version, SQL models as CREATE TABLE AS in a fresh
// session per statement, steps in this process; the staged counts, row counts, data tests and
// every table equal the in-process engine's. Then a write interrupted after it left a file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetContracts } from '../../src/core/contracts/datasets.js';
import { DuckDBSession, sqlIdent, sqlString } from '../../src/core/duckdb.js';
import { athenaRunFolder, AthenaEngine } from '../../src/core/engine/athena-engine.js';
import { InProcessEngine, type ModelEngine } from '../../src/core/engine/model-engine.js';
import { stagingColumns, stagingTableName } from '../../src/core/engine/staging-statement.js';
import { ModelError } from '../../src/core/errors.js';
import { LakeKeys } from '../../src/core/lake/lake-layout.js';
import { LocalLake } from '../../src/core/lake/local-lake.js';
import type { RunParams } from '../../src/core/models/isolated-statement.js';
import { dependencyOrder, loadModels, settingOverridesFrom, type ModelVersion } from '../../src/core/models/model-declaration.js';
import type { BuiltModel } from '../../src/core/models/model-runner.js';
import type { StepRegistry } from '../../src/core/models/model-step.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { stageInputs, type StagedDataset } from '../../src/core/pipeline/stage-inputs.js';
import { PREDICTIVE_STEPS } from '../../src/core/predictive/predictive-steps.js';
import { readLakeSettings } from '../../src/core/settings/lake-settings.js';
import { resolveTargets, targetsLast } from '../../src/core/targets/targets.js';
import { targetsSteps } from '../../src/core/targets/targets-step.js';
import { writeDemoInbox } from '../../src/demo/index.js';
import { ingestOnly, tempDir } from '../helpers/temp-lake.js';
import { DuckDBAthenaDouble } from './duckdb-athena-double.js';

type Row = Record<string, unknown>;
const params: RunParams = { asOf: '2026-10-31', churnWindowDays: 90 };

/** As run-pipeline.ts builds a run's models: in order, a model without its data or its required models skipped with an empty stand-in. */
async function buildAll(engine: ModelEngine, models: readonly ModelVersion[], staged: readonly StagedDataset[]): Promise<Map<string, BuiltModel>> {
  const available = new Set(staged.filter((s) => s.rowsCurrent > 0).map((s) => s.dataset));
  const built = new Map<string, BuiltModel>();
  for (const model of models) {
    if (model.requires.some((d) => !available.has(d)) || model.dependsOn.some((t) => !built.has(t))) {
      await engine.standIn(model);
      continue;
    }
    built.set(model.table, await engine.build(model));
  }
  return built;
}

/** The double's Glue tables as the construct creates them: one per dataset over staging/<dataset>/. */
function stagingGlueTables(double: DuckDBAthenaDouble, lake: LocalLake): void {
  for (const contract of datasetContracts) {
    double.registerTable(stagingTableName(contract.name), join(lake.uri, LakeKeys.stagingFolder(contract.name)), stagingColumns(contract));
  }
}

async function openRunSession(): Promise<DuckDBSession> {
  const db = await DuckDBSession.open({ workDir: tempDir(), threads: 2 });
  await db.run(`create table run_params as select cast(${sqlString(params.asOf)} as date) as as_of_date, cast(${params.churnWindowDays} as integer) as churn_window_days`);
  return db;
}

function ordered(model: ModelVersion): string {
  return `order by ${model.grain.map(sqlIdent).join(', ')}`;
}

describe('AthenaEngine over the DuckDB stand-in for Athena', () => {
  const sessions: DuckDBSession[] = [];
  afterAll(() => {
    sessions.forEach((db) => db.closeSync());
    rmSync(dir, { recursive: true, force: true });
  });

  let dir: string;
  let lake: LocalLake;
  let models: ModelVersion[];
  let steps: StepRegistry;
  let inProcess: { db: DuckDBSession; staged: StagedDataset[]; built: Map<string, BuiltModel> };
  beforeAll(async () => {
    // Not tempLake(): its folders go after each test, and this lake serves both.
    dir = mkdtempSync(join(tmpdir(), 'loyaltylake-athena-'));
    lake = new LocalLake(dir);
    await writeDemoInbox(dir, { customers: 1500 });
    await ingestOnly(lake);
    const { settings } = await readLakeSettings(lake);
    models = targetsLast(dependencyOrder(loadModels(defaultModelsDir(), { settingOverrides: settingOverridesFrom(settings) })));
    steps = { ...PREDICTIVE_STEPS, ...targetsSteps(resolveTargets(settings.targets, models)) };
    const db = await openRunSession();
    sessions.push(db);
    const staged = await stageInputs(lake, db, tempDir());
    inProcess = { db, staged, built: await buildAll(new InProcessEngine(db, steps), models, staged) };
  }, 120_000);

  it('stages and builds every model of the demo lake with the in-process results, then leaves nothing behind', async () => {
    // Prepare
    const double = new DuckDBAthenaDouble(dir, tempDir());
    stagingGlueTables(double, lake);
    const db = await openRunSession();
    sessions.push(db);
    const engine = new AthenaEngine({ queries: double, lake, db, scratch: tempDir(), runId: 'r1', steps, models, poll: { pollMs: 0 } });

    // Act
    const staged = await engine.stage();
    engine.useRunParams(params);
    const built = await buildAll(engine, models, staged);

    // Assess: the same staged counts (no leave-out given: nothing left out)
    expect(staged.map(({ rowsLeftOut, ...counts }) => ({ ...counts, rowsLeftOut }))).toEqual(inProcess.staged.map((s) => ({ ...s, rowsLeftOut: 0 })));
    // every model version of the repository is built (the demo has every dataset and targets), as in process
    expect([...built.keys()].sort()).toEqual(models.map((m) => m.table).sort());
    for (const model of models) {
      const athena = built.get(model.table)!;
      const local = inProcess.built.get(model.table)!;
      expect({ rows: athena.rows, tests: athena.tests }, model.table).toEqual({ rows: local.rows, tests: local.tests });
      const expected = await inProcess.db.rows(`select * from ${sqlIdent(model.table)} ${ordered(model)}`);
      // SQL models: the Parquet Athena wrote in the run's folder; steps: the run's session, where they ran
      const folder = join(dir, athenaRunFolder('r1'), model.table);
      const actual = model.step
        ? await db.rows(`select * from ${sqlIdent(model.table)} ${ordered(model)}`)
        : await db.rows(`select * from read_parquet(${sqlString(join(folder, '*.parquet'))}) ${ordered(model)}`);
      expectSameRows(actual, expected, model.table);
    }
    // each published table is in the run's session, where publish.ts reads it
    for (const model of models.filter((m) => m.publish)) {
      expect(Number(await db.scalar(`select count(*) from ${sqlIdent(model.table)}`)), model.table).toBe(inProcess.built.get(model.table)!.rows);
    }
    // (the stand-in fails a request of several statements: every build above was one statement per request)
    // At most 3 requests per model (drop, CREATE TABLE AS, one SELECT of its rows and every test)
    // and 4 per dataset (drop, CREATE TABLE AS, two counts): requests, not tests, set a run's pace.
    console.info(`${double.requests.length} requests for ${models.length} models and ${datasetContracts.length} datasets`);
    expect(double.requests.length).toBeLessThanOrEqual(3 * models.length + 4 * datasetContracts.length);

    // Act: the run ends
    const problems = await engine.cleanUp();

    // Assess: no table, no file of the run is left
    expect(problems).toEqual([]);
    expect(await lake.list(athenaRunFolder('r1'))).toEqual([]);
    expect([...double.tables.keys()].sort()).toEqual(datasetContracts.map((c) => stagingTableName(c.name)).sort());
  }, 240_000);

  it('fails a model whose write was interrupted, and removes the files the write left', async () => {
    // Prepare: the stand-in writes int_orders_completed_v1's file, then fails the statement;
    const double = new DuckDBAthenaDouble(dir, tempDir());
    stagingGlueTables(double, lake);
    const db = await openRunSession();
    sessions.push(db);
    const engine = new AthenaEngine({ queries: double, lake, db, scratch: tempDir(), runId: 'r2', steps, models, poll: { pollMs: 0 } });
    // staged with a leave-out condition, as the pipeline's currency and range rules give them
    const staged = await engine.stage(new Map([['orders', 'amount > 500']]));
    const orders = staged.find((s) => s.dataset === 'orders')!;
    const over500 = Number(await inProcess.db.scalar('select count(*) from stg_orders where amount > 500'));
    expect(over500).toBeGreaterThan(0);
    expect(orders.rowsLeftOut).toBe(over500);
    expect(orders.rowsCurrent).toBe(inProcess.staged.find((s) => s.dataset === 'orders')!.rowsCurrent - over500);
    engine.useRunParams(params);
    const model = models.find((m) => m.table === 'int_orders_completed_v1')!;
    double.interruptWriteOf.add(model.table);

    // Act
    const failure = await engine.build(model).catch((error: unknown) => error);

    // Assess: failed at poll time, named, and the table's folder is empty again
    expect(failure).toBeInstanceOf(ModelError);
    expect((failure as Error).message).toMatch(/^int_orders_completed_v1: Athena could not build it: .*interrupted.*removed the 1 files the failed write left/);
    expect(await lake.list(`${athenaRunFolder('r2')}${model.table}/`)).toEqual([]);

    // Act: a retry after the fault is gone writes into the emptied folder
    double.interruptWriteOf.clear();
    const retried = await engine.build(model);

    // Assess: the completed orders of the staged ones (the orders over 500 were left out)
    const expectedRows = Number(await inProcess.db.scalar(`select count(*) from ${model.table} where order_id in (select order_id from stg_orders where amount <= 500)`));
    expect(retried.rows).toBe(expectedRows);
    expect(await engine.cleanUp()).toEqual([]);
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
