/**
 * MBG/NBD model of repeat purchasing: Batislam, Denizel & Filiztekin (2007), "Empirical
 * validation and comparison of models for customer base analysis", International Journal of
 * Research in Marketing 24(3):201–209, with Wagner & Hoppe's (2008) erratum; `lifetimes`'
 * ModifiedBetaGeoFitter.
 *
 * As BG/NBD (bg-nbd.ts): purchases at rate λ ~ Gamma(shape r, rate α) while alive, and a
 * dropout chance p ~ Beta(a, b) — but taken at the first purchase too, not only after each
 * repeat one. So a customer with no repeat purchase may already be gone (P(alive) < 1 at x = 0).
 */
import { CompensatedSum } from './compensated-sum.js';
import { bgNbdExpectedPurchasesIfAlive, type BgNbdRow } from './bg-nbd.js';
import { assertHistory, assertHorizon, assertPositiveParams, distinctHistories, type DistinctHistories } from './distinct-histories.js';
import { maximizeLikelihood, type MaximumLikelihoodFit, type MaximumLikelihoodOptions } from './maximum-likelihood.js';
import { digamma, lgamma } from './special-functions.js';

export interface MbgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export type MbgNbdFit = MaximumLikelihoodFit<MbgNbdParams>;

export interface MbgNbdFitOptions extends MaximumLikelihoodOptions {
  /** Where the search starts (default r = 1, α = r / observed purchase rate, a = b = 1). */
  start?: MbgNbdParams;
}

const MODEL = 'MBG/NBD';
const PARAMETER_NAMES = ['r', 'alpha', 'a', 'b'] as const;

export function mbgNbdLogLikelihood(params: MbgNbdParams, rows: readonly BgNbdRow[]): number {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  return logLikelihoodAndGradient(params, distinctHistories(rows, MODEL)).value;
}

/** ∂/∂(r, α, a, b) of mbgNbdLogLikelihood. */
export function mbgNbdLogLikelihoodGradient(params: MbgNbdParams, rows: readonly BgNbdRow[]): MbgNbdParams {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  const [r, alpha, a, b] = logLikelihoodAndGradient(params, distinctHistories(rows, MODEL)).gradient;
  return { r, alpha, a, b };
}

/** Maximum likelihood with BFGS on the log-parameters (maximum-likelihood.ts), analytic gradient. */
export function fitMbgNbd(rows: readonly BgNbdRow[], options: MbgNbdFitOptions = {}): MbgNbdFit {
  const prepared = distinctHistories(rows, MODEL);
  if (prepared.totalWeight === 0) throw new RangeError('fitMbgNbd: no customers to fit');
  // As BG/NBD's start: r = a = b = 1 and E[λ] = r/α the observed purchase rate Σx / ΣT.
  const alpha = prepared.purchaseRate > 0 ? 1 / prepared.purchaseRate : prepared.meanT > 0 ? prepared.meanT : 1;
  const start = options.start ?? { r: 1, alpha, a: 1, b: 1 };
  assertPositiveParams(MODEL, { ...start }, PARAMETER_NAMES);
  return maximizeLikelihood(PARAMETER_NAMES, (params) => logLikelihoodAndGradient(params, prepared), start, prepared.totalWeight, {
    ...options,
    nelderMeadIterations: 3_000,
  });
}

/**
 * P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^{r+x}) (Batislam et al. 2007,
 * appendix A, eq. 5), for every x including 0.
 */
export function mbgNbdProbabilityAlive(params: MbgNbdParams, x: number, tx: number, T: number): number {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  assertHistory(MODEL, x, tx, T);
  return 1 / (1 + Math.exp(logDropoutOdds(params, x, x > 0 ? tx : 0, T)));
}

/**
 * E[Y(t) | x, t_x, T] (Wagner & Hoppe 2008):
 *   (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive).
 */
export function mbgNbdExpectedPurchases(params: MbgNbdParams, t: number, x: number, tx: number, T: number): number {
  return mbgNbdExpectedPurchasesIfAlive(params, t, x, T) * mbgNbdProbabilityAlive(params, x, tx, T);
}

/** The conditional expectation without its P(alive) factor; depends on x and T only. */
export function mbgNbdExpectedPurchasesIfAlive(params: MbgNbdParams, t: number, x: number, T: number): number {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  assertHistory(MODEL, x, 0, T);
  assertHorizon(MODEL, t);
  return expectedPurchasesIfAlive(params, t, x, T);
}

/**
 * E[X(t)] of a new customer: b/(a−1) · [1 − (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))] — the
 * conditional expectation at x = 0, T = 0, whose P(alive) is b/(a+b).
 */
export function mbgNbdExpectedPurchasesNewCustomer(params: MbgNbdParams, t: number): number {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  assertHorizon(MODEL, t);
  return (expectedPurchasesIfAlive(params, t, 0, 0) * params.b) / (params.a + params.b);
}

/**
 * (a+b+x)/(a−1) · [1 − q^{r+x} 2F1(r+x, b+x+1; a+b+x; z)], q = (α+T)/(α+T+t), z = 1 − q: BG/NBD's
 * eq. (10) factor with b + 1 in place of b, so BG/NBD's computation (Euler-transformed, and
 * interpolated across a = 1) serves both.
 */
function expectedPurchasesIfAlive(params: MbgNbdParams, t: number, x: number, T: number): number {
  return bgNbdExpectedPurchasesIfAlive({ ...params, b: params.b + 1 }, t, x, T);
}

/** ln[ a/(b+x) · ((α+T)/(α+t_x))^{r+x} ]: P(alive) = 1 / (1 + e^this). */
function logDropoutOdds({ r, alpha, a, b }: MbgNbdParams, x: number, tx: number, T: number): number {
  return Math.log(a) - Math.log(b + x) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
}

