/**
 * Gamma-Gamma model of spend per transaction: Fader & Hardie (2013), "The Gamma-Gamma model of
 * monetary value" (note). Each transaction's value is z ~ Gamma(shape p, rate ν), with
 * ν ~ Gamma(shape q, rate γ) across customers; a customer is summarised by x, the number of
 * repeat transactions, and m̄, their mean value. Only customers with x > 0 carry information.
 */
import { CompensatedSum } from './compensated-sum.js';
import { maximizeLikelihood, type MaximumLikelihoodFit, type MaximumLikelihoodOptions } from './maximum-likelihood.js';
import { digamma, lgamma } from './special-functions.js';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** `weight` customers share this (x = frequency, m̄ = monetaryValue). */
export interface GammaGammaRow {
  frequency: number;
  monetaryValue: number;
  weight: number;
}

export type GammaGammaFit = MaximumLikelihoodFit<GammaGammaParams>;

export interface GammaGammaFitOptions extends MaximumLikelihoodOptions {
  /** Where the search starts (default p = 1, q = 2, γ = mean m̄: a population mean pγ/(q − 1) equal to the observed one). */
  start?: GammaGammaParams;
}

/**
 * Σ weight · ln f(m̄ | x; p, q, γ) over the rows with x > 0, where, since x·m̄ | ν ~ Gamma(px, ν),
 *   f(m̄ | x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q x^{px} m̄^{px−1} / (γ + x m̄)^{px+q}
 * (the form the `lifetimes` library maximises).
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, rows: readonly GammaGammaRow[]): number {
  assertPositiveParams(params);
  return logLikelihoodAndGradient(params, prepareRows(rows)).value;
}

/** ∂/∂(p, q, γ) of gammaGammaLogLikelihood. */
export function gammaGammaLogLikelihoodGradient(params: GammaGammaParams, rows: readonly GammaGammaRow[]): GammaGammaParams {
  assertPositiveParams(params);
  const [p, q, gamma] = logLikelihoodAndGradient(params, prepareRows(rows)).gradient;
  return { p, q, gamma };
}

const PARAMETER_NAMES = ['p', 'q', 'gamma'] as const;

/** Maximum likelihood on the parameters' logarithms; BFGS stops as fitBgNbd's does. */
export function fitGammaGamma(rows: readonly GammaGammaRow[], options: GammaGammaFitOptions = {}): GammaGammaFit {
  const prepared = prepareRows(rows);
  if (prepared.totalWeight === 0) throw new RangeError('fitGammaGamma: no customers with frequency > 0 to fit');
  const start = options.start ?? { p: 1, q: 2, gamma: prepared.meanMonetaryValue };
  assertPositiveParams(start);
  return maximizeLikelihood(PARAMETER_NAMES, (params) => logLikelihoodAndGradient(params, prepared), start, prepared.totalWeight, {
    ...options,
    nelderMeadIterations: 5_000,
  });
}

/**
 * E[M | x, m̄] = p(γ + x m̄) / (px + q − 1), the posterior mean of a customer's mean transaction
 * value (a weighted average of the population mean pγ/(q − 1) and the customer's m̄), as a SQL
 * expression over the given column expressions: the only implementation, used by clv_predictions.
 * Given x and m̄, ν ~ Gamma(px + q, rate γ + x m̄), and E[p/ν] is finite only when px + q > 1:
 * where px + q − 1 ≤ 0 the mean does not exist and the expression is NULL. That happens only
 * for a fitted q ≤ 1: for every customer with x = 0, and for x ≥ 1 while px ≤ 1 − q.
 */
export function gammaGammaExpectedSpendSql(params: { p: string; q: string; gamma: string }, frequency: string, monetaryValue: string): string {
  const { p, q, gamma } = params;
  const denominator = `(${p} * ${frequency} + ${q} - 1)`;
  return `case when ${denominator} > 0 then ${p} * (${gamma} + ${frequency} * ${monetaryValue}) / ${denominator} end`;
}

/** Whether the population mean spend pγ/(q − 1) exists: then every customer's conditional mean does too. */
export function gammaGammaPopulationMeanExists(params: GammaGammaParams): boolean {
  return params.q > 1;
}

/**
 * The rows with x > 0, reduced to what the likelihood needs: sums over customers of the terms
 * that do not depend on the parameters, and per distinct x the customers with it, so that
 * lgamma and digamma are computed once per distinct x. Only ln(γ + x m̄) needs a pass per row.
 */
interface PreparedRows {
  distinctFrequencies: Float64Array;
  frequencyWeight: Float64Array;
  /** Per row: x, x·m̄ and the weight. */
  frequency: Float64Array;
  totalMonetaryValue: Float64Array;
  weight: Float64Array;
  /** Σ weight · ln m̄ and Σ weight · x ln m̄. */
  weightedLogMonetaryValue: number;
  weightedFrequencyLogMonetaryValue: number;
  totalWeight: number;
  meanMonetaryValue: number;
}

