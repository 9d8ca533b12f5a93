import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gammaSampler, seededUniform } from '../helpers/random.js';
import {
  bgNbdExpectedPurchases,
  bgNbdExpectedPurchasesNewCustomer,
  bgNbdLogLikelihood,
  bgNbdLogLikelihoodGradient,
  bgNbdProbabilityAlive,
  fitBgNbd,
  type BgNbdParams,
  type BgNbdRow,
} from '../../src/core/predictive/bg-nbd.js';
import { relativeError } from '../helpers/relative-error.js';

const CDNOW_SUMMARY = join(
  import.meta.dirname,
  '../fixtures/reference/cdnow/cdnow_customers_summary_with_transactions.csv',
);

interface CdnowCustomer {
  id: number;
  x: number;
  tx: number;
  T: number;
}

function readCdnowSummary(): CdnowCustomer[] {
  const [header, ...lines] = readFileSync(CDNOW_SUMMARY, 'utf8').trim().split(/\r?\n/);
  expect(header).toBe('ID,x,t_x,T,zbar');
  return lines.map((line) => {
    const [id, x, tx, T] = line.split(',').map(Number);
    return { id: id!, x: x!, tx: tx!, T: T! };
  });
}

/** Distinct (x, t_x, T) with the number of customers sharing them. */
function groupRows(customers: readonly CdnowCustomer[]): BgNbdRow[] {
  const rows = new Map<string, BgNbdRow>();
  for (const { x, tx, T } of customers) {
    const key = `${x}|${tx}|${T}`;
    const row = rows.get(key);
    if (row) row.weight++;
    else rows.set(key, { frequency: x, recency: tx, T, weight: 1 });
  }
  return [...rows.values()];
}

/** Published CDNOW parameters (Fader, Hardie & Lee 2005), rounded as published. */
const PUBLISHED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('BG/NBD on the CDNOW sample (test/fixtures/reference/cdnow/README.md)', () => {
  const customers = readCdnowSummary();
  const fit = fitBgNbd(groupRows(customers));

  it('fits the published parameters and log-likelihood', () => {
    expect(customers).toHaveLength(2357);
    expect(fit.converged).toBe(true);
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      expect(relativeError(fit.params[name], PUBLISHED[name]), name).toBeLessThan(0.01);
    }
    expect(Math.abs(fit.logLikelihood - -9582.4)).toBeLessThan(0.5);
  });

  it('stops at a stationary point: the gradient per customer is below 1e-9 in every log-parameter', () => {
    expect(fit.stop).toBe('gradient below tolerance');
    const gradient = bgNbdLogLikelihoodGradient(fit.params, groupRows(customers));
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(gradient[name] * fit.params[name]) / customers.length, name).toBeLessThanOrEqual(1e-9);
    }
  });

  it('gives the standard errors of the observed information', () => {
    // mpmath 1.3.0 at 40 digits: eq. (6) summed over the 2,357 customers, its Hessian by central
    // differences (relative step 1e-8) at this fit, inverted. lifetimes' summary of the same fit
    // prints the same four (0.012557, 0.378221, 0.185719, 0.705345).
    const expected: BgNbdParams = { r: 0.01255732, alpha: 0.37822142, a: 0.18571914, b: 0.70534575 };
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      expect(relativeError(fit.standardErrors![name], expected[name]), name).toBeLessThan(1e-5);
    }
  });

  it('gives no standard errors for a fit that did not converge (the information away from the maximum means nothing)', () => {
    const stopped = fitBgNbd(groupRows(customers), { maxIterations: 3 });
    expect(stopped).toMatchObject({ converged: false, stop: 'iteration budget exhausted', standardErrors: undefined });
  });

  it('gives the published forecast and P(alive) for customer 1 (x = 2, t_x = 30.43, T = 38.86)', () => {
    const customer1 = customers[0]!;
    expect(customer1).toEqual({ id: 1, x: 2, tx: 30.43, T: 38.86 });
    expect(relativeError(bgNbdExpectedPurchases(fit.params, 39, 2, 30.43, 38.86), 1.226)).toBeLessThan(0.005);
    expect(relativeError(bgNbdProbabilityAlive(fit.params, 2, 30.43, 38.86), 0.727)).toBeLessThan(0.005);
  });

  it('forecasts about 4% fewer cumulative repeat purchases in weeks 1–78 than the 4,339 observed', () => {
    // Each customer is T + 39 weeks old at the end of week 78 (eq. 9 summed over customers).
    const forecast = customers.reduce((sum, { T }) => sum + bgNbdExpectedPurchasesNewCustomer(fit.params, T + 39), 0);
    const shortfall = 1 - forecast / 4339;
    expect(shortfall).toBeGreaterThan(0.03);
    expect(shortfall).toBeLessThan(0.05);
  });
});

