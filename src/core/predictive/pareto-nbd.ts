/**
 * Pareto/NBD model of repeat purchasing: Schmittlein, Morrison & Colombo (1987), "Counting your
 * customers: who are they and what will they do next?", Management Science 33(1):1–24; the
 * likelihood and expressions as derived in Fader & Hardie (2005), "A note on deriving the
 * Pareto/NBD model and related expressions".
 *
 * While alive a customer buys as a Poisson process with rate λ ~ Gamma(shape r, rate α); their
 * lifetime is exponential with rate μ ~ Gamma(shape s, rate β), so they may drop out at any time.
 * A customer is x repeat purchases, the last at t_x (0 if none), T time units after the first.
 */
import type { BgNbdRow } from './bg-nbd.js';
import { CompensatedSum } from './compensated-sum.js';
import { assertHistory, assertHorizon, assertPositiveParams, distinctHistories, type DistinctHistories } from './distinct-histories.js';
import { maximizeLikelihood, type MaximumLikelihoodFit, type MaximumLikelihoodOptions } from './maximum-likelihood.js';
import { digamma, lgamma } from './special-functions.js';

export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

export type ParetoNbdFit = MaximumLikelihoodFit<ParetoNbdParams>;

export interface ParetoNbdFitOptions extends MaximumLikelihoodOptions {
  /** Where the search starts (default r = s = 1, α = β = r / observed purchase rate). */
  start?: ParetoNbdParams;
}

const MODEL = 'Pareto/NBD';
const PARAMETER_NAMES = ['r', 'alpha', 's', 'beta'] as const;
type Gradient = [number, number, number, number];

export function paretoNbdLogLikelihood(params: ParetoNbdParams, rows: readonly BgNbdRow[]): number {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  return logLikelihoodAndGradient(params, prepare(rows)).value;
}

/** ∂/∂(r, α, s, β) of paretoNbdLogLikelihood (analytic). */
export function paretoNbdLogLikelihoodGradient(params: ParetoNbdParams, rows: readonly BgNbdRow[]): ParetoNbdParams {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  const [r, alpha, s, beta] = logLikelihoodAndGradient(params, prepare(rows)).gradient;
  return { r, alpha, s, beta };
}

/** Maximum likelihood with BFGS on the log-parameters (maximum-likelihood.ts), analytic gradient. */
export function fitParetoNbd(rows: readonly BgNbdRow[], options: ParetoNbdFitOptions = {}): ParetoNbdFit {
  const prepared = prepare(rows);
  if (prepared.histories.totalWeight === 0) throw new RangeError('fitParetoNbd: no customers to fit');
  const start = options.start ?? defaultStart(prepared.histories);
  assertPositiveParams(MODEL, { ...start }, PARAMETER_NAMES);
  return maximizeLikelihood(PARAMETER_NAMES, (params) => logLikelihoodAndGradient(params, prepared), start, prepared.histories.totalWeight, {
    ...options,
    nelderMeadIterations: 3_000,
  });
}

/**
 * r = 1 and α matching the observed purchase rate (E[λ] = r/α = Σx / ΣT, dropout ignored), as
 * for BG/NBD; s = 1 and β = α. With β = α the 2F1 argument is 0 at the start whatever the data:
 * a start from β = mean T would put it near 1 (a slow, or out-of-reach, series) when purchases
 * are rare compared with the customers' ages.
 */
function defaultStart(histories: DistinctHistories): ParetoNbdParams {
  const meanT = histories.meanT > 0 ? histories.meanT : 1;
  const alpha = histories.purchaseRate > 0 ? 1 / histories.purchaseRate : meanT;
  return { r: 1, alpha, s: 1, beta: alpha };
}

/** P(alive | x, t_x, T) (probabilityAliveFromTails below). */
export function paretoNbdProbabilityAlive(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  assertHistory(MODEL, x, tx, T);
  return probabilityAliveFromTails(params, x, T, tailAt(params, x, x > 0 ? tx : 0), tailAt(params, x, T));
}

