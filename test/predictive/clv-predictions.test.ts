// clv_predictions built by its step on small hand-made inputs: with a fitted q ≤ 1 the
// Gamma-Gamma mean does not exist for some customers, and nothing negative is published
// (issue 9, point 2; Fader & Hardie 2013, "The Gamma-Gamma model of monetary value").
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { loadModels, type ModelVersion } from '../../src/core/models/model-declaration.js';
import { buildModel, dataTests } from '../../src/core/models/model-runner.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { bgNbdExpectedPurchases, bgNbdProbabilityAlive } from '../../src/core/predictive/bg-nbd.js';
import { PREDICTIVE_STEPS } from '../../src/core/predictive/predictive-steps.js';
import { copyOfModels } from '../helpers/models-dir.js';
import { tempDir } from '../helpers/temp-lake.js';

const predictionsModel = (modelsDir = defaultModelsDir()): ModelVersion =>
  loadModels(modelsDir).find((m) => m.table === 'clv_predictions_v1')!;

describe('clv_predictions with a fitted q ≤ 1', () => {
  let db: DuckDBSession;
  beforeEach(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
    // BG/NBD: the CDNOW estimates (weeks); Gamma-Gamma: p = 0.3, q = 0.5, γ = 10, so pγ/(q − 1) does not exist
    await db.run(`create table clv_model_v1 as select
        7 as time_unit_days, true as bg_nbd_converged, 0.243 as r, 4.414 as alpha, 0.793 as a, 2.426 as b,
        0.3 as p, 0.5 as q, 10.0 as gamma, true as gamma_gamma_converged`);
    await db.run(`create table int_customer_rfm_v1 as select * from (values
        ('c0', 0, 0, 70, 0.0),
        ('c1', 1, 14, 70, 20.0),
        ('c2', 2, 28, 70, 20.0),
        ('c5', 5, 56, 70, 4.0)
    ) as t(customer_id, frequency, recency_days, t_days, monetary_value)`);
  });
  afterEach(() => db.closeSync());

  it('publishes NULL where p·x + q − 1 ≤ 0 and the conditional mean elsewhere, never a negative value', async () => {
    // Act
    const built = await buildModel(db, predictionsModel(), PREDICTIVE_STEPS);

    // Assess: p(γ + x·m) / (p·x + q − 1) by hand —
    //   c0: 0.3·0 + 0.5 − 1 = −0.5 ≤ 0 → NULL (the unguarded formula gave 0.3·10 / −0.5 = −6)
    //   c1: 0.3·1 + 0.5 − 1 = −0.2 ≤ 0 → NULL (it gave 0.3·(10 + 20) / −0.2 = −45)
    //   c2: 0.3·2 + 0.5 − 1 = 0.1 → 0.3·(10 + 2·20) / 0.1 = 150
    //   c5: 0.3·5 + 0.5 − 1 = 1 → 0.3·(10 + 5·4) / 1 = 9
    const rows = await db.rows('select customer_id, expected_avg_order_value, clv_12m, expected_purchases_12m from clv_predictions_v1 order by customer_id');
    expect(rows.map((r) => r.customer_id)).toEqual(['c0', 'c1', 'c2', 'c5']);
    expect(rows[0]).toMatchObject({ expected_avg_order_value: null, clv_12m: null });
    expect(rows[1]).toMatchObject({ expected_avg_order_value: null, clv_12m: null });
    expect(Number(rows[2]!.expected_avg_order_value)).toBeCloseTo(150, 9);
    expect(Number(rows[3]!.expected_avg_order_value)).toBeCloseTo(9, 12);
    for (const row of rows.slice(2)) {
      expect(Number(row.expected_purchases_12m)).toBeGreaterThan(0);
      expect(Number(row.clv_12m)).toBeGreaterThan(0);
    }
    expect(built.tests.filter((t) => !t.passed)).toEqual([]);
  });

  it('publishes no expected order value or CLV from a Gamma-Gamma fit that did not converge, and still P(alive) and expected purchases', async () => {
    // Prepare: the same parameters, flagged as not converged
    await db.run('update clv_model_v1 set gamma_gamma_converged = false');

    // Act
    await buildModel(db, predictionsModel(), PREDICTIVE_STEPS);

    // Assess: c2 and c5 had 150 and 9 above; now NULL, while the BG/NBD columns are unchanged
    const rows = await db.rows('select customer_id, expected_avg_order_value, clv_12m, p_alive, expected_purchases_12m from clv_predictions_v1 order by customer_id');
    expect(rows.map((r) => [r.customer_id, r.expected_avg_order_value, r.clv_12m])).toEqual([
      ['c0', null, null],
      ['c1', null, null],
      ['c2', null, null],
      ['c5', null, null],
    ]);
    for (const row of rows) {
      expect(Number(row.p_alive)).toBeGreaterThan(0);
      expect(Number(row.expected_purchases_12m)).toBeGreaterThan(0);
    }
  });

  it('publishes P(alive) by the closed form and expected purchases as eq. (10), per customer', async () => {
    // Act
    await buildModel(db, predictionsModel(), PREDICTIVE_STEPS);

    // Assess: against the functions checked on CDNOW's published figures (bg-nbd.test.ts), in weeks
    const rows = await db.rows('select customer_id, frequency, recency_days, t_days, p_alive, expected_purchases_12m from clv_predictions_v1 order by customer_id');
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const twelveMonthsInWeeks = (12 * 365.25) / 12 / 7;
    for (const row of rows) {
      const [x, tx, T] = [Number(row.frequency), Number(row.recency_days) / 7, Number(row.t_days) / 7];
      expect(Number(row.p_alive), String(row.customer_id)).toBeCloseTo(bgNbdProbabilityAlive(params, x, tx, T), 14);
      expect(Number(row.expected_purchases_12m), String(row.customer_id)).toBeCloseTo(bgNbdExpectedPurchases(params, twelveMonthsInWeeks, x, tx, T), 12);
    }
    expect(Number(rows[0]!.p_alive)).toBe(1); // c0: no repeat purchase
  });

  it('publishes no BG/NBD prediction at all from a fit that did not converge', async () => {
    // Prepare
    await db.run('update clv_model_v1 set bg_nbd_converged = false');

    // Act
    await buildModel(db, predictionsModel(), PREDICTIVE_STEPS);

    // Assess: NULL for everyone, including c0 whose P(alive) would be 1 by construction
    const rows = await db.rows('select p_alive, expected_purchases_12m, clv_12m from clv_predictions_v1');
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toEqual({ p_alive: null, expected_purchases_12m: null, clv_12m: null });
  });

  it('has range tests that stop a negative expected value or CLV from being published', async () => {
    // Prepare: the table as the unguarded formula built it for c0 (−6, and a negative CLV)
    const model = predictionsModel();
    await buildModel(db, model, PREDICTIVE_STEPS);
    await db.run("update clv_predictions_v1 set expected_avg_order_value = -6, clv_12m = -1.5 where customer_id = 'c0'");

    // Act
    const failures = [];
    for (const test of dataTests(model)) failures.push({ name: test.name, failures: Number(await db.scalar(test.sql)) });

    // Assess
    expect(failures.filter((t) => t.failures > 0)).toEqual([
      { name: 'accepted_range(clv_12m, 0..inf)', failures: 1 },
      { name: 'expected_avg_order_value_positive', failures: 1 },
    ]);
  });

  it('names its horizon columns after horizon_months', async () => {
    // Prepare: a 6-month horizon, with the columns named for it
    const models = copyOfModels();
    models.edit('clv_predictions/clv_predictions.yml', (text) =>
      text.replace('horizon_months: 12', 'horizon_months: 6').replace('expected_purchases_12m', 'expected_purchases_6m').replace('name: clv_12m', 'name: clv_6m'),
    );

    // Act
    await buildModel(db, predictionsModel(models.dir), PREDICTIVE_STEPS);

    // Assess
    const columns = (await db.rows('select column_name from (describe clv_predictions_v1)')).map((r) => r.column_name);
    expect(columns).toEqual(expect.arrayContaining(['expected_purchases_6m', 'clv_6m']));
  });

  it('fails when horizon_months does not match the declared column names', async () => {
    const models = copyOfModels();
    models.edit('clv_predictions/clv_predictions.yml', (text) => text.replace('horizon_months: 12', 'horizon_months: 6'));
    await expect(buildModel(db, predictionsModel(models.dir), PREDICTIVE_STEPS)).rejects.toThrow(
      /clv_predictions_v1: its horizon is 6 months, so it must declare expected_purchases_6m \(declared: expected_purchases_12m\)/,
    );
  });
});
