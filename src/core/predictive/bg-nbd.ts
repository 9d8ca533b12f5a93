/**
 * BG/NBD model of repeat purchasing: Fader, Hardie & Lee (2005), "Counting your customers the
 * easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2):275–284.
 *
 * While alive a customer buys as a Poisson process with rate λ ~ Gamma(shape r, rate α);
 * after each repeat purchase they drop out with probability p ~ Beta(a, b).
 * A customer is summarised by x = number of repeat purchases, t_x = time of the last one
 * (0 if none) and T = time since the first purchase, all in the same unit (e.g. weeks).
 */
import { hyp2f1 } from './hypergeometric.js';
import { minimize } from './optimize.js';
import { lgamma } from './special-functions.js';

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** `weight` customers share this (x = frequency, t_x = recency, T). */
export interface BgNbdRow {
  frequency: number;
  recency: number;
  T: number;
  weight: number;
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
}

export interface BgNbdFitOptions {
  /** Where the search starts (default r = a = b = 1, α = mean T). */
  start?: BgNbdParams;
  /** Nelder–Mead iteration budget (default 3,000). */
  maxIterations?: number;
}

export function bgNbdLogLikelihood(params: BgNbdParams, rows: readonly BgNbdRow[]): number {
  assertPositiveParams(params);
  return logLikelihoodOfPrepared(params, prepareRows(rows));
}

export function fitBgNbd(rows: readonly BgNbdRow[], options: BgNbdFitOptions = {}): BgNbdFit {
  const prepared = prepareRows(rows);
  if (prepared.totalWeight === 0) throw new RangeError('fitBgNbd: no customers to fit');
  const start = options.start ?? { r: 1, alpha: prepared.meanT > 0 ? prepared.meanT : 1, a: 1, b: 1 };
  assertPositiveParams(start);
  const fromLog = ([r, alpha, a, b]: readonly number[]): BgNbdParams => ({
    r: Math.exp(r!),
    alpha: Math.exp(alpha!),
    a: Math.exp(a!),
    b: Math.exp(b!),
  });
  // Per customer, so that the tolerances mean the same whatever the number of customers.
  const result = minimize(
    (logParams) => -logLikelihoodOfPrepared(fromLog(logParams), prepared) / prepared.totalWeight,
    [start.r, start.alpha, start.a, start.b].map(Math.log),
    { maxIterations: options.maxIterations ?? 3_000, xTolerance: 1e-7, fTolerance: 1e-13 },
  );
  const params = fromLog(result.x);
  return {
    params,
    logLikelihood: logLikelihoodOfPrepared(params, prepared),
    converged: result.converged,
    iterations: result.iterations,
  };
}

/**
 * P(alive | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x−1) · ((α+T)/(α+t_x))^{r+x}) (Fader, Hardie & Lee,
 * "Computing P(alive) using the BG/NBD model"). Exactly 1 when x = 0: the model lets customers
 * drop out only right after a repeat purchase.
 */
export function bgNbdProbabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  assertPositiveParams(params);
  assertCustomer(x, tx, T);
  if (x === 0) return 1;
  return 1 / (1 + Math.exp(logDropoutOdds(params, x, tx, T)));
}

/**
 * E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T + t] (eq. 10):
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive).
 */
export function bgNbdExpectedPurchases(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  assertPositiveParams(params);
  assertCustomer(x, tx, T);
  assertHorizon(t);
  return expectedPurchasesIfAlive(params, t, x, T) * bgNbdProbabilityAlive(params, x, tx, T);
}

/** E[X(t)]: expected repeat purchases of a new customer in (0, t] (eq. 9). */
export function bgNbdExpectedPurchasesNewCustomer(params: BgNbdParams, t: number): number {
  assertPositiveParams(params);
  assertHorizon(t);
  // Eq. (9) is eq. (10)'s first factor at x = 0, T = 0.
  return expectedPurchasesIfAlive(params, t, 0, 0);
}

/** Eq. (9)/(10) are 0/0 at a = 1 and cancel badly near it, although smooth in a. */
const NEAR_A_EQUALS_ONE = 1e-5;