/**
 * paretoNbdProbabilityAlive of every history, with the same bits, each A₀ term computed once
 * per distinct (x, time): far fewer series than rows. null where the numbers break down.
 */
export function paretoNbdProbabilitiesAlive(params: ParetoNbdParams, histories: readonly BgNbdRow[]): (number | null)[] {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  const tails = new Map<number, Map<number, number>>();
  const tail = (x: number, y: number): number => {
    let byTime = tails.get(x);
    if (!byTime) tails.set(x, (byTime = new Map()));
    let value = byTime.get(y);
    if (value === undefined) byTime.set(y, (value = tailAt(params, x, y)));
    return value;
  };
  return histories.map(({ frequency: x, recency: tx, T }) => {
    try {
      assertHistory(MODEL, x, tx, T);
      const alive = probabilityAliveFromTails(params, x, T, tail(x, x > 0 ? tx : 0), tail(x, T));
      return Number.isFinite(alive) ? alive : null;
    } catch {
      return null;
    }
  });
}

/** ln F(y) (logTail) without its gradient. */
function tailAt(params: ParetoNbdParams, x: number, y: number): number {
  return logTail(params, x, y, Math.log(params.alpha + y), Math.log(params.beta + y), new Float64Array(4), 0);
}

/**
 * P(alive) = 1 / (1 + s/(r+s+x) · (α+T)^{r+x} (β+T)^s · A₀) (Fader & Hardie 2005), computed in
 * logarithms (for large x or T the factors overflow) from ln F(t_x) and ln F(T), A₀ = F(t_x) − F(T).
 */
