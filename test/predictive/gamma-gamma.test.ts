import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import {
  fitGammaGamma,
  gammaGammaExpectedSpendSql,
  gammaGammaLogLikelihood,
  gammaGammaLogLikelihoodGradient,
  type GammaGammaParams,
  type GammaGammaRow,
} from '../../src/core/predictive/gamma-gamma.js';
import { CompensatedSum } from '../../src/core/predictive/compensated-sum.js';
import { lgamma } from '../../src/core/predictive/special-functions.js';
import { gammaSampler, seededUniform } from '../helpers/random.js';
import { tempDir } from '../helpers/temp-lake.js';
import { relativeError } from '../helpers/relative-error.js';

let db: DuckDBSession;
beforeAll(async () => {
  db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
});
afterAll(() => db.closeSync());

/** E[M | x, m̄] from the one implementation, evaluated by DuckDB on DOUBLE parameters and a BIGINT x as in clv_predictions. */
async function expectedSpend({ p, q, gamma }: GammaGammaParams, frequency: number, monetaryValue: number): Promise<number | null> {
  const double = (value: number) => `cast(${value} as double)`;
  const sql = gammaGammaExpectedSpendSql({ p: double(p), q: double(q), gamma: double(gamma) }, `cast(${frequency} as bigint)`, double(monetaryValue));
  const value = await db.scalar(`select ${sql}`);
  return value === null ? null : Number(value);
}

const CDNOW_SUMMARY = join(
  import.meta.dirname,
  '../fixtures/reference/cdnow/cdnow_customers_summary_with_transactions.csv',
);

/** One row per customer: x and zbar (mean spend of the repeat purchase days). */
function readCdnowSpend(): GammaGammaRow[] {
  const [header, ...lines] = readFileSync(CDNOW_SUMMARY, 'utf8').trim().split(/\r?\n/);
  expect(header).toBe('ID,x,t_x,T,zbar');
  return lines.map((line) => {
    const [, x, , , zbar] = line.split(',').map(Number);
    return { frequency: x!, monetaryValue: zbar!, weight: 1 };
  });
}

describe('Gamma-Gamma on the CDNOW sample (test/fixtures/reference/cdnow/README.md)', () => {
  const customers = readCdnowSpend();
  const fit = fitGammaGamma(customers);

  it('fits the published parameters on the 946 customers with repeat purchases', () => {
    expect(customers.filter((c) => c.frequency > 0)).toHaveLength(946);
    expect(fit.converged).toBe(true);
    expect(relativeError(fit.params.p, 6.25)).toBeLessThan(0.01);
    expect(relativeError(fit.params.q, 3.74)).toBeLessThan(0.01);
    expect(relativeError(fit.params.gamma, 15.44)).toBeLessThan(0.01);
  });

  it('stops at a stationary point and gives the standard errors of the observed information', () => {
    expect(fit.stop).toBe('gradient below tolerance');
    const gradient = gammaGammaLogLikelihoodGradient(fit.params, customers);
    for (const name of ['p', 'q', 'gamma'] as const) {
      expect(Math.abs(gradient[name] * fit.params[name]) / 946, name).toBeLessThanOrEqual(1e-9);
    }
    // mpmath 1.3.0 at 40 digits: the log-likelihood summed over the 946 repeat customers, its
    // Hessian by central differences (relative step 1e-8) at this fit, inverted. lifetimes'
    // summary of the same fit prints the same three (1.189687, 0.290166, 4.159994).
    const expected: GammaGammaParams = { p: 1.189687, q: 0.29016561, gamma: 4.1599938 };
    for (const name of ['p', 'q', 'gamma'] as const) {
      expect(relativeError(fit.standardErrors![name], expected[name]), name).toBeLessThan(1e-5);
    }
  });

  it('gives the published expected average spend of the first ten customers', async () => {
    const published = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
    for (const [i, { frequency, monetaryValue }] of customers.slice(0, 10).entries()) {
      const expected = await expectedSpend(fit.params, frequency, monetaryValue);
      expect(relativeError(expected!, published[i]!), `customer ${i + 1}`).toBeLessThan(0.005);
    }
  });
});

