// Every SQL model as one isolated statement (issue 15): built in a fresh DuckDB session per model
// whose only inputs are views named as the Glue catalog names the tables (stg_<dataset>,
// <model>_v<N>) over Parquet files, with the run's parameters as literals, the result equals the
// in-process run's table row for row. Run on the demo lake and on public reference data
// (CDNOW orders, the mrr-playbook subscriptions). Steps (the CLV fits, the targets) run in the
// transform function and are not statements: their outputs are inputs here like any table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBSession, sqlIdent, sqlString } from '../../src/core/duckdb.js';
import { ingestInbox } from '../../src/core/ingest/ingest.js';
import type { LocalLake } from '../../src/core/lake/local-lake.js';
import { dependencyOrder, loadModels, type ModelVersion } from '../../src/core/models/model-declaration.js';
import { isolatedStatement, modelInputs, type RunParams } from '../../src/core/models/isolated-statement.js';
import { buildModel } from '../../src/core/models/model-runner.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { stageInputs } from '../../src/core/pipeline/stage-inputs.js';
import { PREDICTIVE_STEPS } from '../../src/core/predictive/predictive-steps.js';
import { writeDemoInbox } from '../../src/demo/index.js';
import { csv, tempDir, tempLake } from '../helpers/temp-lake.js';

type Row = Record<string, unknown>;

interface InProcessRun {
  readonly db: DuckDBSession;
  readonly built: ModelVersion[];
  readonly params: RunParams;
  /** Parquet file of each staging view and model table, as the run left them. */
  readonly files: Map<string, string>;
}

/** Ingests, stages and builds every model in one session, as the in-process engine does, then writes every table to Parquet. */
async function inProcessRun(lake: LocalLake, params: RunParams): Promise<InProcessRun> {
  const workDir = tempDir();
  const db = await DuckDBSession.open({ workDir, threads: 2 });
  await ingestInbox({ lake, db, workDir, runId: 'conformance' });
  const staged = await stageInputs(lake, db, workDir);
  await db.run(`create table run_params as select cast(${sqlString(params.asOf)} as date) as as_of_date, cast(${params.churnWindowDays} as integer) as churn_window_days`);
  const available = new Set(staged.filter((s) => s.rowsCurrent > 0).map((s) => s.dataset));
  const built: ModelVersion[] = [];
  const standIns: string[] = [];
  for (const model of dependencyOrder(loadModels(defaultModelsDir()))) {
    // The targets step needs a lake's targets; it is not a statement either way.
    if (model.step && !PREDICTIVE_STEPS[model.step.name]) continue;
    if (model.requires.some((d) => !available.has(d)) || model.dependsOn.some((t) => !built.some((b) => b.table === t))) {
      // As a run does: a skipped model is an empty table of its shape, for the models that read it optionally.
      const columns = model.columns.map((c) => `cast(null as ${c.type}) as ${sqlIdent(c.name)}`);
      await db.run(`create table ${sqlIdent(model.table)} as select ${columns.join(', ')} where false`);
      standIns.push(model.table);
      continue;
    }
    await buildModel(db, model, PREDICTIVE_STEPS);
    built.push(model);
  }
  const files = new Map<string, string>();
  const names = [...staged.map((s) => `stg_${s.dataset}`), ...built.map((m) => m.table), ...standIns];
  for (const name of names) {
    const file = join(workDir, `${name}.parquet`);
    await db.run(`copy (select * from ${sqlIdent(name)}) to ${sqlString(file)} (format parquet)`);
    files.set(name, file);
  }
  return { db, built, params, files };
}

/** The model's statement in a new session that holds nothing but a view per declared input. */
async function isolatedRun(run: InProcessRun, model: ModelVersion): Promise<Row[]> {
  const db = await DuckDBSession.open({ workDir: tempDir(), threads: 2 });
  try {
    const { datasets, tables } = modelInputs(model);
    for (const name of [...datasets.map((d) => `stg_${d}`), ...tables]) {
      const file = run.files.get(name);
      if (!file) throw new Error(`${model.table} reads ${name}, which the in-process run did not build`);
      await db.run(`create view ${sqlIdent(name)} as select * from read_parquet(${sqlString(file)})`);
    }
    return await db.rows(isolatedStatement(model, run.params));
  } finally {
    db.closeSync();
  }
}

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

async function expectConformance(run: InProcessRun): Promise<string[]> {
  const checked: string[] = [];
  for (const model of run.built.filter((m) => !m.step)) {
    const expected = await run.db.rows(`select * from ${sqlIdent(model.table)} order by ${model.grain.map(sqlIdent).join(', ')}`);
    expectSameRows(await isolatedRun(run, model), expected, model.table);
    checked.push(model.table);
  }
  return checked;
}

describe('every SQL model as one isolated statement', () => {
  const runs: InProcessRun[] = [];
  afterAll(() => runs.forEach((r) => r.db.closeSync()));

  let demo: InProcessRun;
  beforeAll(async () => {
    const { dir, lake } = tempLake();
    await writeDemoInbox(dir, { customers: 1500 });
    demo = await inProcessRun(lake, { asOf: '2026-10-31', churnWindowDays: 90 });
    runs.push(demo);
  }, 120_000);

  it('equals the in-process run on the demo lake (every SQL model; every dataset there)', async () => {
    const checked = await expectConformance(demo);
    const sqlModels = loadModels(defaultModelsDir()).filter((m) => !m.step);
    // the demo has every dataset: every SQL model version is built and checked
    expect(checked.sort()).toEqual(sqlModels.map((m) => m.table).sort());
  }, 120_000);

  it('equals the in-process run on public reference data (CDNOW orders, mrr-playbook subscriptions), another churn window', async () => {
    const reference = join(import.meta.dirname, '../fixtures/reference');
    const orders = readFileSync(join(reference, 'cdnow', 'CDNOW_sample.txt'), 'utf8').trim().split('\n').map((line, i) => {
      const [, customer, date, , dollars] = line.trim().split(/\s+/);
      return `t${i},${Number(customer)},${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6, 8)},${dollars}`;
    });
    const [, ...periods] = readFileSync(join(reference, 'mrr-playbook', 'subscription_periods.csv'), 'utf8').trimEnd().split('\n');
    const { lake, put } = tempLake();
    put('inbox/orders/cdnow.csv', csv('order_id,customer_id,ordered_at,amount', ...orders));
    put('inbox/subscriptions/periods.csv', csv('subscription_id,customer_id,started_at,ended_at,mrr', ...periods));
    const run = await inProcessRun(lake, { asOf: '1997-09-30', churnWindowDays: 60 });
    runs.push(run);
    expect((await expectConformance(run)).length).toBeGreaterThan(10);
  }, 120_000);
});
