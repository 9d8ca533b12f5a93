// Issue 12: a BG/NBD fit that stops on a flat ridge with well-determined predictions publishes them
// flagged (v2) instead of NULL for everyone (v1, unchanged). The data: Poisson buyers who never drop
// out, all at the same rate — what the bench's uniformly random purchase times amount to — which
// drive BG/NBD to a → 0 (no dropout) and r, α → ∞ with r/α fixed (no spread in rates).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { buildModel } from '../../src/core/models/model-runner.js';
import { writeTable } from '../../src/core/models/step-io.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import type { BgNbdRow } from '../../src/core/predictive/bg-nbd.js';
import { stoppedOnFlatRidge } from '../../src/core/predictive/flat-ridge.js';
import { PREDICTIVE_STEPS } from '../../src/core/predictive/predictive-steps.js';
import { BG_NBD } from '../../src/core/predictive/purchase-models.js';
import { seededUniform } from '../helpers/random.js';
import { tempDir } from '../helpers/temp-lake.js';

const model = (table: string) => loadModels(defaultModelsDir()).find((m) => m.table === table)!;

const CUSTOMERS = 2000;
const RATE_PER_DAY = 0.02;

/**
 * Each customer: first purchase on day 0, T uniform on 200 … 700 days, then Poisson purchases at
 * RATE_PER_DAY, never dropping out; purchases on one day count once (as int_customer_rfm counts them).
 */
function poissonBuyers(seed: number): { frequency: number; recencyDays: number; tDays: number }[] {
  const uniform = seededUniform(seed);
  return Array.from({ length: CUSTOMERS }, () => {
    const tDays = 200 + Math.floor(uniform() * 501);
    let [time, frequency, recencyDays] = [0, 0, 0];
    for (;;) {
      time += -Math.log(uniform()) / RATE_PER_DAY;
      const day = Math.floor(time);
      if (day > tDays) break;
      if (day > recencyDays) [frequency, recencyDays] = [frequency + 1, day];
    }
    return { frequency, recencyDays, tDays };
  });
}

