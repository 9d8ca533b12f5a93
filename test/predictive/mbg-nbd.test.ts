import { describe, expect, it } from 'vitest';
import { bgNbdProbabilityAlive } from '../../src/core/predictive/bg-nbd.js';
import type { BgNbdRow } from '../../src/core/predictive/bg-nbd.js';
import {
  fitMbgNbd,
  MBG_NBD,
  mbgNbdExpectedPurchases,
  mbgNbdExpectedPurchasesIfAlive,
  mbgNbdExpectedPurchasesNewCustomer,
  mbgNbdLogLikelihood,
  mbgNbdLogLikelihoodGradient,
  mbgNbdProbabilityAlive,
  type MbgNbdParams,
} from '../../src/core/predictive/mbg-nbd.js';
import { PURCHASE_MODELS, type PurchaseModel } from '../../src/core/predictive/purchase-models.js';
import { groupCdnow, readCdnowSummary } from '../helpers/cdnow-summary.js';
import { gammaSampler, seededUniform } from '../helpers/random.js';
import { relativeError } from '../helpers/relative-error.js';

const NAMES = ['r', 'alpha', 'a', 'b'] as const;

/**
 * MBG/NBD on CDNOW as published in lifetimes' tests/test_estimation.py,
 * TestModifiedBetaGammaFitter.test_params_out_is_close_to_BTYDplus ("See
 * https://github.com/mplatzer/BTYDplus"), asserted there to 3 decimals.
 */
const PUBLISHED: MbgNbdParams = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };

describe('MBG/NBD on the CDNOW sample (test/fixtures/reference/cdnow/README.md)', () => {
  const customers = readCdnowSummary();
  const rows = groupCdnow(customers);
  const fit = fitMbgNbd(rows);

  it('fits the published parameters', () => {
    expect(customers).toHaveLength(2357);
    expect(fit.converged).toBe(true);
    // Published to 3 decimals: within ±0.0005 of each.
    for (const name of NAMES) expect(Math.abs(fit.params[name] - PUBLISHED[name]), name).toBeLessThanOrEqual(0.0005);
  });

  it('stops at a stationary point: the gradient per customer is below 1e-9 in every log-parameter', () => {
    expect(fit.stop).toBe('gradient below tolerance');
    const gradient = mbgNbdLogLikelihoodGradient(fit.params, rows);
    for (const name of NAMES) {
      expect(Math.abs(gradient[name] * fit.params[name]) / customers.length, name).toBeLessThanOrEqual(1e-9);
    }
  });

  it("matches lifetimes' checks of the forecast for customer 1 and of a new customer's purchases", () => {
    // lifetimes' TestModifiedBetaGammaFitter holds the MBG/NBD fit to Hardie's BG/NBD spreadsheet
    // values: 1.226 repeat purchases in 39 weeks for customer 1 (x = 2, t_x = 30.43, T = 38.86),
    // within 0.05, and a new customer's expected purchases at these times within 5%.
    expect(Math.abs(mbgNbdExpectedPurchases(fit.params, 39, 2, 30.43, 38.86) - 1.226)).toBeLessThan(0.05);
    const times = [0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => expect(relativeError(mbgNbdExpectedPurchasesNewCustomer(fit.params, t), expected[i]!), `t = ${t}`).toBeLessThan(0.05));
  });
});