function probabilityAliveFromTails({ r, alpha, s, beta }: ParetoNbdParams, x: number, T: number, atRecency: number, atAge: number): number {
  const logSurvived = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  if (Number.isNaN(atRecency) || Number.isNaN(atAge)) {
    throw new RangeError(`Pareto/NBD: A₀ is out of reach at α = ${alpha}, β = ${beta} (their ratio is too extreme for the series)`);
  }
  // ln[s/(r+s+x) · A₀] − ln(survived term): the log-odds of having dropped out.
  const logOdds = Math.log(s) - Math.log(r + s + x) + atRecency + Math.log(-Math.expm1(atAge - atRecency)) - logSurvived;
  if (logOdds === Number.NEGATIVE_INFINITY) return 1;
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * E[Y(t) | x, t_x, T] (Fader & Hardie 2005):
 *   (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^{s−1}] · P(alive).
 */
export function paretoNbdExpectedPurchases(params: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
  return paretoNbdExpectedPurchasesIfAlive(params, t, x, T) * paretoNbdProbabilityAlive(params, x, tx, T);
}

/** The conditional expectation without its P(alive) factor; depends on x and T only. */
export function paretoNbdExpectedPurchasesIfAlive(params: ParetoNbdParams, t: number, x: number, T: number): number {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  assertHistory(MODEL, x, 0, T);
  assertHorizon(MODEL, t);
  const { r, alpha, s, beta } = params;
  return ((r + x) / (alpha + T)) * (beta + T) * lifetimeFactor(s, t / (beta + T));
}

/** E[X(t)] of a new customer: rβ/(α(s−1)) · [1 − (β/(β+t))^{s−1}] (Fader & Hardie 2005). */
export function paretoNbdExpectedPurchasesNewCustomer(params: ParetoNbdParams, t: number): number {
  assertPositiveParams(MODEL, { ...params }, PARAMETER_NAMES);
  assertHorizon(MODEL, t);
  const { r, alpha, s, beta } = params;
  return ((r * beta) / alpha) * lifetimeFactor(s, t / beta);
}

/**
 * [1 − (1+u)^{−(s−1)}] / (s−1) = −expm1(−(s−1) ln(1+u)) / (s−1): the expected time alive in the
 * next t per unit of β+T (u = t/(β+T)). Written with expm1/log1p it stays accurate as s → 1,
 * where it tends to ln(1+u) (the s = 1 case, taken exactly).
 */
function lifetimeFactor(s: number, u: number): number {
  const logGrowth = Math.log1p(u);
  const e = s - 1;
  if (e === 0) return logGrowth;
  return -Math.expm1(-e * logGrowth) / e;
}

/**
 * The rows plus, for every distinct (x, y) with y a t_x or a T of a customer with that x, the
 * index of that pair: the likelihood's 2F1 term depends on x and one time only, so it is
 * computed once per pair and evaluation.
 */
interface Prepared {
  histories: DistinctHistories;
  /** Per pair: index of x in histories.frequencies and of y in histories.times. */
  pairFrequency: Uint32Array;
  pairTime: Uint32Array;
  /** Per row: the pairs (x, t_x) and (x, T). */
  recencyPair: Uint32Array;
  agePair: Uint32Array;
}

function prepare(rows: readonly BgNbdRow[]): Prepared {
  const histories = distinctHistories(rows, MODEL);
  const { frequencyIndex, recencyIndex, ageIndex } = histories.rows;
  const timeCount = histories.times.length;
  const pairs = new Map<number, number>();
  const pairFrequency: number[] = [];
  const pairTime: number[] = [];
  const pairOf = (f: number, time: number): number => {
    const key = f * timeCount + time;
    let index = pairs.get(key);
    if (index === undefined) {
      index = pairFrequency.length;
      pairs.set(key, index);
      pairFrequency.push(f);
      pairTime.push(time);
    }
    return index;
  };
  const recencyPair = new Uint32Array(frequencyIndex.length);
  const agePair = new Uint32Array(frequencyIndex.length);
  for (let i = 0; i < frequencyIndex.length; i++) {
    recencyPair[i] = pairOf(frequencyIndex[i]!, recencyIndex[i]!);
    agePair[i] = pairOf(frequencyIndex[i]!, ageIndex[i]!);
  }
  return { histories, pairFrequency: Uint32Array.from(pairFrequency), pairTime: Uint32Array.from(pairTime), recencyPair, agePair };
}

/**
 * Σ weight · ln L(r, α, s, β | x, t_x, T) and its gradient (Fader & Hardie 2005, with
 * their A₀ for α ≥ β and α < β):
 *   L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^{−(r+x)} (β+T)^{−s} + s/(r+s+x) · (F(t_x) − F(T)) ],
 * where F(y) is A₀'s term at y (A₀ = F(t_x) − F(T)); see logTail. The bracket is summed in
 * logarithms (log-sum-exp around its largest term), F(t_x) − F(T) as F(t_x)·(−expm1(ln F(T) − ln F(t_x))).
 */
function logLikelihoodAndGradient(params: ParetoNbdParams, prepared: Prepared): { value: number; gradient: Gradient } {
  const { r, alpha, s, beta } = params;
  const { histories, pairFrequency, pairTime, recencyPair, agePair } = prepared;
  const { frequencies, frequencyWeight, times, rows } = histories;
  const gradient: Gradient = [0, 0, 0, 0];
  let value = 0;

  // ln Γ(r+x) − ln Γ(r) + r ln α + s ln β, per distinct x.
  const [lgammaR, digammaR, logAlpha, logBeta] = [lgamma(r), digamma(r), Math.log(alpha), Math.log(beta)];
  for (let f = 0; f < frequencies.length; f++) {
    const x = frequencies[f]!;
    const w = frequencyWeight[f]!;
    value += w * (lgamma(r + x) - lgammaR + r * logAlpha + s * logBeta);
    gradient[0] += w * (digamma(r + x) - digammaR + logAlpha);
    gradient[1] += (w * r) / alpha;
    gradient[2] += w * logBeta;
    gradient[3] += (w * s) / beta;
  }

  const logAlphaPlus = new Float64Array(times.length);
  const logBetaPlus = new Float64Array(times.length);
  const inverseAlphaPlus = new Float64Array(times.length);
  const inverseBetaPlus = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) {
    logAlphaPlus[i] = Math.log(alpha + times[i]!);
    logBetaPlus[i] = Math.log(beta + times[i]!);
    inverseAlphaPlus[i] = 1 / (alpha + times[i]!);
    inverseBetaPlus[i] = 1 / (beta + times[i]!);
  }
  // ln[s/(r+s+x)] and its ∂r, ∂s, per distinct x.
  const logShare = new Float64Array(frequencies.length);
  const shareR = new Float64Array(frequencies.length);
  const shareS = new Float64Array(frequencies.length);
  for (let f = 0; f < frequencies.length; f++) {
    const a = r + s + frequencies[f]!;
    logShare[f] = Math.log(s) - Math.log(a);
    shareR[f] = -1 / a;
    shareS[f] = 1 / s - 1 / a;
  }

  // ln F and its gradient, per pair.
  const pairLog = new Float64Array(pairFrequency.length);
  const pairGradient = new Float64Array(4 * pairFrequency.length);
  seriesTermsLeft = EVALUATION_SERIES_TERMS;
  try {
    for (let p = 0; p < pairFrequency.length; p++) {
      const y = pairTime[p]!;
      pairLog[p] = logTail(params, frequencies[pairFrequency[p]!]!, times[y]!, logAlphaPlus[y]!, logBetaPlus[y]!, pairGradient, 4 * p);
      if (Number.isNaN(pairLog[p])) return { value: Number.NaN, gradient: [Number.NaN, Number.NaN, Number.NaN, Number.NaN] };
    }
  } finally {
    seriesTermsLeft = Number.POSITIVE_INFINITY;
  }

  const rowsSum = new CompensatedSum();
  let [dr, dAlpha, ds, dBeta] = [0, 0, 0, 0];
  const { frequency, weight, frequencyIndex, ageIndex } = rows;
  for (let i = 0; i < frequency.length; i++) {
    const x = frequency[i]!;
    const w = weight[i]!;
    const [f, T] = [frequencyIndex[i]!, ageIndex[i]!];
    const [atRecency, atAge] = [recencyPair[i]!, agePair[i]!];
    // Still alive at T: (α+T)^{−(r+x)} (β+T)^{−s}.
    const logSurvived = -(r + x) * logAlphaPlus[T]! - s * logBetaPlus[T]!;
    // Dropped out in (t_x, T]: s/(r+s+x) · F(t_x) · (1 − F(T)/F(t_x)); each term relative to the larger.
    const logDropped = logShare[f]! + pairLog[atRecency]!;
    const gap = logSurvived - logDropped;
    const survived = gap >= 0 ? 1 : Math.exp(gap);
    const dropped = gap >= 0 ? Math.exp(-gap) : 1;
    const ratioMinusOne = Math.expm1(pairLog[atAge]! - pairLog[atRecency]!);
    const ratio = 1 + ratioMinusOne;
    const droppedGone = -dropped * ratioMinusOne;
    const bracket = survived + droppedGone;
    rowsSum.add(w * (Math.max(logSurvived, logDropped) + Math.log(bracket)));

    // ∂ ln(bracket) = [survived ∂logSurvived + dropped (∂logShare + ∂lnF(t_x)) − dropped·ratio (∂logShare + ∂lnF(T))] / bracket.
    const scale = w / bracket;
    const [atRecencyEnd, atAgeEnd] = [4 * atRecency, 4 * atAge];
    dr +=
      scale * (survived * -logAlphaPlus[T]! + droppedGone * shareR[f]! + dropped * (pairGradient[atRecencyEnd]! - ratio * pairGradient[atAgeEnd]!));
    dAlpha +=
      scale * (survived * -(r + x) * inverseAlphaPlus[T]! + dropped * (pairGradient[atRecencyEnd + 1]! - ratio * pairGradient[atAgeEnd + 1]!));
    ds +=
      scale * (survived * -logBetaPlus[T]! + droppedGone * shareS[f]! + dropped * (pairGradient[atRecencyEnd + 2]! - ratio * pairGradient[atAgeEnd + 2]!));
    dBeta +=
      scale * (survived * -s * inverseBetaPlus[T]! + dropped * (pairGradient[atRecencyEnd + 3]! - ratio * pairGradient[atAgeEnd + 3]!));
  }
  gradient[0] += dr;
  gradient[1] += dAlpha;
  gradient[2] += ds;
  gradient[3] += dBeta;
  return { value: value + rowsSum.value, gradient };
}

