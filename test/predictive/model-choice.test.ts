// Model choice (issue 12): clv_backtest v2 scores every purchase model, clv_model v2 selects the one
// clv_predictions v2 publishes from. The steps take the list of models, so these tests run them on
// test doubles of BG/NBD beside BG/NBD itself, on the CDNOW sample's transactions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import type { StepRegistry } from '../../src/core/models/model-step.js';
import { buildModel } from '../../src/core/models/model-runner.js';
import { writeTable } from '../../src/core/models/step-io.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { backtestClvModels, backtestError } from '../../src/core/predictive/clv-backtest-models.js';
import { fitClvModels } from '../../src/core/predictive/clv-model-fits.js';
import { predictClvModels } from '../../src/core/predictive/clv-predictions-models.js';
import { chooseModel, type Candidate } from '../../src/core/predictive/model-choice.js';
import { PREDICTIVE_STEPS } from '../../src/core/predictive/predictive-steps.js';
import { BG_NBD, type PurchaseModel } from '../../src/core/predictive/purchase-models.js';
import { tempDir } from '../helpers/temp-lake.js';

describe('backtestError', () => {
  it('weighs each frequency group, so errors that cancel in the total still count', () => {
    // By hand: |12 − 10| + |3 − 5| + |5 − 5| = 4 over 10 + 5 + 5 = 20 actual → 0.2, while the total
    // (20 predicted, 20 actual, the 'all' group, left out) is exact
    const groups = new Map([
      ['0', { actual: 10, predicted: 12 }],
      ['1', { actual: 5, predicted: 3 }],
      ['7+', { actual: 5, predicted: 5 }],
      ['all', { actual: 20, predicted: 20 }],
    ]);
    expect(backtestError(groups)).toBeCloseTo(0.2, 15);
  });

  it('is NULL when a group has no prediction or nobody bought in the holdout', () => {
    expect(backtestError(new Map([['0', { actual: 3, predicted: null }], ['1', { actual: 2, predicted: 2 }]]))).toBeNull();
    expect(backtestError(new Map([['0', { actual: 0, predicted: 1.5 }]]))).toBeNull();
  });
});

describe('chooseModel', () => {
  const candidate = (name: Candidate['name'], over: Partial<Candidate> = {}): Candidate => ({
    name,
    label: { bg_nbd: 'BG/NBD', mbg_nbd: 'MBG/NBD', pareto_nbd: 'Pareto/NBD' }[name],
    usable: true,
    status: 'converged',
    backtestError: null,
    logLikelihood: -100,
    ...over,
  });

  it('selects the usable model with the smallest backtest error, and says why the others were not', () => {
    const choice = chooseModel([
      candidate('bg_nbd', { backtestError: 0.05 }),
      candidate('pareto_nbd', { backtestError: 0.04 }),
      candidate('mbg_nbd', { backtestError: 0.01, usable: false, status: 'not converged: line search failed after 9 iterations' }),
    ]);
    expect(choice.selected).toBe('pareto_nbd');
    expect(Object.fromEntries(choice.reasons)).toEqual({
      pareto_nbd: 'selected: smallest backtest error among the usable models (4.00%)',
      bg_nbd: "not selected: backtest error 5.00%, Pareto/NBD's 4.00%",
      mbg_nbd: 'not selected: not usable (not converged: line search failed after 9 iterations)',
    });
  });

  it('breaks a tie by the order of the list', () => {
    expect(chooseModel([candidate('mbg_nbd', { backtestError: 0.03 }), candidate('bg_nbd', { backtestError: 0.03 })]).selected).toBe('mbg_nbd');
  });

  it('falls back to BG/NBD without a backtest error, then to the greatest log-likelihood, then to none', () => {
    const young = chooseModel([candidate('pareto_nbd', { logLikelihood: -90 }), candidate('bg_nbd')]);
    expect(young.selected).toBe('bg_nbd');
    expect(young.reasons.get('bg_nbd')).toBe('selected: no backtest error for any usable model: BG/NBD, the default');
    const withoutBgNbd = chooseModel([candidate('bg_nbd', { usable: false }), candidate('mbg_nbd', { logLikelihood: -120 }), candidate('pareto_nbd', { logLikelihood: -90 })]);
    expect(withoutBgNbd.selected).toBe('pareto_nbd');
    expect(withoutBgNbd.reasons.get('pareto_nbd')).toMatch(/^selected: .*greatest log-likelihood/);
    const none = chooseModel([candidate('bg_nbd', { usable: false }), candidate('pareto_nbd', { usable: false })]);
    expect(none.selected).toBeUndefined();
    expect(none.reasons.get('bg_nbd')).toBe('not selected: no model converged: no predictions');
  });
});

/** BG/NBD under another name, its expected purchases multiplied by `factor`. */
const doubleOf = (name: PurchaseModel['name'], label: string, factor: number): PurchaseModel => ({
  ...BG_NBD,
  name,
  label,
  expectedPurchasesIfAlive: (params, t, x, T) => factor * BG_NBD.expectedPurchasesIfAlive(params, t, x, T),
});

const registry = (models: readonly PurchaseModel[]): StepRegistry => ({
  ...PREDICTIVE_STEPS,
  backtest_clv_models: backtestClvModels(models),
  fit_clv_models: fitClvModels(models),
  predict_clv_models: predictClvModels(models),
});

const CDNOW = join(import.meta.dirname, '../fixtures/reference/cdnow');