describe('MBG/NBD formulas', () => {
  it('computes the log-likelihood per customer, with weights counting customers', () => {
    // mpmath 1.3.0 at 50 digits, Batislam et al.'s likelihood written with Beta functions:
    // L = Γ(r+x)α^r/Γ(r) · [B(a, b+x+1)/B(a,b) (α+T)^{−(r+x)} + B(a+1, b+x)/B(a,b) (α+t_x)^{−(r+x)}].
    const cases: [BgNbdRow, number][] = [
      [{ frequency: 2, recency: 30.43, T: 38.86, weight: 1 }, -9.4855513145339314799],
      [{ frequency: 0, recency: 0, T: 38.86, weight: 1 }, -0.53983746353101458742],
      [{ frequency: 7, recency: 29.43, T: 38.86, weight: 1 }, -21.776522248903874846],
      [{ frequency: 40, recency: 38, T: 38.86, weight: 1 }, -48.204134081796664387],
    ];
    for (const [row, expected] of cases) expect(mbgNbdLogLikelihood(PUBLISHED, [row]), JSON.stringify(row)).toBeCloseTo(expected, 12);
    expect(mbgNbdLogLikelihood(PUBLISHED, [{ ...cases[0]![0], weight: 3 }, cases[1]![0]])).toBeCloseTo(3 * cases[0]![1] + cases[1]![1], 11);
  });

  it('gives P(alive) below 1 at x = 0 (the customer may have left at the first purchase), unlike BG/NBD', () => {
    // mpmath 1.3.0: 1 / (1 + a/b · ((α+T)/α)^r) at T = 38.86.
    expect(relativeError(mbgNbdProbabilityAlive(PUBLISHED, 0, 0, 38.86), 0.3897350809187628985)).toBeLessThan(1e-13);
    expect(bgNbdProbabilityAlive(PUBLISHED, 0, 0, 38.86)).toBe(1);
    // Even at T = 0 the first-purchase dropout leaves 1 / (1 + a/b).
    expect(mbgNbdProbabilityAlive(PUBLISHED, 0, 0, 0)).toBeCloseTo(1 / (1 + PUBLISHED.a / PUBLISHED.b), 15);
    const recent = mbgNbdProbabilityAlive(PUBLISHED, 3, 38, 38.86);
    expect(recent).toBeGreaterThan(mbgNbdProbabilityAlive(PUBLISHED, 3, 5, 38.86));
    expect(recent).toBeLessThan(1);
  });

  it('gives the conditional expectation of Wagner & Hoppe (2008), also for hundreds of purchases', () => {
    // mpmath 1.3.0 at 50 digits, the formula as printed (2F1(r+x, b+x+1; a+b+x; z)), which
    // overflows in double precision at x = 300 (the Euler-transformed form used here does not).
    expect(relativeError(mbgNbdExpectedPurchases(PUBLISHED, 39, 2, 30.43, 38.86), 1.2629606232673657107)).toBeLessThan(1e-12);
    expect(relativeError(mbgNbdExpectedPurchases(PUBLISHED, 39, 300, 38, 38.86), 98.640417388169723057)).toBeLessThan(1e-12);
  });

  it('reduces the conditional expectation to the new customer one at x = 0, T = 0, and is finite at a = 1', () => {
    for (const t of [0.5, 39, 400]) {
      expect(mbgNbdExpectedPurchases(PUBLISHED, t, 0, 0, 0)).toBeCloseTo(mbgNbdExpectedPurchasesNewCustomer(PUBLISHED, t), 12);
    }
    expect(mbgNbdExpectedPurchases(PUBLISHED, 0, 2, 30.43, 38.86)).toBe(0);
    // Continuous across a = 1, where the formula is 0/0.
    const at = (a: number) => mbgNbdExpectedPurchasesIfAlive({ ...PUBLISHED, a }, 39, 2, 38.86);
    expect(Math.abs(at(1) - at(1 + 1e-4)) / at(1)).toBeLessThan(1e-4);
    expect(Math.abs(at(1) - at(1 - 1e-4)) / at(1)).toBeLessThan(1e-4);
  });

  it('rejects impossible customers and parameters', () => {
    expect(() => mbgNbdProbabilityAlive(PUBLISHED, 2, 40, 38.86)).toThrow(/recency must lie in \[0, T\]/);
    expect(() => mbgNbdProbabilityAlive({ ...PUBLISHED, b: -1 }, 2, 4, 38.86)).toThrow(/parameter b must be/);
    expect(() => fitMbgNbd([{ frequency: 1.5, recency: 0, T: 10, weight: 1 }])).toThrow(/row 0: frequency/);
  });

  it('is listed among the purchase models, with its parameters in order', () => {
    // Conforms to the interface (a compile-time check: the model file cannot import it without a cycle).
    const model: PurchaseModel = MBG_NBD;
    expect(PURCHASE_MODELS).toContain(model);
    expect(MBG_NBD.parameterNames).toEqual(['r', 'alpha', 'a', 'b']);
    const params = { ...PUBLISHED };
    expect(MBG_NBD.probabilityAlive(params, 2, 30.43, 38.86)).toBe(mbgNbdProbabilityAlive(PUBLISHED, 2, 30.43, 38.86));
    expect(MBG_NBD.expectedPurchasesIfAlive(params, 39, 2, 38.86)).toBe(mbgNbdExpectedPurchasesIfAlive(PUBLISHED, 39, 2, 38.86));
  });
});

