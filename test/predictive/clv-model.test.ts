// clv_model built by its step on a generated int_customer_rfm: every customer is fitted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { buildModel } from '../../src/core/models/model-runner.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { bgNbdLogLikelihood } from '../../src/core/predictive/bg-nbd.js';
import { gammaGammaLogLikelihood } from '../../src/core/predictive/gamma-gamma.js';
import { PREDICTIVE_STEPS } from '../../src/core/predictive/predictive-steps.js';
import { CDNOW_LIKE, simulateCustomers, writeCustomers } from '../../bench/simulate-customers.js';
import { tempDir } from '../helpers/temp-lake.js';

const clvModel = () => loadModels(defaultModelsDir()).find((m) => m.table === 'clv_model_v1')!;

describe('clv_model', () => {
  let db: DuckDBSession;
  beforeEach(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
    await db.run(`create table run_params as select date '2024-06-30' as as_of_date`);
  });
  afterEach(() => db.closeSync());

  it('fits every one of 120,000 customers, not a sample', async () => {
    // Prepare: 120,000 customers simulated from CDNOW's estimates (more than the 50,000 the fit used to sample).
    const simulated = simulateCustomers(120_000, { ...CDNOW_LIKE, seed: 7 });
    await writeCustomers(db, 'int_customer_rfm_v1', simulated);
    const rows = Array.from(simulated.frequency, (frequency, i) => ({
      frequency,
      recency: simulated.recencyDays[i]! / 7,
      T: simulated.tDays[i]! / 7,
      monetaryValue: simulated.monetaryValue[i]!,
      weight: 1,
    }));

    // Act
    await buildModel(db, clvModel(), PREDICTIVE_STEPS);
    const [fit] = await db.rows('select * from clv_model_v1');

    // Assess: the published log-likelihoods are those of every customer, each summed customer by customer here.
    expect(fit).toMatchObject({ customers: '120000', fitted_customers: '120000', repeat_customers: String(rows.filter((r) => r.frequency > 0).length) });
    expect(fit).toMatchObject({ bg_nbd_converged: true, gamma_gamma_converged: true });
    const bgNbd = { r: Number(fit!.r), alpha: Number(fit!.alpha), a: Number(fit!.a), b: Number(fit!.b) };
    const gammaGamma = { p: Number(fit!.p), q: Number(fit!.q), gamma: Number(fit!.gamma) };
    expect(Number(fit!.bg_nbd_log_likelihood)).toBeCloseTo(bgNbdLogLikelihood(bgNbd, rows), 6);
    expect(Number(fit!.gamma_gamma_log_likelihood)).toBeCloseTo(gammaGammaLogLikelihood(gammaGamma, rows), 6);
    // Every parameter within a few standard errors of the truth it was simulated from.
    const truth = { ...CDNOW_LIKE.bgNbd, ...CDNOW_LIKE.gammaGamma };
    for (const [name, value] of Object.entries(truth)) {
      const standardError = Number(fit![`${name}_se`]);
      expect(standardError, name).toBeGreaterThan(0);
      expect(Math.abs(Number(fit![name]) - value) / standardError, name).toBeLessThan(4);
    }
  });
});