function prepareRows(rows: readonly GammaGammaRow[]): PreparedRows {
  rows.forEach((row, i) => {
    assertCustomer(row.frequency, row.monetaryValue, `row ${i}: `);
    if (!(Number.isFinite(row.weight) && row.weight >= 0)) {
      throw new RangeError(`Gamma-Gamma row ${i}: weight must be a finite number ≥ 0, got ${row.weight}`);
    }
  });
  const used = rows.filter((row) => row.frequency > 0);
  const weightOfFrequency = new Map<number, number>();
  const prepared: PreparedRows = {
    distinctFrequencies: new Float64Array(0),
    frequencyWeight: new Float64Array(0),
    frequency: new Float64Array(used.length),
    totalMonetaryValue: new Float64Array(used.length),
    weight: new Float64Array(used.length),
    weightedLogMonetaryValue: 0,
    weightedFrequencyLogMonetaryValue: 0,
    totalWeight: 0,
    meanMonetaryValue: 0,
  };
  let weightedMonetaryValue = 0;
  const [weightedLog, weightedFrequencyLog] = [new CompensatedSum(), new CompensatedSum()];
  used.forEach((row, i) => {
    weightOfFrequency.set(row.frequency, (weightOfFrequency.get(row.frequency) ?? 0) + row.weight);
    const logMonetaryValue = Math.log(row.monetaryValue);
    prepared.frequency[i] = row.frequency;
    prepared.totalMonetaryValue[i] = row.frequency * row.monetaryValue;
    prepared.weight[i] = row.weight;
    weightedLog.add(row.weight * logMonetaryValue);
    weightedFrequencyLog.add(row.weight * row.frequency * logMonetaryValue);
    prepared.totalWeight += row.weight;
    weightedMonetaryValue += row.weight * row.monetaryValue;
  });
  prepared.weightedLogMonetaryValue = weightedLog.value;
  prepared.weightedFrequencyLogMonetaryValue = weightedFrequencyLog.value;
  prepared.distinctFrequencies = Float64Array.from(weightOfFrequency.keys());
  prepared.frequencyWeight = Float64Array.from(weightOfFrequency.values());
  prepared.meanMonetaryValue = prepared.totalWeight > 0 ? weightedMonetaryValue / prepared.totalWeight : 0;
  return prepared;
}

/**
 * Σ weight · [ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + px ln x + (px−1) ln m̄ − (px+q) ln(γ + x m̄)]
 * and its gradient: ∂p = x[ψ(px+q) − ψ(px) + ln x + ln m̄ − ln(γ + x m̄)],
 * ∂q = ψ(px+q) − ψ(q) + ln γ − ln(γ + x m̄), ∂γ = q/γ − (px+q)/(γ + x m̄).
 */
function logLikelihoodAndGradient({ p, q, gamma }: GammaGammaParams, prepared: PreparedRows): { value: number; gradient: [number, number, number] } {
  const W = prepared.totalWeight;
  const logGamma = Math.log(gamma);
  let value = W * (q * logGamma - lgamma(q)) + p * prepared.weightedFrequencyLogMonetaryValue - prepared.weightedLogMonetaryValue;
  let dp = prepared.weightedFrequencyLogMonetaryValue;
  let dq = W * (logGamma - digamma(q));
  let dGamma = (W * q) / gamma;
  prepared.distinctFrequencies.forEach((x, i) => {
    const w = prepared.frequencyWeight[i]!;
    const px = p * x;
    const digammaPxQ = digamma(px + q);
    value += w * (lgamma(px + q) - lgamma(px) + px * Math.log(x));
    dp += w * x * (digammaPxQ - digamma(px) + Math.log(x));
    dq += w * digammaPxQ;
  });
  // Σ w ln(γ + x m̄), Σ w x ln(γ + x m̄), Σ w / (γ + x m̄), Σ w x / (γ + x m̄).
  const [sumLog, sumFrequencyLog] = [new CompensatedSum(), new CompensatedSum()];
  let [sumInverse, sumFrequencyInverse] = [0, 0];
  const { frequency, totalMonetaryValue, weight } = prepared;
  for (let i = 0; i < weight.length; i++) {
    const w = weight[i]!;
    const wx = w * frequency[i]!;
    const log = Math.log(gamma + totalMonetaryValue[i]!);
    const inverse = 1 / (gamma + totalMonetaryValue[i]!);
    sumLog.add(w * log);
    sumFrequencyLog.add(wx * log);
    sumInverse += w * inverse;
    sumFrequencyInverse += wx * inverse;
  }
  value -= p * sumFrequencyLog.value + q * sumLog.value;
  dp -= sumFrequencyLog.value;
  dq -= sumLog.value;
  dGamma -= p * sumFrequencyInverse + q * sumInverse;
  return { value, gradient: [dp, dq, dGamma] };
}

function assertPositiveParams(params: GammaGammaParams): void {
  for (const name of ['p', 'q', 'gamma'] as const) {
    const value = params[name];
    if (!(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`Gamma-Gamma parameter ${name} must be a finite number > 0, got ${value}`);
    }
  }
}

function assertCustomer(frequency: number, monetaryValue: number, context = ''): void {
  if (!(Number.isInteger(frequency) && frequency >= 0)) {
    throw new RangeError(`Gamma-Gamma ${context}frequency must be an integer ≥ 0, got ${frequency}`);
  }
  if (frequency > 0 && !(Number.isFinite(monetaryValue) && monetaryValue > 0)) {
    throw new RangeError(
      `Gamma-Gamma ${context}monetaryValue (mean value of the repeat transactions) must be > 0 when frequency > 0, got ${monetaryValue}`,
    );
  }
}