describe('BG/NBD formulas', () => {
  it('computes the log-likelihood of eq. (6) per customer, with weights counting customers', () => {
    // mpmath 1.3.0 at 60 digits, eq. (6) written with Beta functions (no log-sum-exp).
    const expected = { one: -9.4586063070662712451, zero: -0.55471327643815845108, seven: -21.863276271463518311 };
    const one = { frequency: 2, recency: 30.43, T: 38.86, weight: 1 };
    const zero = { frequency: 0, recency: 0, T: 38.86, weight: 1 };
    const seven = { frequency: 7, recency: 29.43, T: 38.86, weight: 1 };
    expect(bgNbdLogLikelihood(PUBLISHED, [one])).toBeCloseTo(expected.one, 12);
    expect(bgNbdLogLikelihood(PUBLISHED, [zero])).toBeCloseTo(expected.zero, 12);
    expect(bgNbdLogLikelihood(PUBLISHED, [seven])).toBeCloseTo(expected.seven, 12);
    expect(bgNbdLogLikelihood(PUBLISHED, [{ ...one, weight: 3 }, zero])).toBeCloseTo(3 * expected.one + expected.zero, 11);
  });

  it('gives P(alive) = 1 exactly when there was no repeat purchase', () => {
    for (const T of [0, 1, 38.86, 500]) {
      expect(bgNbdProbabilityAlive(PUBLISHED, 0, 0, T)).toBe(1);
      expect(bgNbdProbabilityAlive({ r: 3, alpha: 0.1, a: 9, b: 0.2 }, 0, 0, T)).toBe(1);
    }
  });

  it('lowers P(alive) the longer ago the last purchase was', () => {
    const recent = bgNbdProbabilityAlive(PUBLISHED, 3, 38, 38.86);
    const old = bgNbdProbabilityAlive(PUBLISHED, 3, 5, 38.86);
    expect(recent).toBeGreaterThan(old);
    expect(recent).toBeLessThan(1);
  });

  it('expects more purchases over a longer horizon, and none over no time', () => {
    expect(bgNbdExpectedPurchases(PUBLISHED, 0, 2, 30.43, 38.86)).toBe(0);
    const horizons = [1, 13, 39, 52, 104, 520, 5200];
    const conditional = horizons.map((t) => bgNbdExpectedPurchases(PUBLISHED, t, 2, 30.43, 38.86));
    const unconditional = horizons.map((t) => bgNbdExpectedPurchasesNewCustomer(PUBLISHED, t));
    for (let i = 1; i < horizons.length; i++) {
      expect(conditional[i]!).toBeGreaterThan(conditional[i - 1]!);
      expect(unconditional[i]!).toBeGreaterThan(unconditional[i - 1]!);
    }
  });

  it('reduces eq. (10) to eq. (9) for a customer with no history (x = 0, T = 0)', () => {
    for (const t of [0.5, 39, 400]) {
      expect(bgNbdExpectedPurchases(PUBLISHED, t, 0, 0, 0)).toBeCloseTo(bgNbdExpectedPurchasesNewCustomer(PUBLISHED, t), 12);
    }
  });

  it('is finite and accurate at and near a = 1, where eqs. (9) and (10) are 0/0', () => {
    // mpmath 1.3.0 at 80 digits, eq. (10) as printed at a = 1 + 1e-40 (the limit) and a = 1 + 1e-7.
    const at = (a: number) => bgNbdExpectedPurchases({ ...PUBLISHED, a }, 39, 2, 30.43, 38.86);
    expect(relativeError(at(1), 1.1021367860399557729)).toBeLessThan(1e-9);
    expect(relativeError(at(1 + 1e-7), 1.1021367314169068387)).toBeLessThan(1e-9);
    expect(Number.isFinite(bgNbdExpectedPurchasesNewCustomer({ ...PUBLISHED, a: 1 }, 39))).toBe(true);
  });

  it('stays accurate for a customer with hundreds of purchases', () => {
    // mpmath 1.3.0 at 60 digits, eq. (10) as printed (2F1(r+x, b+x; a+b+x−1; z)); in double
    // precision that form overflows, which the Euler-transformed form used here avoids.
    const expected = 98.841061234004897641;
    expect(relativeError(bgNbdExpectedPurchases(PUBLISHED, 39, 300, 38, 38.86), expected)).toBeLessThan(1e-12);
  });

  it('rejects impossible customers and parameters', () => {
    expect(() => bgNbdProbabilityAlive(PUBLISHED, 2, 40, 38.86)).toThrow(/recency must lie in \[0, T\]/);
    expect(() => bgNbdProbabilityAlive(PUBLISHED, 1.5, 4, 38.86)).toThrow(/frequency must be an integer/);
    expect(() => bgNbdProbabilityAlive({ ...PUBLISHED, a: 0 }, 2, 4, 38.86)).toThrow(/parameter a must be/);
    expect(() => fitBgNbd([{ frequency: -1, recency: 0, T: 10, weight: 1 }])).toThrow(/row 0: frequency/);
  });
});

