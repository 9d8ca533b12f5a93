/**
 * A fit attempted and put in words, and what every fit shares: its iteration budget, and the
 * guard predictions pass through. Free of DuckDB, so a worker thread can fit with it too.
 */
import type { MaximumLikelihoodFit } from './maximum-likelihood.js';

/**
 * BFGS iteration budget per fit. Data the models suit converge in a few dozen (CDNOW: 25 and
 * 21); data they do not suit drift to the edge of the parameter space and would use any budget,
 * so the fit stops here and is published as not converged.
 */
export const FIT_ITERATIONS = 200;

/** What a purchase model's fit reads of each history (fit-cache.ts's key). */
export const HISTORY_FIELDS = ['frequency', 'recency', 'T', 'weight'] as const;

/**
 * A prediction (never negative), or NULL where the numbers break down (e.g. parameters
 * driven to extremes by a handful of customers): one odd history must not stop the run.
 */
export function finiteOrNull(compute: () => number): number | null {
  try {
    const value = compute();
    return Number.isFinite(value) && value >= 0 ? value : null;
  } catch {
    return null;
  }
}

/** A fit, or why there is none, in words for clv_model's status columns. */
export type Attempt<Fit> = { fit: Fit; status: string } | { fit: undefined; status: string };

/**
 * Fits when `unfittable` is undefined, and says how it went: 'converged', 'not converged: <why>
 * after N iterations', or 'not fitted: <why>' (also when the optimiser cannot even start).
 */
export function attemptFit<Fit extends MaximumLikelihoodFit<object>>(unfittable: string | undefined, fit: () => Fit): Attempt<Fit> {
  if (unfittable) return { fit: undefined, status: `not fitted: ${unfittable}` };
  try {
    const fitted = fit();
    return { fit: fitted, status: fitted.converged ? 'converged' : `not converged: ${fitted.stop} after ${fitted.iterations} iterations` };
  } catch (error) {
    return { fit: undefined, status: `not fitted: ${error instanceof Error ? error.message : String(error)}` };
  }
}
