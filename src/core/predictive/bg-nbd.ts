/**
 * BG/NBD model of repeat purchasing: Fader, Hardie & Lee (2005), "Counting your customers the
 * easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2):275–284.
 *
 * While alive a customer buys as a Poisson process with rate λ ~ Gamma(shape r, rate α);
 * after each repeat purchase they drop out with probability p ~ Beta(a, b).
 * A customer is summarised by x = number of repeat purchases, t_x = time of the last one
 * (0 if none) and T = time since the first purchase, all in the same unit (e.g. weeks).
 */
import { CompensatedSum } from './compensated-sum.js';
import { DistinctValues } from './distinct-histories.js';
import { hyp2f1 } from './hypergeometric.js';
import { maximizeLikelihood, type MaximumLikelihoodFit, type MaximumLikelihoodOptions } from './maximum-likelihood.js';
import type { BgNbdRow } from './purchase-history.js';
import { digamma, lgamma } from './special-functions.js';

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export type { BgNbdRow } from './purchase-history.js';

export type BgNbdFit = MaximumLikelihoodFit<BgNbdParams>;

export interface BgNbdFitOptions extends MaximumLikelihoodOptions {
  /** Where the search starts (default r = 1, α = r / observed purchase rate, a = b = 1). */
  start?: BgNbdParams;
}

export function bgNbdLogLikelihood(params: BgNbdParams, rows: readonly BgNbdRow[]): number {
  assertPositiveParams(params);
  return logLikelihoodAndGradient(params, prepareRows(rows)).value;
}

/** ∂/∂(r, α, a, b) of bgNbdLogLikelihood. */
export function bgNbdLogLikelihoodGradient(params: BgNbdParams, rows: readonly BgNbdRow[]): BgNbdParams {
  assertPositiveParams(params);
  const [r, alpha, a, b] = logLikelihoodAndGradient(params, prepareRows(rows)).gradient;
  return { r, alpha, a, b };
}

const PARAMETER_NAMES = ['r', 'alpha', 'a', 'b'] as const;

/**
 * Maximum likelihood over every row, on the parameters' logarithms (so they stay positive).
 * BFGS stops when the gradient of the mean log-likelihood per customer is below 1e-11 in every
 * log-parameter (maximum-likelihood.ts).
 */
export function fitBgNbd(rows: readonly BgNbdRow[], options: BgNbdFitOptions = {}): BgNbdFit {
  const prepared = prepareRows(rows);
  if (prepared.totalWeight === 0) throw new RangeError('fitBgNbd: no customers to fit');
  const start = options.start ?? defaultStart(prepared);
  assertPositiveParams(start);
  return maximizeLikelihood(PARAMETER_NAMES, (params) => logLikelihoodAndGradient(params, prepared), start, prepared.totalWeight, {
    ...options,
    nelderMeadIterations: 3_000,
  });
}

/**
 * r = a = b = 1 (lifetimes' start) and α matching the observed purchase rate: with dropout
 * ignored, E[λ] = r/α is Σx / ΣT.
 */