/**
 * ln F(y) and its gradient in (r, α, s, β), where F(y) = (r+s+x) ∫_y^∞ (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ
 * is the term of Fader & Hardie's A₀ at y (A₀ = F(t_x) − F(T)):
 *   α ≥ β: F(y) = 2F1(r+s+x, s+1; r+s+x+1; z) / (α+y)^{r+s+x},  z = (α−β)/(α+y);
 *   α < β: F(y) = 2F1(r+s+x, r+x; r+s+x+1; z) / (β+y)^{r+s+x},  z = (β−α)/(β+y).
 * As printed, the 2F1 grows like (1−z)^{−(r+x)} (overflowing for large x) while the power
 * underflows. Euler's transformation 2F1(a,b;a+1;z) = (1−z)^{1−b} 2F1(1, a+1−b; a+1; z), with
 * 1 − z = (β+y)/(α+y) (resp. (α+y)/(β+y)) taken as a ratio, gives
 *   α ≥ β: ln F = ln H(r+x, r+s+x+1; z) − (r+x) ln(α+y) − s ln(β+y),
 *   α < β: ln F = ln H(s+1, r+s+x+1; z) + (1−r−x) ln(α+y) − (s+1) ln(β+y),
 * with H(B, C; z) = 2F1(1, B; C; z) a series of positive terms below zⁿ (B < C).
 */