/** Eq. (10) without its P(alive) factor: the expected purchases in (T, T + t] if still alive. */
function expectedPurchasesIfAlive(params: BgNbdParams, t: number, x: number, T: number): number {
  if (t === 0) return 0;
  if (Math.abs(params.a - 1) >= NEAR_A_EQUALS_ONE) return expectedPurchasesIfAliveAwayFromAOne(params, t, x, T);
  // Interpolate linearly across a = 1: error ~1e-10 relative, against ~1e-16/|a − 1| for the formula.
  const low = 1 - NEAR_A_EQUALS_ONE;
  const below = expectedPurchasesIfAliveAwayFromAOne({ ...params, a: low }, t, x, T);
  const above = expectedPurchasesIfAliveAwayFromAOne({ ...params, a: 1 + NEAR_A_EQUALS_ONE }, t, x, T);
  return below + ((params.a - low) / (2 * NEAR_A_EQUALS_ONE)) * (above - below);
}

/**
 * (a+b+x−1)/(a−1) · [1 − q^{r+x} 2F1(r+x, b+x; a+b+x−1; z)] with q = (α+T)/(α+T+t), z = 1 − q.
 * Euler's transformation 2F1(A,B;C;z) = (1−z)^{C−A−B} 2F1(C−A,C−B;C;z) turns the product into
 * q^{a−1} 2F1(a+b−1−r, a−1; a+b+x−1; z), whose parameters do not grow with x: the original
 * form overflows for customers with hundreds of purchases.
 */
function expectedPurchasesIfAliveAwayFromAOne({ r, alpha, a, b }: BgNbdParams, t: number, x: number, T: number): number {
  const logQ = Math.log(alpha + T) - Math.log(alpha + T + t);
  const z = t / (alpha + T + t);
  const transformed = hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z);
  return ((a + b + x - 1) / (a - 1)) * (1 - Math.exp((a - 1) * logQ) * transformed);
}

/** ln[ a/(b+x−1) · ((α+T)/(α+t_x))^{r+x} ], for x > 0: P(alive) = 1 / (1 + e^this). */
function logDropoutOdds({ r, alpha, a, b }: BgNbdParams, x: number, tx: number, T: number): number {
  return Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
}

/**
 * Rows as index arrays into their distinct x, t_x and T values, so that the terms depending on
 * one of them (lgamma, logarithms) are computed once per distinct value, not once per row.
 */
interface PreparedRows {
  frequency: Float64Array;
  weight: Float64Array;
  frequencyIndex: Uint32Array;
  recencyIndex: Uint32Array;
  ageIndex: Uint32Array;
  distinctFrequencies: Float64Array;
  distinctRecencies: Float64Array;
  distinctAges: Float64Array;
  /** Per-distinct-value tables, overwritten by every evaluation (no allocation per evaluation). */
  scratch: {
    a1PlusA2: Float64Array;
    logDropout: Float64Array;
    logAlphaPlusRecency: Float64Array;
    logAlphaPlusAge: Float64Array;
  };
  totalWeight: number;
  meanT: number;
}

function prepareRows(rows: readonly BgNbdRow[]): PreparedRows {
  const frequencies = new DistinctValues();
  const recencies = new DistinctValues();
  const ages = new DistinctValues();
  const frequency = new Float64Array(rows.length);
  const weight = new Float64Array(rows.length);
  const frequencyIndex = new Uint32Array(rows.length);
  const recencyIndex = new Uint32Array(rows.length);
  const ageIndex = new Uint32Array(rows.length);
  let totalWeight = 0;
  let weightedT = 0;
  rows.forEach((row, i) => {
    assertCustomer(row.frequency, row.recency, row.T, `row ${i}: `);
    if (!(Number.isFinite(row.weight) && row.weight >= 0)) {
      throw new RangeError(`BG/NBD row ${i}: weight must be a finite number ≥ 0, got ${row.weight}`);
    }
    frequency[i] = row.frequency;
    weight[i] = row.weight;
    frequencyIndex[i] = frequencies.indexOf(row.frequency);
    recencyIndex[i] = recencies.indexOf(row.frequency === 0 ? 0 : row.recency);
    ageIndex[i] = ages.indexOf(row.T);
    totalWeight += row.weight;
    weightedT += row.weight * row.T;
  });
  return {
    frequency,
    weight,
    frequencyIndex,
    recencyIndex,
    ageIndex,
    distinctFrequencies: Float64Array.from(frequencies.values),
    distinctRecencies: Float64Array.from(recencies.values),
    distinctAges: Float64Array.from(ages.values),
    scratch: {
      a1PlusA2: new Float64Array(frequencies.values.length),
      logDropout: new Float64Array(frequencies.values.length),
      logAlphaPlusRecency: new Float64Array(recencies.values.length),
      logAlphaPlusAge: new Float64Array(ages.values.length),
    },
    totalWeight,
    meanT: totalWeight > 0 ? weightedT / totalWeight : 0,
  };
}

