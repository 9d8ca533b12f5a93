/**
 * Fits remembered by what they were fitted on. In one run, clv_model v1 and v2 fit BG/NBD and
 * Gamma-Gamma on the same histories, and clv_backtest v1 and v2 fit BG/NBD on the same
 * calibration histories. A fit is deterministic (the same rows in the same order give the same
 * bits), so the second asks for the first's result. The key is the fit function and a SHA-256 of
 * every row's numbers, so a fit is reused only on identical input. A few recent fits are kept
 * per function: one process may serve many runs (a warm Lambda).
 */
import { createHash } from 'node:crypto';

const KEPT_PER_FUNCTION = 4;
const remembered = new Map<Function, Map<string, unknown>>();

/** What a fit of `rows` is remembered by: its iteration budget and the rows' `fields`, in order. */
export function fitKey<Row>(rows: readonly Row[], fields: readonly (keyof Row & string)[], maxIterations: number): string {
  const numbers = new Float64Array(rows.length * fields.length);
  rows.forEach((row, i) => fields.forEach((field, j) => (numbers[i * fields.length + j] = Number(row[field]))));
  return `${fields.join(',')}:${maxIterations}:${createHash('sha256').update(new Uint8Array(numbers.buffer)).digest('hex')}`;
}

/** The remembered result of `fit` under `key`, if any. */
export function rememberedFit<Fit>(fit: Function, key: string): Fit | undefined {
  return remembered.get(fit)?.get(key) as Fit | undefined;
}

/** Remembers `fitted` as `fit`'s result under `key` (fitted elsewhere, e.g. on a worker thread). */
export function rememberFit(fit: Function, key: string, fitted: unknown): void {
  let fits = remembered.get(fit);
  if (!fits) remembered.set(fit, (fits = new Map()));
  fits.set(key, fitted);
  if (fits.size > KEPT_PER_FUNCTION) fits.delete(fits.keys().next().value!);
}

/**
 * `fit(rows, { maxIterations })`, or its remembered result for the same function, the same
 * maxIterations and rows with the same `fields`, in the same order.
 */
export function fitOnce<Row, Fit>(
  fit: (rows: readonly Row[], options: { maxIterations: number }) => Fit,
  rows: readonly Row[],
  fields: readonly (keyof Row & string)[],
  maxIterations: number,
): Fit {
  const key = fitKey(rows, fields, maxIterations);
  const known = remembered.get(fit);
  if (known?.has(key)) return known.get(key) as Fit;
  const fitted = fit(rows, { maxIterations });
  rememberFit(fit, key, fitted);
  return fitted;
}
