import { describe, expect, it } from 'vitest';
import type { BgNbdRow } from '../../src/core/predictive/bg-nbd.js';
import {
  fitParetoNbd,
  PARETO_NBD,
  paretoNbdExpectedPurchases,
  paretoNbdExpectedPurchasesIfAlive,
  paretoNbdExpectedPurchasesNewCustomer,
  paretoNbdLogLikelihood,
  paretoNbdLogLikelihoodGradient,
  paretoNbdProbabilitiesAlive,
  paretoNbdProbabilityAlive,
  type ParetoNbdParams,
} from '../../src/core/predictive/pareto-nbd.js';
import { PURCHASE_MODELS, type PurchaseModel } from '../../src/core/predictive/purchase-models.js';
import { groupCdnow, readCdnowSummary } from '../helpers/cdnow-summary.js';
import { gammaSampler, seededUniform } from '../helpers/random.js';
import { relativeError } from '../helpers/relative-error.js';

const NAMES = ['r', 'alpha', 's', 'beta'] as const;

/**
 * Published CDNOW estimates (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
 * Marketing Science 24(2), the Pareto/NBD column beside BG/NBD; the same four in lifetimes'
 * tests/test_estimation.py test_params_out_is_close_to_Hardie_paper and in CLVTools'
 * tests/testthat correctness tests for pnbd, with LL −9595.0).
 */
const PUBLISHED: ParetoNbdParams = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };

describe('Pareto/NBD on the CDNOW sample (test/fixtures/reference/cdnow/README.md)', () => {
  const customers = readCdnowSummary();
  const rows = groupCdnow(customers);
  const fit = fitParetoNbd(rows);

  it('fits the published parameters and log-likelihood', () => {
    expect(customers).toHaveLength(2357);
    expect(fit.converged).toBe(true);
    // Published to 3 decimals (±0.0005): at most 0.1% relative on these values.
    for (const name of NAMES) expect(relativeError(fit.params[name], PUBLISHED[name]), name).toBeLessThan(1e-3);
    // Published as −9595.0; CLVTools' own fit stops at −9594.976 (its test's correct.LL.nocov).
    expect(Math.abs(fit.logLikelihood - -9595.0)).toBeLessThan(0.05);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(-9594.976);
  });

  it('stops at a stationary point: the gradient per customer is below 1e-9 in every log-parameter', () => {
    expect(fit.stop).toBe('gradient below tolerance');
    const gradient = paretoNbdLogLikelihoodGradient(fit.params, rows);
    for (const name of NAMES) {
      expect(Math.abs(gradient[name] * fit.params[name]) / customers.length, name).toBeLessThanOrEqual(1e-9);
    }
  });

  it("gives CLVTools' standard errors", () => {
    // CLVTools tests/testthat (pnbd nocov correct.se, its tolerance 0.001): r 0.0476264,
    // α 0.8427222, s 0.1872594, β 6.2105448 — from the Hessian at its own estimate, which
    // differs from this one in the 4th digit.
    const expected: ParetoNbdParams = { r: 0.0476264, alpha: 0.8427222, s: 0.1872594, beta: 6.2105448 };
    for (const name of NAMES) expect(relativeError(fit.standardErrors![name], expected[name]), name).toBeLessThan(1e-3);
  });

  it('gives the BTYD walkthrough P(alive) and forecast for the customer with x = 26, t_x = 30.86, T = 31', () => {
    // BTYD-walkthrough (CRAN vignette) §2.4, at BTYD's estimate (0.5534, 10.5802, 0.6061, 11.6562):
    // P(alive) = 0.9979; lifetimes' test_conditional_probability_alive checks the same.
    const btyd: ParetoNbdParams = { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };
    expect(Math.abs(paretoNbdProbabilityAlive(btyd, 26, 30.86, 31) - 0.9979)).toBeLessThan(1e-4);
    // The walkthrough's conditional expectation for the next 52 weeks: 25.46 (lifetimes'
    // test_conditional_expectation_returns_same_value_as_R_BTYD, to ±0.01).
    expect(Math.abs(paretoNbdExpectedPurchases(fit.params, 52, 26, 30.86, 31) - 25.46)).toBeLessThan(0.005);
  });

  it("gives BTYD's expected repeat purchases of a new customer in weeks 0–9", () => {
    // BTYD reference manual, pnbd.Expectation example over t = 0…9 (as in lifetimes'
    // test_expectation_returns_same_value_as_R_BTYD, which allows ±0.01; the manual's parameters
    // differ slightly from this fit, hence ±0.003).
    const expected = [0, 0.05077821, 0.09916088, 0.14542507, 0.1897993, 0.23247466, 0.27361274, 0.31335159, 0.35181024, 0.38909211];
    expected.forEach((value, t) => expect(Math.abs(paretoNbdExpectedPurchasesNewCustomer(fit.params, t) - value), `t = ${t}`).toBeLessThan(0.003));
  });
});