/**
 * Σ weight · ln L(r, α, a, b | x, t_x, T) in lifetimes' stable form, and its gradient:
 *   ln L = A₁ + A₂ + A₃ + ln(1 + e^{A₄}), with
 *   A₁ = ln Γ(r+x) − ln Γ(r) + r ln α,
 *   A₂ = ln Γ(a+b) + ln Γ(b+x+1) − ln Γ(b) − ln Γ(a+b+x+1),
 *   A₃ = −(r+x) ln(α+T),
 *   A₄ = ln a − ln(b+x) + (r+x)(ln(α+T) − ln(α+t_x)).
 * Unlike BG/NBD the last term is there for x = 0 too (dropping out at the first purchase).
 * With w = sigmoid(A₄) = 1 − P(alive): ∂ of the last term is w·∂A₄, ∂A₄/∂r = ln(α+T) − ln(α+t_x),
 * ∂α = (r+x)(1/(α+T) − 1/(α+t_x)), ∂a = 1/a, ∂b = −1/(b+x).
 */
function logLikelihoodAndGradient({ r, alpha, a, b }: MbgNbdParams, prepared: DistinctHistories): { value: number; gradient: [number, number, number, number] } {
  const { frequencies, frequencyWeight, times, rows } = prepared;
  let value = 0;
  let [dr, dAlpha, da, db] = [0, 0, 0, 0];

  // A₁ + A₂ and the part of A₄ depending on x alone, per distinct x.
  const [lgammaR, lgammaAB, lgammaB] = [lgamma(r), lgamma(a + b), lgamma(b)];
  const [digammaR, digammaAB, digammaB] = [digamma(r), digamma(a + b), digamma(b)];
  const [logAlpha, logA] = [Math.log(alpha), Math.log(a)];
  const logDropout = new Float64Array(frequencies.length);
  for (let f = 0; f < frequencies.length; f++) {
    const x = frequencies[f]!;
    const w = frequencyWeight[f]!;
    const digammaABX1 = digamma(a + b + x + 1);
    value += w * (lgamma(r + x) - lgammaR + r * logAlpha + lgammaAB + lgamma(b + x + 1) - lgammaB - lgamma(a + b + x + 1));
    dr += w * (digamma(r + x) - digammaR + logAlpha);
    dAlpha += (w * r) / alpha;
    da += w * (digammaAB - digammaABX1);
    db += w * (digammaAB + digamma(b + x + 1) - digammaB - digammaABX1);
    logDropout[f] = logA - Math.log(b + x);
  }

  const logAlphaPlus = new Float64Array(times.length);
  const inverseAlphaPlus = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) {
    logAlphaPlus[i] = Math.log(alpha + times[i]!);
    inverseAlphaPlus[i] = 1 / (alpha + times[i]!);
  }

  // A₃ + ln(1 + e^{A₄}), per row.
  const dropoutWeight = new Float64Array(frequencies.length);
  const { frequency, weight, frequencyIndex, recencyIndex, ageIndex } = rows;
  const rowsSum = new CompensatedSum();
  for (let i = 0; i < frequency.length; i++) {
    const [f, tx, T, w] = [frequencyIndex[i]!, recencyIndex[i]!, ageIndex[i]!, weight[i]!];
    const rPlusX = r + frequency[i]!;
    const logAgeOverRecency = logAlphaPlus[T]! - logAlphaPlus[tx]!;
    const d = logDropout[f]! + rPlusX * logAgeOverRecency;
    // softplus(d) = ln(1 + e^d) and sigmoid(d), without overflow.
    const e = Math.exp(-Math.abs(d));
    const softplus = Math.max(d, 0) + Math.log1p(e);
    const dropped = (d >= 0 ? 1 : e) / (1 + e);
    rowsSum.add(w * (softplus - rPlusX * logAlphaPlus[T]!));
    const ww = w * dropped;
    dr += ww * logAgeOverRecency - w * logAlphaPlus[T]!;
    dAlpha += ww * rPlusX * (inverseAlphaPlus[T]! - inverseAlphaPlus[tx]!) - w * rPlusX * inverseAlphaPlus[T]!;
    dropoutWeight[f]! += ww;
  }
  for (let f = 0; f < frequencies.length; f++) {
    da += dropoutWeight[f]! / a;
    db -= dropoutWeight[f]! / (b + frequencies[f]!);
  }
  return { value: value + rowsSum.value, gradient: [dr, dAlpha, da, db] };
}

/** A model's parameters by name, as purchase-models.ts's PurchaseParams. */
type NamedParams = Record<string, number>;

const asMbgNbd = (params: NamedParams): MbgNbdParams => ({ r: params.r!, alpha: params.alpha!, a: params.a!, b: params.b! });

/**
 * MBG/NBD as a PurchaseModel (purchase-models.ts). Typed structurally rather than with that
 * interface: importing it here would make an import cycle with purchase-models.ts, which lists
 * this model; PURCHASE_MODELS checks that it conforms.
 */
export const MBG_NBD = {
  name: 'mbg_nbd' as const,
  label: 'MBG/NBD',
  parameterNames: PARAMETER_NAMES,
  fit: (rows: readonly BgNbdRow[], options?: MaximumLikelihoodOptions) => fitMbgNbd(rows, options) as unknown as MaximumLikelihoodFit<NamedParams>,
  probabilityAlive: (params: NamedParams, x: number, tx: number, T: number) => mbgNbdProbabilityAlive(asMbgNbd(params), x, tx, T),
  expectedPurchasesIfAlive: (params: NamedParams, t: number, x: number, T: number) => mbgNbdExpectedPurchasesIfAlive(asMbgNbd(params), t, x, T),
};