describe('Gamma-Gamma formulas', () => {
  const params: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };

  it('ignores customers without repeat purchases and counts weights as customers', () => {
    const buyer = { frequency: 2, monetaryValue: 22.35, weight: 1 };
    const single = gammaGammaLogLikelihood(params, [buyer]);
    expect(gammaGammaLogLikelihood(params, [buyer, { frequency: 0, monetaryValue: 0, weight: 5 }])).toBe(single);
    expect(gammaGammaLogLikelihood(params, [{ ...buyer, weight: 3 }])).toBeCloseTo(3 * single, 12);
  });

  it('computes the log density of the mean spend', () => {
    // mpmath 1.3.0 at 40 digits: ln[Γ(px+q)/(Γ(px)Γ(q)) γ^q x^{px} m^{px−1} / (γ + x m)^{px+q}]
    // at x = 2, m = 22.35.
    expect(gammaGammaLogLikelihood(params, [{ frequency: 2, monetaryValue: 22.35, weight: 1 }])).toBeCloseTo(
      -3.5513167597317047305,
      12,
    );
  });

  it('shrinks a customer’s mean spend towards the population mean pγ/(q − 1), less so with more purchases', async () => {
    const populationMean = (params.p * params.gamma) / (params.q - 1);
    expect(await expectedSpend(params, 0, 0)).toBeCloseTo(populationMean, 12);
    const fewPurchases = (await expectedSpend(params, 1, 100))!;
    const manyPurchases = (await expectedSpend(params, 20, 100))!;
    expect(fewPurchases).toBeGreaterThan(populationMean);
    expect(fewPurchases).toBeLessThan(manyPurchases);
    expect(manyPurchases).toBeLessThan(100);
  });

  it.each([
    // p = 0.3, q = 0.5, γ = 10: the population mean pγ/(q − 1) does not exist (q ≤ 1)
    ['no repeat purchase: p·0 + q − 1 = −0.5', { p: 0.3, q: 0.5, gamma: 10 }, 0, 0, null],
    ['x = 1: 0.3 + 0.5 − 1 = −0.2', { p: 0.3, q: 0.5, gamma: 10 }, 1, 20, null],
    ['x = 2: 0.6 + 0.5 − 1 = 0.1, so 0.3 · (10 + 2 · 20) / 0.1 = 150', { p: 0.3, q: 0.5, gamma: 10 }, 2, 20, 150],
    ['x = 5: 1.5 + 0.5 − 1 = 1, so 0.3 · (10 + 5 · 4) / 1 = 9', { p: 0.3, q: 0.5, gamma: 10 }, 5, 4, 9],
    ['the boundary p·x + q − 1 = 0 exactly: 0.5 · 1 + 0.5 − 1', { p: 0.5, q: 0.5, gamma: 10 }, 1, 20, null],
    ['q = 1 without a repeat purchase: 0 + 1 − 1 = 0', { p: 2, q: 1, gamma: 10 }, 0, 0, null],
    ['q = 1, x = 1: 2 · (10 + 20) / (2 + 1 − 1) = 30', { p: 2, q: 1, gamma: 10 }, 1, 20, 30],
  ])('is NULL exactly where the conditional mean does not exist (q ≤ 1): %s', async (_case, params, x, m, expected) => {
    const value = await expectedSpend(params, x, m);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 10);
  });

  it('rejects a customer with repeat purchases but no spend', () => {
    expect(() => fitGammaGamma([{ frequency: 2, monetaryValue: 0, weight: 1 }])).toThrow(/monetaryValue/);
  });
});