describe('Pareto/NBD formulas', () => {
  it('computes the log-likelihood of Fader & Hardie (2005) per customer, in both branches of A₀', () => {
    // mpmath 1.3.0 at 50 digits, from the model's definition rather than the 2F1 closed forms:
    // L = Γ(r+x)α^r/Γ(r) · [(α+T)^{−(r+x)} (β/(β+T))^s + s β^s ∫_{t_x}^T (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ]
    // (still alive at T, or dropped out at τ in (t_x, T]), the integral by mpmath.quad over 2,000
    // subintervals (the integrand is sharply peaked at t_x for large x).
    const cases: [ParetoNbdParams, BgNbdRow, number][] = [
      [PUBLISHED, { frequency: 2, recency: 30.43, T: 38.86, weight: 1 }, -9.5542832451504057193],
      [PUBLISHED, { frequency: 0, recency: 0, T: 38.86, weight: 1 }, -0.52104629408089037401],
      [PUBLISHED, { frequency: 7, recency: 29.43, T: 38.86, weight: 1 }, -21.594643218112608529],
      [PUBLISHED, { frequency: 40, recency: 38, T: 38.86, weight: 1 }, -49.560712286236968395],
      // α > β: the other branch of A₀.
      [{ r: 0.3, alpha: 40, s: 3, beta: 2 }, { frequency: 2, recency: 30.43, T: 38.86, weight: 1 }, -18.160502036048685314],
      [{ r: 0.3, alpha: 40, s: 3, beta: 2 }, { frequency: 0, recency: 0, T: 38.86, weight: 1 }, -0.0071319162607856525195],
      [{ r: 0.3, alpha: 40, s: 3, beta: 2 }, { frequency: 7, recency: 29.43, T: 38.86, weight: 1 }, -32.640064347966389529],
      [{ r: 0.3, alpha: 40, s: 3, beta: 2 }, { frequency: 40, recency: 38, T: 38.86, weight: 1 }, -77.241805244428018035],
    ];
    for (const [params, row, expected] of cases) {
      expect(paretoNbdLogLikelihood(params, [row]), JSON.stringify([params, row])).toBeCloseTo(expected, 11);
    }
    const [one, zero] = [cases[0]![1], cases[1]![1]];
    expect(paretoNbdLogLikelihood(PUBLISHED, [{ ...one, weight: 3 }, zero])).toBeCloseTo(3 * cases[0]![2] + cases[1]![2], 10);
  });

  it('stays finite and accurate for a customer with 500 purchases over 2,000 weeks', () => {
    // mpmath 1.3.0 at 50 digits, as above: ln L and P(alive) = alive term / L.
    expect(paretoNbdLogLikelihood(PUBLISHED, [{ frequency: 500, recency: 1500, T: 2000, weight: 1 }])).toBeCloseTo(-1064.4561958906244395, 8);
    expect(paretoNbdLogLikelihood(PUBLISHED, [{ frequency: 500, recency: 1999, T: 2000, weight: 1 }])).toBeCloseTo(-1201.0335612632894369, 8);
    expect(relativeError(paretoNbdProbabilityAlive(PUBLISHED, 500, 1500, 2000), 4.8423399231846599854e-60)).toBeLessThan(1e-8);
    expect(relativeError(paretoNbdProbabilityAlive(PUBLISHED, 500, 1999, 2000), 0.99965791065333251758)).toBeLessThan(1e-12);
    // (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+52))^{s−1}] at 50 digits.
    expect(relativeError(paretoNbdExpectedPurchasesIfAlive(PUBLISHED, 52, 500, 2000), 12.845890754455373752)).toBeLessThan(1e-12);
    const gradient = paretoNbdLogLikelihoodGradient(PUBLISHED, [{ frequency: 500, recency: 1500, T: 2000, weight: 1 }]);
    for (const name of NAMES) expect(Number.isFinite(gradient[name]), name).toBe(true);
  });

  it('gives a finite P(alive) where CLVTools once produced NaN', () => {
    // CLVTools tests/testthat, "Can calculate numerically stable PAlive that produced NaNs".
    const params: ParetoNbdParams = { r: 0.5143, alpha: 2.8845, s: 0.2856, beta: 14.1087 };
    const customers = [[221, 103.42857, 103.57143], [254, 97.14286, 97.28571], [161, 94.71429, 98], [204, 98.57143, 99.42857]] as const;
    for (const [x, tx, T] of customers) {
      const p = paretoNbdProbabilityAlive(params, x, tx, T);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it('is exactly 1 alive when the last purchase is now, and below 1 otherwise, even at x = 0', () => {
    expect(paretoNbdProbabilityAlive(PUBLISHED, 3, 38.86, 38.86)).toBe(1);
    expect(paretoNbdProbabilityAlive(PUBLISHED, 0, 0, 0)).toBe(1);
    const x0 = paretoNbdProbabilityAlive(PUBLISHED, 0, 0, 38.86);
    expect(x0).toBeGreaterThan(0);
    expect(x0).toBeLessThan(1);
    expect(paretoNbdProbabilityAlive(PUBLISHED, 3, 38, 38.86)).toBeGreaterThan(paretoNbdProbabilityAlive(PUBLISHED, 3, 5, 38.86));
  });

  it('takes the s = 1 limit (a logarithm) and agrees with its neighbours', () => {
    // mpmath 1.3.0 at 50 digits for x = 2, T = 38.86, t = 39: s = 1 is (r+x)(β+T)/(α+T) · ln(1 + t/(β+T)).
    const at = (s: number) => paretoNbdExpectedPurchasesIfAlive({ ...PUBLISHED, s }, 39, 2, 38.86);
    expect(relativeError(at(1), 1.4925818928667115796)).toBeLessThan(1e-14);
    expect(relativeError(at(1 + 1e-9), 1.4925818924398218399)).toBeLessThan(1e-12);
    expect(relativeError(at(1 - 1e-9), 1.4925818932936013195)).toBeLessThan(1e-12);
    expect(relativeError(at(1.2), 1.4103687483681909725)).toBeLessThan(1e-14);
    expect(paretoNbdExpectedPurchasesNewCustomer({ ...PUBLISHED, s: 1 }, 39)).toBeCloseTo(
      ((PUBLISHED.r * PUBLISHED.beta) / PUBLISHED.alpha) * Math.log(1 + 39 / PUBLISHED.beta),
      14,
    );
  });

  it('reduces the conditional expectation to the new customer one at x = 0, T = 0', () => {
    for (const t of [0, 0.5, 39, 400]) {
      expect(paretoNbdExpectedPurchases(PUBLISHED, t, 0, 0, 0)).toBeCloseTo(paretoNbdExpectedPurchasesNewCustomer(PUBLISHED, t), 12);
    }
  });

  it('rejects impossible customers and parameters', () => {
    expect(() => paretoNbdProbabilityAlive(PUBLISHED, 2, 40, 38.86)).toThrow(/recency must lie in \[0, T\]/);
    expect(() => paretoNbdProbabilityAlive({ ...PUBLISHED, s: 0 }, 2, 4, 38.86)).toThrow(/parameter s must be/);
    expect(() => fitParetoNbd([{ frequency: -1, recency: 0, T: 10, weight: 1 }])).toThrow(/row 0: frequency/);
  });

  it('is listed among the purchase models, with its parameters in order', () => {
    // Conforms to the interface (a compile-time check: the model file cannot import it without a cycle).
    const model: PurchaseModel = PARETO_NBD;
    expect(PURCHASE_MODELS).toContain(model);
    expect(PARETO_NBD.parameterNames).toEqual(['r', 'alpha', 's', 'beta']);
    const params = { r: PUBLISHED.r, alpha: PUBLISHED.alpha, s: PUBLISHED.s, beta: PUBLISHED.beta };
    expect(PARETO_NBD.probabilityAlive(params, 26, 30.86, 31)).toBe(paretoNbdProbabilityAlive(PUBLISHED, 26, 30.86, 31));
    expect(PARETO_NBD.expectedPurchasesIfAlive(params, 39, 26, 31)).toBe(paretoNbdExpectedPurchasesIfAlive(PUBLISHED, 39, 26, 31));
  });

  it('computes P(alive) of many histories at once with the same bits as one by one, null where a history is impossible', () => {
    const rows = groupCdnow(readCdnowSummary());
    const histories = [...rows, { frequency: 2, recency: 40, T: 38.86, weight: 1 }];
    const batch = paretoNbdProbabilitiesAlive(PUBLISHED, histories);
    expect(batch).toHaveLength(histories.length);
    rows.forEach(({ frequency, recency, T }, i) => expect(batch[i]).toBe(paretoNbdProbabilityAlive(PUBLISHED, frequency, recency, T)));
    expect(batch.at(-1)).toBeNull(); // recency after T
  });
});

describe('Pareto/NBD log-likelihood gradient', () => {
  const rows: BgNbdRow[] = [
    { frequency: 0, recency: 0, T: 38.86, weight: 3 },
    { frequency: 1, recency: 2.5, T: 30, weight: 1 },
    { frequency: 2, recency: 30.43, T: 38.86, weight: 2 },
    { frequency: 7, recency: 29.43, T: 38.86, weight: 1 },
    { frequency: 40, recency: 38, T: 38.86, weight: 1 },
    { frequency: 3, recency: 20, T: 20, weight: 1 },
  ];

  it.each<ParetoNbdParams>([
    PUBLISHED,
    { r: 2, alpha: 3, s: 0.3, beta: 40 },
    { r: 0.3, alpha: 40, s: 3, beta: 2 },
    { r: 1, alpha: 5, s: 1, beta: 5 },
    { r: 0.05, alpha: 0.5, s: 20, beta: 300 },
  ])('agrees with central differences of the log-likelihood at %j', (params) => {
    const gradient = paretoNbdLogLikelihoodGradient(params, rows);
    for (const name of NAMES) {
      // Richardson-extrapolated central differences: error O(h⁴) + rounding ~1e-14/h.
      const h = 1e-3 * params[name];
      const central = (step: number) =>
        (paretoNbdLogLikelihood({ ...params, [name]: params[name] + step }, rows) - paretoNbdLogLikelihood({ ...params, [name]: params[name] - step }, rows)) / (2 * step);
      const numeric = (4 * central(h / 2) - central(h)) / 3;
      expect(Math.abs(gradient[name] - numeric), name).toBeLessThan(1e-8 * Math.max(1, Math.abs(numeric)));
    }
  });
});

describe('Pareto/NBD parameter recovery', () => {
  it('recovers the parameters of 50,000 simulated customers within 3 standard errors', () => {
    // Prepare: the Pareto/NBD story, customer by customer: λ ~ Gamma(r, α), μ ~ Gamma(s, β),
    // an exponential lifetime of rate μ, Poisson purchases at rate λ until min(lifetime, T).
    const truth: ParetoNbdParams = { r: 0.8, alpha: 4, s: 0.6, beta: 8 };
    const uniform = seededUniform(7);
    const gamma = gammaSampler(uniform);
    const rows: BgNbdRow[] = [];
    for (let i = 0; i < 50_000; i++) {
      const lambda = gamma(truth.r, truth.alpha);
      const lifetime = -Math.log(uniform()) / gamma(truth.s, truth.beta);
      const T = 20 + 40 * uniform();
      const end = Math.min(lifetime, T);
      let [time, frequency, recency] = [0, 0, 0];
      for (;;) {
        time += -Math.log(uniform()) / lambda;
        if (time > end) break;
        frequency++;
        recency = time;
      }
      rows.push({ frequency, recency, T, weight: 1 });
    }

    // Act
    const fit = fitParetoNbd(rows);

    // Assess: each parameter within 3 of the standard errors the fit reports (observed information).
    expect(fit.converged).toBe(true);
    for (const name of NAMES) {
      expect(Math.abs(fit.params[name] - truth[name]), name).toBeLessThan(3 * fit.standardErrors![name]);
      // The errors are those of a well-determined fit (not a flat ridge).
      expect(fit.standardErrors![name] / truth[name], name).toBeLessThan(0.25);
    }
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(paretoNbdLogLikelihood(truth, rows));
  });
});