function logTail(
  { r, alpha, s, beta }: ParetoNbdParams,
  x: number,
  y: number,
  logAlphaPlusY: number,
  logBetaPlusY: number,
  gradient: Float64Array,
  at: number,
): number {
  const C = r + s + x + 1;
  const d = SERIES_DERIVATIVES;
  if (alpha >= beta) {
    const z = (alpha - beta) / (alpha + y);
    const h = hyp2f1OneB(r + x, C, z);
    // ∂z/∂α = (β+y)/(α+y)², ∂z/∂β = −1/(α+y).
    const dz = d[2]! / h;
    gradient[at] = (d[0]! + d[1]!) / h - logAlphaPlusY;
    gradient[at + 1] = (dz * (beta + y)) / (alpha + y) ** 2 - (r + x) / (alpha + y);
    gradient[at + 2] = d[1]! / h - logBetaPlusY;
    gradient[at + 3] = -dz / (alpha + y) - s / (beta + y);
    return Math.log(h) - (r + x) * logAlphaPlusY - s * logBetaPlusY;
  }
  const z = (beta - alpha) / (beta + y);
  const h = hyp2f1OneB(s + 1, C, z);
  // ∂z/∂α = −1/(β+y), ∂z/∂β = (α+y)/(β+y)².
  const dz = d[2]! / h;
  gradient[at] = d[1]! / h - logAlphaPlusY;
  gradient[at + 1] = -dz / (beta + y) + (1 - r - x) / (alpha + y);
  gradient[at + 2] = (d[0]! + d[1]!) / h - logBetaPlusY;
  gradient[at + 3] = (dz * (alpha + y)) / (beta + y) ** 2 - (s + 1) / (beta + y);
  return Math.log(h) + (1 - r - x) * logAlphaPlusY - (s + 1) * logBetaPlusY;
}

const SERIES_TOLERANCE = 1e-17;
/**
 * Enough for z up to about 1 − 2e-4, i.e. α/β (or β/α) up to ~5,000 at y = 0. Beyond, the
 * likelihood is NaN: the optimiser's line search treats that as outside the domain and steps
 * back, and the prediction functions throw.
 */
const MAX_SERIES_TERMS = 200_000;
/**
 * Series terms one likelihood evaluation may sum over all its pairs. Near the ridge where α/β
 * runs off (data without dropout drive the fit there) every pair's series needs tens of
 * thousands of terms and a fit would take minutes; past this budget the evaluation is NaN, so
 * the line search steps back and the fit ends there (not converged) in about a second.
 */