describe('Gamma-Gamma log-likelihood gradient', () => {
  const rows: GammaGammaRow[] = [
    { frequency: 1, monetaryValue: 12.5, weight: 2 },
    { frequency: 2, monetaryValue: 22.35, weight: 1 },
    { frequency: 9, monetaryValue: 80, weight: 3 },
    { frequency: 0, monetaryValue: 0, weight: 4 },
  ];

  it.each<GammaGammaParams>([
    { p: 6.25, q: 3.74, gamma: 15.44 },
    { p: 0.3, q: 0.5, gamma: 10 },
    { p: 40, q: 1.2, gamma: 0.7 },
  ])('agrees with central differences of the log-likelihood at %j', (params) => {
    const gradient = gammaGammaLogLikelihoodGradient(params, rows);
    for (const name of ['p', 'q', 'gamma'] as const) {
      const h = 1e-3 * params[name];
      const central = (step: number) =>
        (gammaGammaLogLikelihood({ ...params, [name]: params[name] + step }, rows) - gammaGammaLogLikelihood({ ...params, [name]: params[name] - step }, rows)) / (2 * step);
      const numeric = (4 * central(h / 2) - central(h)) / 3;
      expect(Math.abs(gradient[name] - numeric), name).toBeLessThan(1e-8 * Math.max(1, Math.abs(numeric)));
    }
  });
});

describe('Gamma-Gamma log-likelihood accuracy', () => {
  it('sums 400,000 customers to within 1e-7 (1e-13 relative) of the per-customer terms summed with compensation', () => {
    // Prepare: spends spread over 5–205, x = 1–30; the reference sums each customer's log density (the formula above) exactly enough.
    const params: GammaGammaParams = { p: 6.29, q: 3.73, gamma: 15.28 };
    const uniform = seededUniform(3);
    const rows = Array.from({ length: 400_000 }, () => ({ frequency: 1 + Math.floor(uniform() * 30), monetaryValue: 5 + 200 * uniform(), weight: 1 }));
    const reference = new CompensatedSum();
    for (const { frequency: x, monetaryValue: m } of rows) {
      const px = params.p * x;
      reference.add(
        lgamma(px + params.q) - lgamma(px) - lgamma(params.q) + params.q * Math.log(params.gamma) + px * Math.log(x) + (px - 1) * Math.log(m) - (px + params.q) * Math.log(params.gamma + x * m),
      );
    }

    // Act
    const value = gammaGammaLogLikelihood(params, rows);

    // Assess: with plain running sums of the per-customer parts it was off by 6e-7 here
    expect(Math.abs(value - reference.value)).toBeLessThan(1e-7);
  });
});

describe('Gamma-Gamma parameter recovery', () => {
  it('recovers the parameters of 50,000 simulated customers within sampling error', () => {
    // Prepare: ν ~ Gamma(q, rate γ) per customer; x ∈ 1..8 repeat transactions z ~ Gamma(p, rate ν).
    const truth: GammaGammaParams = { p: 6, q: 4, gamma: 15 };
    const uniform = seededUniform(1);
    const gamma = gammaSampler(uniform);
    const rows: GammaGammaRow[] = [];
    for (let i = 0; i < 50_000; i++) {
      const nu = gamma(truth.q, truth.gamma);
      const frequency = 1 + Math.floor(uniform() * 8);
      let total = 0;
      for (let k = 0; k < frequency; k++) total += gamma(truth.p, nu);
      rows.push({ frequency, monetaryValue: total / frequency, weight: 1 });
    }

    // Act
    const fit = fitGammaGamma(rows);

    // Assess: p and γ are strongly correlated (their product sets the mean spend); the standard
    // errors from the observed information (checked over five seeds) are p 3.6%, q 0.9%,
    // γ 4.4%; each tolerance is 3 standard errors.
    expect(fit.converged).toBe(true);
    expect(relativeError(fit.params.p, truth.p)).toBeLessThan(0.11);
    expect(relativeError(fit.params.q, truth.q)).toBeLessThan(0.03);
    expect(relativeError(fit.params.gamma, truth.gamma)).toBeLessThan(0.14);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(gammaGammaLogLikelihood(truth, rows));
  });
});
