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

  it('says why a fit did not converge or was not fitted, and publishes no standard errors for it', async () => {
    // Prepare: histories no BG/NBD or Gamma-Gamma population produces (from hashes: recency uniform
    // on 0..T whatever x, spend unrelated to x), whose likelihoods rise towards the edge of the parameter space.
    await db.run(`
      create table int_customer_rfm_v1 as
      with customers as (
          select 'c' || i as customer_id, cast(hash(i, 'T') % 730 as bigint) as t_days,
                 cast(greatest(0, cast(hash(i, 'x') % 16 as bigint) - 6) as bigint) as frequency
          from range(20000) as t(i)
      )
      select customer_id, frequency, t_days,
             case when frequency = 0 then 0 else cast(hash(customer_id, 'r') % (t_days + 1) as bigint) end as recency_days,
             case when frequency = 0 then 0.0 else 5 + cast(hash(customer_id, 'm') % 20000 as double) / 100 end as monetary_value
      from customers`);

    // Act
    await buildModel(db, clvModel(), PREDICTIVE_STEPS);
    const [fit] = await db.rows('select * from clv_model_v1');

    // Assess
    expect(fit).toMatchObject({ bg_nbd_converged: false, gamma_gamma_converged: false, r_se: null, alpha_se: null, p_se: null, gamma_se: null });
    expect(fit!.bg_nbd_status).toMatch(/^not converged: (iteration budget exhausted|line search failed) after \d+ iterations$/);
    expect(fit!.gamma_gamma_status).toMatch(/^not converged: (iteration budget exhausted|line search failed) after \d+ iterations$/);
  });

  it('says why nothing was fitted when no customer came back', async () => {
    // Prepare: three one-time buyers
    await db.run(`create table int_customer_rfm_v1 as select * from (values ('c1', 0, 0, 10, 0.0), ('c2', 0, 0, 20, 0.0), ('c3', 0, 0, 30, 0.0))
        as t(customer_id, frequency, recency_days, t_days, monetary_value)`);

    // Act
    await buildModel(db, clvModel(), PREDICTIVE_STEPS);
    const [fit] = await db.rows('select * from clv_model_v1');

    // Assess
    expect(fit).toMatchObject({
      customers: '3',
      bg_nbd_converged: false,
      bg_nbd_status: 'not fitted: no customer has a repeat purchase',
      gamma_gamma_converged: false,
      gamma_gamma_status: 'not fitted: fewer than 2 distinct repeat customers with positive spend',
      r: null,
      r_se: null,
      p: null,
      p_se: null,
    });
  });
});
