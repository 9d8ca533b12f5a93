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
  const numbers = new Float64Array(rows.length * fields.length);
  rows.forEach((row, i) => fields.forEach((field, j) => (numbers[i * fields.length + j] = Number(row[field]))));
  const key = `${fields.join(',')}:${maxIterations}:${createHash('sha256').update(new Uint8Array(numbers.buffer)).digest('hex')}`;
  let fits = remembered.get(fit);
  if (!fits) remembered.set(fit, (fits = new Map()));
  if (fits.has(key)) return fits.get(key) as Fit;
  const fitted = fit(rows, { maxIterations });
  fits.set(key, fitted);
  if (fits.size > KEPT_PER_FUNCTION) fits.delete(fits.keys().next().value!);
  return fitted;
}
