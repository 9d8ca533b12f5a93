/**
 * Gamma-Gamma model of spend per transaction: Fader & Hardie (2013), "The Gamma-Gamma model of
 * monetary value" (note). Each transaction's value is z ~ Gamma(shape p, rate ν), with
 * ν ~ Gamma(shape q, rate γ) across customers; a customer is summarised by x, the number of
 * repeat transactions, and m̄, their mean value. Only customers with x > 0 carry information.
 */
import { minimize } from './optimize.js';
import { lgamma } from './special-functions.js';

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

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
}

export interface GammaGammaFitOptions {
  /** Where the search starts (default p = q = 1, γ = mean m̄). */
  start?: GammaGammaParams;
  /** Nelder–Mead iteration budget (default 5,000). */
  maxIterations?: number;
}

/**
 * Σ weight · ln f(m̄ | x; p, q, γ) over the rows with x > 0, where, since x·m̄ | ν ~ Gamma(px, ν),
 *   f(m̄ | x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q x^{px} m̄^{px−1} / (γ + x m̄)^{px+q}
 * (the form the `lifetimes` library maximises).
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, rows: readonly GammaGammaRow[]): number {
  assertPositiveParams(params);
  return logLikelihoodOfPrepared(params, prepareRows(rows));
}

export function fitGammaGamma(rows: readonly GammaGammaRow[], options: GammaGammaFitOptions = {}): GammaGammaFit {
  const prepared = prepareRows(rows);
  if (prepared.totalWeight === 0) throw new RangeError('fitGammaGamma: no customers with frequency > 0 to fit');
  const start = options.start ?? { p: 1, q: 1, gamma: prepared.meanMonetaryValue };
  assertPositiveParams(start);
  const fromLog = ([p, q, gamma]: readonly number[]): GammaGammaParams => ({
    p: Math.exp(p!),
    q: Math.exp(q!),
    gamma: Math.exp(gamma!),
  });
  // Per customer, so that the tolerances mean the same whatever the number of customers.
  const result = minimize(
    (logParams) => -logLikelihoodOfPrepared(fromLog(logParams), prepared) / prepared.totalWeight,
    [start.p, start.q, start.gamma].map(Math.log),
    { maxIterations: options.maxIterations ?? 5_000, xTolerance: 1e-7, fTolerance: 1e-13 },
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

interface PreparedRows {
  frequencies: number[];
  frequencyIndex: Uint32Array;
  frequency: Float64Array;
  logMonetaryValue: Float64Array;
  totalMonetaryValue: Float64Array;
  weight: Float64Array;
  totalWeight: number;
  meanMonetaryValue: number;
}

/** Keeps the rows with x > 0; lgamma(px + q) − lgamma(px) is then computed once per distinct x. */
function prepareRows(rows: readonly GammaGammaRow[]): PreparedRows {
  rows.forEach((row, i) => {
    assertCustomer(row.frequency, row.monetaryValue, `row ${i}: `);
    if (!(Number.isFinite(row.weight) && row.weight >= 0)) {
      throw new RangeError(`Gamma-Gamma row ${i}: weight must be a finite number ≥ 0, got ${row.weight}`);
    }
  });
  const used = rows.filter((row) => row.frequency > 0);
  const frequencies: number[] = [];
  const indexOfFrequency = new Map<number, number>();
  const prepared: PreparedRows = {
    frequencies,
    frequencyIndex: new Uint32Array(used.length),
    frequency: new Float64Array(used.length),
    logMonetaryValue: new Float64Array(used.length),
    totalMonetaryValue: new Float64Array(used.length),
    weight: new Float64Array(used.length),
    totalWeight: 0,
    meanMonetaryValue: 0,
  };
  let weightedMonetaryValue = 0;
  used.forEach((row, i) => {
    let index = indexOfFrequency.get(row.frequency);
    if (index === undefined) {
      index = frequencies.push(row.frequency) - 1;
      indexOfFrequency.set(row.frequency, index);
    }
    prepared.frequencyIndex[i] = index;
    prepared.frequency[i] = row.frequency;
    prepared.logMonetaryValue[i] = Math.log(row.monetaryValue);
    prepared.totalMonetaryValue[i] = row.frequency * row.monetaryValue;
    prepared.weight[i] = row.weight;
    prepared.totalWeight += row.weight;
    weightedMonetaryValue += row.weight * row.monetaryValue;
  });
  prepared.meanMonetaryValue = prepared.totalWeight > 0 ? weightedMonetaryValue / prepared.totalWeight : 0;
  return prepared;
}

function logLikelihoodOfPrepared({ p, q, gamma }: GammaGammaParams, prepared: PreparedRows): number {
  const perFrequency = prepared.frequencies.map(
    (x) => lgamma(p * x + q) - lgamma(p * x) + p * x * Math.log(x),
  );
  const constant = -lgamma(q) + q * Math.log(gamma);
  let total = 0;
  for (let i = 0; i < prepared.weight.length; i++) {
    const px = p * prepared.frequency[i]!;
    const logLikelihood =
      constant +
      perFrequency[prepared.frequencyIndex[i]!]! +
      (px - 1) * prepared.logMonetaryValue[i]! -
      (px + q) * Math.log(gamma + prepared.totalMonetaryValue[i]!);
    total += prepared.weight[i]! * logLikelihood;
  }
  return total;
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