describe('BG/NBD log-likelihood gradient', () => {
  const rows: BgNbdRow[] = [
    { frequency: 0, recency: 0, T: 38.86, weight: 3 },
    { frequency: 1, recency: 2.5, T: 30, weight: 1 },
    { frequency: 2, recency: 30.43, T: 38.86, weight: 2 },
    { frequency: 7, recency: 29.43, T: 38.86, weight: 1 },
    { frequency: 40, recency: 38, T: 38.86, weight: 1 },
  ];

  it.each<BgNbdParams>([PUBLISHED, { r: 2, alpha: 0.5, a: 3, b: 0.4 }, { r: 0.05, alpha: 40, a: 0.2, b: 15 }])(
    'agrees with central differences of the log-likelihood at %j',
    (params) => {
      const gradient = bgNbdLogLikelihoodGradient(params, rows);
      for (const name of ['r', 'alpha', 'a', 'b'] as const) {
        // Richardson-extrapolated central differences: error O(h⁴) + rounding ~1e-14/h.
        const h = 1e-3 * params[name];
        const central = (step: number) =>
          (bgNbdLogLikelihood({ ...params, [name]: params[name] + step }, rows) - bgNbdLogLikelihood({ ...params, [name]: params[name] - step }, rows)) / (2 * step);
        const numeric = (4 * central(h / 2) - central(h)) / 3;
        expect(Math.abs(gradient[name] - numeric), name).toBeLessThan(1e-8 * Math.max(1, Math.abs(numeric)));
      }
    },
  );
});

describe('BG/NBD parameter recovery', () => {
  it('recovers the parameters of 20,000 simulated customers within sampling error', () => {
    // Prepare: the BG/NBD story, customer by customer.
    const truth: BgNbdParams = { r: 0.8, alpha: 4, a: 0.6, b: 3 };
    const uniform = seededUniform(1);
    const gamma = gammaSampler(uniform);
    const rows: BgNbdRow[] = [];
    for (let i = 0; i < 20_000; i++) {
      const lambda = gamma(truth.r, truth.alpha);
      const shapeA = gamma(truth.a, 1);
      const dropout = shapeA / (shapeA + gamma(truth.b, 1)); // p ~ Beta(a, b)
      const T = 20 + 40 * uniform();
      let time = 0;
      let frequency = 0;
      let recency = 0;
      for (;;) {
        time += -Math.log(uniform()) / lambda;
        if (time > T) break;
        frequency++;
        recency = time;
        if (uniform() < dropout) break;
      }
      rows.push({ frequency, recency, T, weight: 1 });
    }

    // Act
    const fit = fitBgNbd(rows);

    // Assess: the standard errors from the observed information at the estimate (checked over
    // five seeds) are r 1.3%, α 1.7%, a 3.7%, b 5.2%; each tolerance is 3 standard errors.
    expect(fit.converged).toBe(true);
    expect(relativeError(fit.params.r, truth.r)).toBeLessThan(0.04);
    expect(relativeError(fit.params.alpha, truth.alpha)).toBeLessThan(0.06);
    expect(relativeError(fit.params.a, truth.a)).toBeLessThan(0.12);
    expect(relativeError(fit.params.b, truth.b)).toBeLessThan(0.16);
    // A maximum: no worse than the truth.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgNbdLogLikelihood(truth, rows));
  });
});
