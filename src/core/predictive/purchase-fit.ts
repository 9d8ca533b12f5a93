/**
 * One repeat-purchase model fitted for publishing: the fit, how it went in words, and the
 * parameters predictions may come from — those of a fit that converged, or of one that
 * stopped on a flat ridge with well-determined predictions (flagged).
 */
import type { BgNbdRow } from './bg-nbd.js';
import { attemptFit, FIT_ITERATIONS, HISTORY_FIELDS, type Attempt } from './fit-attempt.js';
import { fitOnce } from './fit-cache.js';
import { stoppedOnFlatRidge } from './flat-ridge.js';
import type { MaximumLikelihoodFit } from './maximum-likelihood.js';
import type { PurchaseModel, PurchaseParams } from './purchase-models.js';

/** The words clv_model v2 and clv_predictions v2 use for predictions from a flat ridge. */
export const FLAT_RIDGE_FLAG = 'flat ridge: parameters not identified, predictions well determined';

export interface PurchaseFit {
  model: PurchaseModel;
  fit: MaximumLikelihoodFit<PurchaseParams> | undefined;
  /** converged; flat ridge: … (how it stopped); not converged: …; not fitted: … */
  status: string;
  converged: boolean;
  flatRidge: boolean;
  /** The parameters predictions come from: undefined unless converged or on a flat ridge. */
  usable: PurchaseParams | undefined;
}

/**
 * Fits `model` on `rows` unless `unfittable` says why not. `horizon` (in the fit's time unit)
 * is the span over which a fit that did not converge must have well-determined predictions
 * to count as a flat ridge.
 */
export function fitPurchaseModel(model: PurchaseModel, rows: readonly BgNbdRow[], unfittable: string | undefined, horizon: number): PurchaseFit {
  return checkedFit(model, attemptFit(unfittable, () => fitOnce(model.fit, rows, HISTORY_FIELDS, FIT_ITERATIONS)), rows, horizon);
}

/** The PurchaseFit of a fit attempt on `rows`: whether it stopped on a flat ridge (see fitPurchaseModel), its status, its usable parameters. */
export function checkedFit(
  model: PurchaseModel,
  attempt: Attempt<MaximumLikelihoodFit<PurchaseParams>>,
  rows: readonly BgNbdRow[],
  horizon: number,
): PurchaseFit {
  const fit = attempt.fit;
  const converged = fit?.converged ?? false;
  const flatRidge = fit !== undefined && !converged && stoppedOnFlatRidge(model, fit, rows, horizon);
  const status = flatRidge ? `${FLAT_RIDGE_FLAG} (the optimiser stopped: ${fit.stop} after ${fit.iterations} iterations)` : attempt.status;
  return { model, fit, status, converged, flatRidge, usable: converged || flatRidge ? fit?.params : undefined };
}