describe('a BG/NBD fit on a flat ridge', () => {
  const buyers = poissonBuyers(12);
  let db: DuckDBSession;
  beforeEach(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
    await db.run(`create table run_params as select date '2024-06-30' as as_of_date`);
    await writeTable(
      db,
      'int_customer_rfm_v1',
      [
        { name: 'customer_id', type: 'VARCHAR' },
        { name: 'frequency', type: 'BIGINT' },
        { name: 'recency_days', type: 'BIGINT' },
        { name: 't_days', type: 'BIGINT' },
        { name: 'monetary_value', type: 'DOUBLE' },
      ],
      buyers.map((b, i) => [`c${i}`, b.frequency, b.recencyDays, b.tDays, b.frequency > 0 ? 10 + (i % 13) : 0]),
    );
  });
  afterEach(() => db.closeSync());

  it('is detected from the last two iterates, and a fit that converged is never one', () => {
    // Prepare
    const rows: BgNbdRow[] = buyers.map((b) => ({ frequency: b.frequency, recency: b.recencyDays / 7, T: b.tDays / 7, weight: 1 }));

    // Act
    const fit = BG_NBD.fit(rows, { maxIterations: 200 });
    const early = BG_NBD.fit(rows, { maxIterations: 10 });

    // Assess: stopped short of convergence, far out on the ridge (a → 0, r and α large), and flat there
    expect(fit.converged).toBe(false);
    expect(fit.params.a!).toBeLessThan(1e-4);
    expect(fit.params.r!).toBeGreaterThan(1e4);
    expect(stoppedOnFlatRidge(BG_NBD, fit, rows, 52)).toBe(true);
    // After 10 iterations the likelihood is still climbing: not (yet) a flat ridge
    expect(stoppedOnFlatRidge(BG_NBD, early, rows, 52)).toBe(false);
    expect(stoppedOnFlatRidge(BG_NBD, { ...fit, converged: true }, rows, 52)).toBe(false);
  });

  it('v1 publishes no prediction at all (unchanged), v2 publishes the Poisson forecast, flagged', async () => {
    // Prepare: no backtest to choose by (an empty clv_backtest v2), so BG/NBD is the model if usable
    await db.run('create table clv_backtest_v2 (model varchar, backtest_error double)');

    // Act
    for (const table of ['clv_model_v1', 'clv_predictions_v1', 'clv_model_v2', 'clv_predictions_v2']) {
      const built = await buildModel(db, model(table), PREDICTIVE_STEPS);
      expect(built.tests.filter((t) => !t.passed), table).toEqual([]);
    }

    // Assess — v1: not converged, so NULL for everyone
    const [v1] = await db.rows('select bg_nbd_converged, bg_nbd_status from clv_model_v1');
    expect(v1).toMatchObject({ bg_nbd_converged: false, bg_nbd_status: expect.stringMatching(/^not converged: /) });
    const [v1Predictions] = await db.rows('select count(*) as n, count(p_alive) as with_p_alive, count(expected_purchases_12m) as with_expected from clv_predictions_v1');
    expect(v1Predictions).toEqual({ n: String(CUSTOMERS), with_p_alive: '0', with_expected: '0' });

    // v2: the same fit, usable as a flat ridge, selected by the no-backtest rule
    const [v2] = await db.rows(`select * from clv_model_v2 where model = 'bg_nbd'`);
    expect(v2).toMatchObject({
      converged: false,
      flat_ridge: true,
      selected: true,
      status: expect.stringMatching(/^flat ridge: parameters not identified, predictions well determined \(the optimiser stopped: .* after \d+ iterations\)$/),
      selection_reason: 'selected: no backtest error for any usable model: BG/NBD, the default',
      r_se: null,
    });
    const predictions = await db.rows('select model, prediction_flag, p_alive, expected_purchases_12m from clv_predictions_v2');
    expect(new Set(predictions.map((p) => `${p.model} | ${p.prediction_flag}`))).toEqual(
      new Set(['bg_nbd | flat ridge: parameters not identified, predictions well determined']),
    );
    // No dropout: everyone is alive (the fitted a is ~1e-8, so P(alive) falls short of 1 by about that)
    for (const p of predictions) expect(Number(p.p_alive)).toBeGreaterThan(1 - 1e-4);
    // By hand: a Poisson buyer who never leaves makes rate × horizon purchases, whatever their past.
    // The rate's maximum-likelihood estimate is Σ repeat purchase days / Σ days observed; the
    // horizon is 12 months of 365.25 / 12 days. The ridge's limit is exactly this Poisson fit and
    // the published predictions are within the ridge tolerance (1e-4 relative) of their limit.
    const [repeatDays, daysObserved] = [buyers.reduce((n, b) => n + b.frequency, 0), buyers.reduce((n, b) => n + b.tDays, 0)];
    const poissonTotal = CUSTOMERS * (repeatDays / daysObserved) * 365.25;
    const total = predictions.reduce((n, p) => n + Number(p.expected_purchases_12m), 0);
    expect(Math.abs(total / poissonTotal - 1)).toBeLessThan(1e-4);
    for (const p of predictions) expect(Math.abs(Number(p.expected_purchases_12m) / (poissonTotal / CUSTOMERS) - 1)).toBeLessThan(1e-4);
    // And against the rate simulated: a day holds a purchase with probability 1 − e^{−0.02} = 0.0198013;
    // the estimate from ~18,000 purchase days has a relative standard error of 1/√18,000 = 0.75%: within 3 of them.
    const simulatedTotal = CUSTOMERS * (1 - Math.exp(-RATE_PER_DAY)) * 365.25;
    expect(Math.abs(total / simulatedTotal - 1)).toBeLessThan(3 / Math.sqrt(repeatDays));
  });

  it('is not claimed for a fit whose predictions still move: v2 publishes no prediction from it either', async () => {
    // Prepare: histories no BG/NBD population produces (clv-model.test.ts: recency uniform on 0..T
    // whatever x), whose likelihood rises towards the edge of the parameter space
    await db.run(`
      create or replace table int_customer_rfm_v1 as
      with customers as (
          select 'c' || i as customer_id, cast(hash(i, 'T') % 730 as bigint) as t_days,
                 cast(greatest(0, cast(hash(i, 'x') % 16 as bigint) - 6) as bigint) as frequency
          from range(20000) as t(i)
      )
      select customer_id, frequency, t_days,
             case when frequency = 0 then 0 else cast(hash(customer_id, 'r') % (t_days + 1) as bigint) end as recency_days,
             case when frequency = 0 then 0.0 else 5 + cast(hash(customer_id, 'm') % 20000 as double) / 100 end as monetary_value
      from customers`);
    await db.run(`create table clv_backtest_v2 as select 'bg_nbd' as model, cast(null as double) as backtest_error`);

    // Act
    await buildModel(db, model('clv_model_v2'), PREDICTIVE_STEPS);
    await buildModel(db, model('clv_predictions_v2'), PREDICTIVE_STEPS);

    // Assess
    const [fit] = await db.rows(`select converged, flat_ridge, selected, status, selection_reason from clv_model_v2 where model = 'bg_nbd'`);
    expect(fit).toMatchObject({ converged: false, flat_ridge: false, selected: false });
    expect(fit!.status).toMatch(/^not converged: (iteration budget exhausted|line search failed) after \d+ iterations$/);
    expect(fit!.selection_reason).toBe(`not selected: not usable (${fit!.status})`);
    // Nothing is published from BG/NBD; whatever model is selected instead, none of it is flagged.
    const [predictions] = await db.rows(
      `select count(*) as n, count(*) filter (model = 'bg_nbd') as from_bg_nbd, count(prediction_flag) as flagged from clv_predictions_v2`,
    );
    expect(predictions).toEqual({ n: '20000', from_bg_nbd: '0', flagged: '0' });
  });
});
