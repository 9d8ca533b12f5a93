// Steps are registered, checked against their declarations at the start of a run, and read
// their inputs from the tables depends_on pins (issue 9, point 1).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { buildModel } from '../../src/core/models/model-runner.js';
import { checkSteps, defineStep, type StepRegistry } from '../../src/core/models/model-step.js';
import { writeDeclaredColumns } from '../../src/core/models/step-io.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { PREDICTIVE_STEPS } from '../../src/core/predictive/predictive-steps.js';
import { targetsSteps } from '../../src/core/targets/targets-step.js';
import { declaredModel, ID, yaml } from '../helpers/declare-model.js';
import { csv, run, tempDir, tempLake } from '../helpers/temp-lake.js';

/** Copies the ids of its input, b_model, doubled. */
const doubleIds = defineStep({
  version: 2,
  inputs: ['b_model'],
  async run({ db, model, inputs, table }) {
    const rows = await db.rows(`select id from ${inputs.b_model} order by id`);
    await writeDeclaredColumns(db, model, table, rows.map((row) => ({ id: 2 * Number(row.id) })));
  },
});

const stepModel = (step: string, dependsOn = '[b_model_v2]') =>
  declaredModel(yaml('a_model', ID, `    depends_on: ${dependsOn}\n    step: ${step}\n`));

describe('step models', () => {
  let db: DuckDBSession;
  beforeEach(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  });
  afterEach(() => db.closeSync());

  it('runs the registered step on the input version depends_on pins', async () => {
    // Prepare: two versions of the input; the declaration pins v2
    await db.run('create table b_model_v1 as select 100 as id');
    await db.run('create table b_model_v2 as select * from (values (1), (3)) as t(id)');

    // Act
    const built = await buildModel(db, stepModel('{ name: double_ids, version: 2 }'), { double_ids: doubleIds });

    // Assess: 2 · 1 and 2 · 3, read from b_model_v2
    expect(built.model.source).toBe('step double_ids v2');
    expect(await db.rows('select id from a_model_v1 order by id')).toEqual([{ id: '2' }, { id: '6' }]);
  });

  it.each([
    ['a step that is not registered', '{ name: nope, version: 1 }', '[b_model_v2]', /a_model_v1: names step 'nope', which is not registered \(registered steps: double_ids\)/],
    ['a declared version the step does not have', '{ name: double_ids, version: 1 }', '[b_model_v2]', /declares step double_ids version 1, but the registered step is version 2/],
    ['an input missing from depends_on', '{ name: double_ids, version: 2 }', '[]', /step double_ids reads b_model: depends_on must name exactly one version of it/],
  ])('fails on %s', async (_case, step, dependsOn, error) => {
    const model = dependsOn === '[]' ? declaredModel(yaml('a_model', ID, `    step: ${step}\n`)) : stepModel(step, dependsOn);
    expect(() => checkSteps([model], { double_ids: doubleIds })).toThrow(error);
    await expect(buildModel(db, model, { double_ids: doubleIds })).rejects.toThrow(error);
  });

  it('registers every step the project declares, at the versions declared', () => {
    const stepModels = loadModels(defaultModelsDir()).filter((m) => m.step);
    expect(stepModels.map((m) => m.table)).toEqual(['clv_backtest_v1', 'clv_backtest_v2', 'clv_model_v1', 'clv_model_v2', 'clv_predictions_v1', 'clv_predictions_v2', 'kpi_targets_monthly_v1']);
    // The run adds the KPI targets step, with the lake's targets, to the predictive ones.
    expect(() => checkSteps(stepModels, { ...PREDICTIVE_STEPS, ...targetsSteps([]) })).not.toThrow();
  });

  it('fails a run at its start, before ingesting anything, when a declared step is not registered', async () => {
    // Prepare
    const { lake, put } = tempLake();
    put('inbox/orders/a.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-10,10'));
    const steps: StepRegistry = { fit_clv_model: PREDICTIVE_STEPS.fit_clv_model!, predict_clv: PREDICTIVE_STEPS.predict_clv! };

    // Act
    const manifest = await run(lake, { steps });

    // Assess
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toMatch(/clv_backtest_v1: names step 'backtest_clv', which is not registered \(registered steps: fit_clv_model, kpi_targets, predict_clv\)/);
    expect(manifest.models).toEqual([]);
    expect(await lake.list('staging/')).toEqual([]);
  });
});