describe('MBG/NBD log-likelihood gradient', () => {
  const rows: BgNbdRow[] = [
    { frequency: 0, recency: 0, T: 38.86, weight: 3 },
    { frequency: 1, recency: 2.5, T: 30, weight: 1 },
    { frequency: 2, recency: 30.43, T: 38.86, weight: 2 },
    { frequency: 7, recency: 29.43, T: 38.86, weight: 1 },
    { frequency: 40, recency: 38, T: 38.86, weight: 1 },
  ];

  it.each<MbgNbdParams>([PUBLISHED, { r: 2, alpha: 0.5, a: 3, b: 0.4 }, { r: 0.05, alpha: 40, a: 0.2, b: 15 }])(
    'agrees with central differences of the log-likelihood at %j',
    (params) => {
      const gradient = mbgNbdLogLikelihoodGradient(params, rows);
      for (const name of NAMES) {
        // Richardson-extrapolated central differences: error O(h⁴) + rounding ~1e-14/h.
        const h = 1e-3 * params[name];
        const central = (step: number) =>
          (mbgNbdLogLikelihood({ ...params, [name]: params[name] + step }, rows) - mbgNbdLogLikelihood({ ...params, [name]: params[name] - step }, rows)) / (2 * step);
        const numeric = (4 * central(h / 2) - central(h)) / 3;
        expect(Math.abs(gradient[name] - numeric), name).toBeLessThan(1e-8 * Math.max(1, Math.abs(numeric)));
      }
    },
  );
});

describe('MBG/NBD parameter recovery', () => {
  it('recovers the parameters of 50,000 simulated customers within 3 standard errors', () => {
    // Prepare: the MBG/NBD story (lifetimes' modified_beta_geometric_nbd_model): λ ~ Gamma(r, α),
    // p ~ Beta(a, b); the customer drops out with chance p at the first purchase and after each
    // repeat one, and otherwise buys again after an exponential wait of rate λ.
    const truth: MbgNbdParams = { r: 0.8, alpha: 4, a: 0.6, b: 3 };
    const uniform = seededUniform(3);
    const gamma = gammaSampler(uniform);
    const rows: BgNbdRow[] = [];
    for (let i = 0; i < 50_000; i++) {
      const lambda = gamma(truth.r, truth.alpha);
      const shapeA = gamma(truth.a, 1);
      const dropout = shapeA / (shapeA + gamma(truth.b, 1));
      const T = 20 + 40 * uniform();
      let [time, frequency, recency] = [0, 0, 0];
      while (uniform() >= dropout) {
        time += -Math.log(uniform()) / lambda;
        if (time > T) break;
        frequency++;
        recency = time;
      }
      rows.push({ frequency, recency, T, weight: 1 });
    }

    // Act
    const fit = fitMbgNbd(rows);

    // Assess: each parameter within 3 of the standard errors the fit reports (observed information).
    expect(fit.converged).toBe(true);
    for (const name of NAMES) {
      expect(Math.abs(fit.params[name] - truth[name]), name).toBeLessThan(3 * fit.standardErrors![name]);
      expect(fit.standardErrors![name] / truth[name], name).toBeLessThan(0.25);
    }
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(mbgNbdLogLikelihood(truth, rows));
  });
});