describe('clv_backtest v2, clv_model v2 and clv_predictions v2 over a list of models', () => {
  const models = loadModels(defaultModelsDir());
  const model = (table: string) => models.find((m) => m.table === table)!;
  let db: DuckDBSession;
  beforeEach(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
    // The CDNOW sample (to 1998-06-30) as completed orders; 26-week holdout: calibration to 1997-12-30
    await db.run(`create table run_params as select date '1998-06-30' as as_of_date, 90 as churn_window_days`);
    const lines = readFileSync(join(CDNOW, 'CDNOW_sample.txt'), 'utf8').trim().split('\n');
    await writeTable(
      db,
      'int_orders_completed_v1',
      [
        { name: 'customer_id', type: 'VARCHAR' },
        { name: 'order_date', type: 'DATE' },
        { name: 'net_value', type: 'DOUBLE' },
      ],
      lines.map((line) => {
        const [, id, date, , dollars] = line.trim().split(/\s+/);
        return [String(Number(id)), `${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6, 8)}`, Number(dollars)];
      }),
    );
    await buildModel(db, model('int_customer_rfm_v1'), PREDICTIVE_STEPS);
  });
  afterEach(() => db.closeSync());

  async function buildAll(steps: StepRegistry): Promise<void> {
    for (const table of ['clv_backtest_v2', 'clv_model_v2', 'clv_predictions_v2']) {
      const built = await buildModel(db, model(table), steps);
      expect(built.tests.filter((t) => !t.passed), table).toEqual([]);
    }
  }

  it('scores each model on the same holdout and selects the one with the smaller backtest error', async () => {
    // Prepare: a double that expects twice BG/NBD's purchases
    const doubled = doubleOf('pareto_nbd', 'BG/NBD ×2', 2);

    // Act
    await buildAll(registry([doubled, BG_NBD]));

    // Assess: the double's prediction is twice BG/NBD's in every group, the actuals the same
    const rows = await db.rows('select * from clv_backtest_v2 order by model, frequency_group');
    const of = (name: string) => rows.filter((r) => r.model === name);
    expect(of('bg_nbd').map((r) => r.frequency_group)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+', 'all']);
    of('bg_nbd').forEach((row, i) => {
      const twice = of('pareto_nbd')[i]!;
      expect(twice).toMatchObject({ frequency_group: row.frequency_group, customers: row.customers, actual_repeat_purchases: row.actual_repeat_purchases });
      expect(Number(twice.predicted_repeat_purchases) / Number(row.predicted_repeat_purchases)).toBeCloseTo(2, 12);
    });
    // backtest_error by hand from the published groups: Σ |predicted − actual| / Σ actual, 'all' left out
    const errorOf = (name: string) => {
      const groups = of(name).filter((r) => r.frequency_group !== 'all');
      const absolute = groups.reduce((n, r) => n + Math.abs(Number(r.predicted_repeat_purchases) - Number(r.actual_repeat_purchases)), 0);
      return absolute / groups.reduce((n, r) => n + Number(r.actual_repeat_purchases), 0);
    };
    for (const name of ['bg_nbd', 'pareto_nbd']) {
      for (const row of of(name)) expect(Number(row.backtest_error), name).toBeCloseTo(errorOf(name), 12);
    }
    expect(errorOf('bg_nbd')).toBeLessThan(errorOf('pareto_nbd'));
    const choice = await db.rows('select model, selected, selection_reason, backtest_error from clv_model_v2 order by model');
    expect(choice).toEqual([
      { model: 'bg_nbd', selected: true, selection_reason: `selected: smallest backtest error among the usable models (${(errorOf('bg_nbd') * 100).toFixed(2)}%)`, backtest_error: expect.anything() },
      {
        model: 'pareto_nbd',
        selected: false,
        selection_reason: `not selected: backtest error ${(errorOf('pareto_nbd') * 100).toFixed(2)}%, BG/NBD's ${(errorOf('bg_nbd') * 100).toFixed(2)}%`,
        backtest_error: expect.anything(),
      },
    ]);
    const [published] = await db.rows('select min(model) as model, max(model) as same_model, count(prediction_flag) as flagged from clv_predictions_v2');
    expect(published).toEqual({ model: 'bg_nbd', same_model: 'bg_nbd', flagged: '0' });
  });

  it('publishes from a model without a SQL form of P(alive) the same predictions as from BG/NBD in SQL', async () => {
    // Prepare: BG/NBD's twin under another name, listed first, so it wins the tie and its
    // P(alive) is computed in code per distinct history
    await buildAll(registry([BG_NBD]));
    await db.run('create table from_sql as select * from clv_predictions_v2');

    // Act
    await buildAll(registry([doubleOf('mbg_nbd', 'BG/NBD twin', 1), BG_NBD]));

    // Assess
    const [selected] = await db.rows('select model, selection_reason from clv_model_v2 where selected');
    expect(selected).toMatchObject({ model: 'mbg_nbd', selection_reason: expect.stringMatching(/^selected: smallest backtest error/) });
    const compared = await db.rows(`
        select from_sql.customer_id, from_sql.p_alive as p_sql, v2.p_alive as p_code,
               from_sql.expected_purchases_12m as e_sql, v2.expected_purchases_12m as e_code, v2.model
        from from_sql inner join clv_predictions_v2 as v2 on from_sql.customer_id = v2.customer_id`);
    expect(compared).toHaveLength(2357);
    for (const row of compared) {
      expect(row.model).toBe('mbg_nbd');
      expect(Number(row.p_code), String(row.customer_id)).toBeCloseTo(Number(row.p_sql), 12);
      expect(Number(row.e_code), String(row.customer_id)).toBeCloseTo(Number(row.e_sql), 12);
    }
  });
});