const EVALUATION_SERIES_TERMS = 4_000_000;
/** What is left of that budget in the evaluation under way (unbounded outside one). */
let seriesTermsLeft = Number.POSITIVE_INFINITY;
/** ∂H/∂B, ∂H/∂C, ∂H/∂z of the last hyp2f1OneB call (an out-parameter: no allocation per pair). */
const SERIES_DERIVATIVES = new Float64Array(3);

/**
 * H = 2F1(1, B; C; z) = Σₙ (B)ₙ/(C)ₙ zⁿ for 0 < B < C and 0 ≤ z < 1, with ∂H/∂B, ∂H/∂C and
 * ∂H/∂z (into SERIES_DERIVATIVES) summed term by term: ∂ ln termₙ/∂B = Σ_{k<n} 1/(B+k),
 * ∂/∂C = −Σ_{k<n} 1/(C+k). Every term is positive and below zⁿ, so the tail after term n is
 * below term·z/(1−z); the series stops once that, widened for the derivatives' tails, is
 * below SERIES_TOLERANCE of the sum. Slow only when z is within ~1e-3 of 1 (α and β of very
 * different size and y small); NaN when it has not converged within MAX_SERIES_TERMS.
 */
function hyp2f1OneB(B: number, C: number, z: number): number {
  let term = 1;
  let [value, dB, dC, dz] = [1, 0, 0, 0];
  let [sumB, sumC] = [0, 0];
  const tailFactor = 1 / (1 - z) ** 2;
  const maxTerms = Math.min(MAX_SERIES_TERMS, seriesTermsLeft);
  for (let n = 0; n < maxTerms; n++) {
    const inverseB = 1 / (B + n);
    const inverseC = 1 / (C + n);
    const ratio = (B + n) * inverseC;
    dz += (n + 1) * term * ratio;
    term *= ratio * z;
    sumB += inverseB;
    sumC += inverseC;
    value += term;
    dB += term * sumB;
    dC -= term * sumC;
    if (term * (n + 2) * tailFactor * (1 + sumB + sumC) <= SERIES_TOLERANCE * value) {
      seriesTermsLeft -= n + 1;
      SERIES_DERIVATIVES[0] = dB;
      SERIES_DERIVATIVES[1] = dC;
      SERIES_DERIVATIVES[2] = dz;
      return value;
    }
  }
  seriesTermsLeft = 0;
  SERIES_DERIVATIVES.fill(Number.NaN);
  return Number.NaN;
}

/** A model's parameters by name, as purchase-models.ts's PurchaseParams. */
type NamedParams = Record<string, number>;

const asParetoNbd = (params: NamedParams): ParetoNbdParams => ({ r: params.r!, alpha: params.alpha!, s: params.s!, beta: params.beta! });

/**
 * Pareto/NBD as a PurchaseModel (purchase-models.ts). Typed structurally rather than with that
 * interface: importing it here would make an import cycle with purchase-models.ts, which lists
 * this model; PURCHASE_MODELS checks that it conforms.
 */
export const PARETO_NBD = {
  name: 'pareto_nbd' as const,
  label: 'Pareto/NBD',
  parameterNames: PARAMETER_NAMES,
  fit: (rows: readonly BgNbdRow[], options?: MaximumLikelihoodOptions) => fitParetoNbd(rows, options) as unknown as MaximumLikelihoodFit<NamedParams>,
  probabilityAlive: (params: NamedParams, x: number, tx: number, T: number) => paretoNbdProbabilityAlive(asParetoNbd(params), x, tx, T),
  probabilitiesAlive: (params: NamedParams, histories: readonly BgNbdRow[]) => paretoNbdProbabilitiesAlive(asParetoNbd(params), histories),
  expectedPurchasesIfAlive: (params: NamedParams, t: number, x: number, T: number) =>
    paretoNbdExpectedPurchasesIfAlive(asParetoNbd(params), t, x, T),
};