class DistinctValues {
  readonly values: number[] = [];
  private readonly indices = new Map<number, number>();

  indexOf(value: number): number {
    let index = this.indices.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.indices.set(value, index);
    }
    return index;
  }
}

/**
 * Σ weight · ln L(r, α, a, b | x, t_x, T), eq. (6) in the stable form of the `lifetimes` library:
 *   ln L = A₁ + A₂ + ln(e^{A₃} + [x > 0] e^{A₄}), with
 *   A₁ = ln Γ(r+x) − ln Γ(r) + r ln α,
 *   A₂ = ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x),
 *   A₃ = −(r+x) ln(α+T),
 *   A₄ = ln a − ln(b+x−1) − (r+x) ln(α+t_x).
 */
function logLikelihoodOfPrepared({ r, alpha, a, b }: BgNbdParams, prepared: PreparedRows): number {
  const { a1PlusA2, logDropout, logAlphaPlusRecency, logAlphaPlusAge } = prepared.scratch;
  const constant = -lgamma(r) + r * Math.log(alpha) + lgamma(a + b) - lgamma(b);
  prepared.distinctFrequencies.forEach((x, i) => {
    a1PlusA2[i] = constant + lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x);
    logDropout[i] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : 0;
  });
  prepared.distinctRecencies.forEach((tx, i) => (logAlphaPlusRecency[i] = Math.log(alpha + tx)));
  prepared.distinctAges.forEach((T, i) => (logAlphaPlusAge[i] = Math.log(alpha + T)));

  const { frequency, weight, frequencyIndex, recencyIndex, ageIndex } = prepared;
  let total = 0;
  for (let i = 0; i < frequency.length; i++) {
    const x = frequency[i]!;
    const f = frequencyIndex[i]!;
    const a3 = -(r + x) * logAlphaPlusAge[ageIndex[i]!]!;
    let logTerms = a3;
    if (x > 0) logTerms = logSumExp(a3, logDropout[f]! - (r + x) * logAlphaPlusRecency[recencyIndex[i]!]!);
    total += weight[i]! * (a1PlusA2[f]! + logTerms);
  }
  return total;
}

function logSumExp(u: number, v: number): number {
  return Math.max(u, v) + Math.log1p(Math.exp(-Math.abs(u - v)));
}

function assertPositiveParams(params: BgNbdParams): void {
  for (const name of ['r', 'alpha', 'a', 'b'] as const) {
    const value = params[name];
    if (!(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`BG/NBD parameter ${name} must be a finite number > 0, got ${value}`);
    }
  }
}

function assertCustomer(x: number, tx: number, T: number, context = ''): void {
  if (!(Number.isInteger(x) && x >= 0)) {
    throw new RangeError(`BG/NBD ${context}frequency must be an integer ≥ 0, got ${x}`);
  }
  if (!(Number.isFinite(T) && T >= 0)) throw new RangeError(`BG/NBD ${context}T must be a finite number ≥ 0, got ${T}`);
  if (x > 0 && !(tx >= 0 && tx <= T)) {
    throw new RangeError(`BG/NBD ${context}recency must lie in [0, T] = [0, ${T}], got ${tx}`);
  }
}

function assertHorizon(t: number): void {
  if (!(Number.isFinite(t) && t >= 0)) throw new RangeError(`BG/NBD horizon t must be a finite number ≥ 0, got ${t}`);
}