function defaultStart(prepared: PreparedRows): BgNbdParams {
  const alpha = prepared.purchaseRate > 0 ? 1 / prepared.purchaseRate : prepared.meanT > 0 ? prepared.meanT : 1;
  return { r: 1, alpha, a: 1, b: 1 };
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

/**
 * P(alive | x, t_x, T) as a SQL expression over the given column expressions (parameters and
 * customer), the same closed form as bgNbdProbabilityAlive: clv_predictions computes it for
 * every customer inside DuckDB. The odds e^{…} overflow to +Infinity for a long-gone customer,
 * giving exactly 0.
 */
export function bgNbdProbabilityAliveSql(params: { r: string; alpha: string; a: string; b: string }, x: string, tx: string, T: string): string {
  const { r, alpha, a, b } = params;
  const logDropoutOdds = `ln(${a}) - ln(${b} + ${x} - 1) + (${r} + ${x}) * (ln(${alpha} + ${T}) - ln(${alpha} + ${tx}))`;
  return `case when ${x} = 0 then 1.0 else 1 / (1 + exp(${logDropoutOdds})) end`;
}

/**
 * Eq. (10) without its P(alive) factor: the repeat purchases in (T, T + t] expected of a customer
 * still alive. It depends on x and T only (not t_x), so predictions compute it once per distinct
 * (x, T) and multiply by P(alive) per customer.
 */
export function bgNbdExpectedPurchasesIfAlive(params: BgNbdParams, t: number, x: number, T: number): number {
  assertPositiveParams(params);
  assertCustomer(x, 0, T);
  assertHorizon(t);
  return expectedPurchasesIfAlive(params, t, x, T);
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
 * The rows reduced to what the likelihood needs. Terms depending on x alone (lgamma, digamma) are
 * summed per distinct x, and the A₃ term −(r+x) ln(α+T) per distinct T, with the customers'
 * weights: only the repeat customers' rows need a pass per evaluation, and even there the
 * logarithms of α + t_x and α + T are computed once per distinct value.
 */
interface PreparedRows {
  /** Distinct x (including 0) and the customers with each. */
  distinctFrequencies: Float64Array;
  frequencyWeight: Float64Array;
  /** Distinct T, with Σ weight and Σ weight · x of the customers with each. */
  distinctAges: Float64Array;
  ageWeight: Float64Array;
  ageWeightedFrequency: Float64Array;
  distinctRecencies: Float64Array;
  /** The rows with x > 0, as indices into the distinct values. */
  repeat: { frequency: Float64Array; weight: Float64Array; frequencyIndex: Uint32Array; recencyIndex: Uint32Array; ageIndex: Uint32Array };
  totalWeight: number;
  meanT: number;
  /** Σ weight · x / Σ weight · T: purchases per unit of time, ignoring dropout. */
  purchaseRate: number;
}

function prepareRows(rows: readonly BgNbdRow[]): PreparedRows {
  const frequencies = new DistinctValues();
  const recencies = new DistinctValues();
  const ages = new DistinctValues();
  const repeatCount = rows.reduce((n, row) => n + (row.frequency > 0 ? 1 : 0), 0);
  const repeat = {
    frequency: new Float64Array(repeatCount),
    weight: new Float64Array(repeatCount),
    frequencyIndex: new Uint32Array(repeatCount),
    recencyIndex: new Uint32Array(repeatCount),
    ageIndex: new Uint32Array(repeatCount),
  };
  const frequencyWeight: number[] = [];
  const ageWeight: number[] = [];
  const ageWeightedFrequency: number[] = [];
  let totalWeight = 0;
  let weightedT = 0;
  let weightedX = 0;
  let r = 0;
  rows.forEach((row, i) => {
    assertCustomer(row.frequency, row.recency, row.T, `row ${i}: `);
    if (!(Number.isFinite(row.weight) && row.weight >= 0)) {
      throw new RangeError(`BG/NBD row ${i}: weight must be a finite number ≥ 0, got ${row.weight}`);
    }
    const f = frequencies.indexOf(row.frequency);
    const age = ages.indexOf(row.T);
    frequencyWeight[f] = (frequencyWeight[f] ?? 0) + row.weight;
    ageWeight[age] = (ageWeight[age] ?? 0) + row.weight;
    ageWeightedFrequency[age] = (ageWeightedFrequency[age] ?? 0) + row.weight * row.frequency;
    if (row.frequency > 0) {
      repeat.frequency[r] = row.frequency;
      repeat.weight[r] = row.weight;
      repeat.frequencyIndex[r] = f;
      repeat.recencyIndex[r] = recencies.indexOf(row.recency);
      repeat.ageIndex[r] = age;
      r++;
    }
    totalWeight += row.weight;
    weightedT += row.weight * row.T;
    weightedX += row.weight * row.frequency;
  });
  return {
    distinctFrequencies: Float64Array.from(frequencies.values),
    frequencyWeight: Float64Array.from(frequencyWeight),
    distinctAges: Float64Array.from(ages.values),
    ageWeight: Float64Array.from(ageWeight),
    ageWeightedFrequency: Float64Array.from(ageWeightedFrequency),
    distinctRecencies: Float64Array.from(recencies.values),
    repeat,
    totalWeight,
    meanT: totalWeight > 0 ? weightedT / totalWeight : 0,
    purchaseRate: weightedT > 0 ? weightedX / weightedT : 0,
  };
}

/**
 * Σ weight · ln L(r, α, a, b | x, t_x, T), eq. (6) in the stable form of the `lifetimes` library,
 * and its gradient in (r, α, a, b):
 *   ln L = A₁ + A₂ + A₃ + [x > 0] ln(1 + e^{A₄ − A₃}), with
 *   A₁ = ln Γ(r+x) − ln Γ(r) + r ln α,
 *   A₂ = ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x),
 *   A₃ = −(r+x) ln(α+T),
 *   A₄ = ln a − ln(b+x−1) − (r+x) ln(α+t_x).
 * With w = e^{A₄}/(e^{A₃} + e^{A₄}) (the weight of "dropped out after the last purchase"), the
 * last term's derivatives are w·∂(A₄ − A₃): ∂r = ln(α+T) − ln(α+t_x), ∂α = (r+x)(1/(α+T) − 1/(α+t_x)),
 * ∂a = 1/a, ∂b = −1/(b+x−1).
 */
function logLikelihoodAndGradient({ r, alpha, a, b }: BgNbdParams, prepared: PreparedRows): { value: number; gradient: [number, number, number, number] } {
  const { distinctFrequencies, frequencyWeight, distinctAges, ageWeight, ageWeightedFrequency, distinctRecencies, repeat } = prepared;
  let value = 0;
  let [dr, dAlpha, da, db] = [0, 0, 0, 0];

  // A₁ + A₂, per distinct x.
  const [lgammaR, lgammaAB, lgammaB] = [lgamma(r), lgamma(a + b), lgamma(b)];
  const [digammaR, digammaAB, digammaB] = [digamma(r), digamma(a + b), digamma(b)];
  const logAlpha = Math.log(alpha);
  const logDropout = new Float64Array(distinctFrequencies.length);
  for (let f = 0; f < distinctFrequencies.length; f++) {
    const x = distinctFrequencies[f]!;
    const w = frequencyWeight[f]!;
    if (x === 0) {
      value += w * r * logAlpha;
      dr += w * logAlpha;
    } else {
      const digammaABX = digamma(a + b + x);
      value += w * (lgamma(r + x) - lgammaR + r * logAlpha + lgammaAB + lgamma(b + x) - lgammaB - lgamma(a + b + x));
      dr += w * (digamma(r + x) - digammaR + logAlpha);
      da += w * (digammaAB - digammaABX);
      db += w * (digammaAB + digamma(b + x) - digammaB - digammaABX);
      logDropout[f] = Math.log(a) - Math.log(b + x - 1);
    }
    dAlpha += (w * r) / alpha;
  }

  // A₃, per distinct T.
  const logAlphaPlusAge = new Float64Array(distinctAges.length);
  const inverseAlphaPlusAge = new Float64Array(distinctAges.length);
  for (let i = 0; i < distinctAges.length; i++) {
    logAlphaPlusAge[i] = Math.log(alpha + distinctAges[i]!);
    inverseAlphaPlusAge[i] = 1 / (alpha + distinctAges[i]!);
    const rPlusXWeight = r * ageWeight[i]! + ageWeightedFrequency[i]!;
    value -= rPlusXWeight * logAlphaPlusAge[i]!;
    dr -= ageWeight[i]! * logAlphaPlusAge[i]!;
    dAlpha -= rPlusXWeight * inverseAlphaPlusAge[i]!;
  }

  // ln(1 + e^{A₄ − A₃}), per repeat customer row.
  const logAlphaPlusRecency = new Float64Array(distinctRecencies.length);
  const inverseAlphaPlusRecency = new Float64Array(distinctRecencies.length);
  for (let i = 0; i < distinctRecencies.length; i++) {
    logAlphaPlusRecency[i] = Math.log(alpha + distinctRecencies[i]!);
    inverseAlphaPlusRecency[i] = 1 / (alpha + distinctRecencies[i]!);
  }
  const dropoutWeight = new Float64Array(distinctFrequencies.length);
  const { frequency, weight, frequencyIndex, recencyIndex, ageIndex } = repeat;
  const rowsSum = new CompensatedSum();
  for (let i = 0; i < frequency.length; i++) {
    const [f, tx, T] = [frequencyIndex[i]!, recencyIndex[i]!, ageIndex[i]!];
    const rPlusX = r + frequency[i]!;
    const logAgeOverRecency = logAlphaPlusAge[T]! - logAlphaPlusRecency[tx]!;
    const d = logDropout[f]! + rPlusX * logAgeOverRecency;
    // softplus(d) = ln(1 + e^d) and w = sigmoid(d), without overflow.
    const e = Math.exp(-Math.abs(d));
    const softplus = Math.max(d, 0) + Math.log1p(e);
    const dropped = (d >= 0 ? 1 : e) / (1 + e);
    const ww = weight[i]! * dropped;
    rowsSum.add(weight[i]! * softplus);
    dr += ww * logAgeOverRecency;
    dAlpha += ww * rPlusX * (inverseAlphaPlusAge[T]! - inverseAlphaPlusRecency[tx]!);
    dropoutWeight[f]! += ww;
  }
  for (let f = 0; f < distinctFrequencies.length; f++) {
    const x = distinctFrequencies[f]!;
    if (x === 0) continue;
    da += dropoutWeight[f]! / a;
    db -= dropoutWeight[f]! / (b + x - 1);
  }
  return { value: value + rowsSum.value, gradient: [dr, dAlpha, da, db] };
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
