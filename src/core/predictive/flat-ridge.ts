/**
 * A fit that stopped on a flat ridge: the optimiser did not converge because the likelihood
 * keeps rising, ever more slowly, towards the edge of the parameter space (e.g. BG/NBD on
 * buyers who never drop out: a → 0 while r, α → ∞ with r/α fixed), yet every prediction the
 * model publishes has stopped moving. The parameters are not identified there, the
 * predictions are: they can be published, flagged.
 */
import type { BgNbdRow } from './bg-nbd.js';
import type { MaximumLikelihoodFit } from './maximum-likelihood.js';
import { finiteOrNull } from './fit-attempt.js';
import { perFrequencyAndAge, probabilitiesAlive, type PurchaseModel, type PurchaseParams } from './purchase-models.js';

/**
 * The likelihood counts as no longer rising when the optimiser's line search found no step that
 * raises it measurably, or the last step raised it by at most this, relative. (Far out on such a
 * ridge the parameters are huge, r ~ 1e8, and the log-likelihood is a difference of terms of
 * ~1e9 per customer: its rounding then exceeds any fixed tolerance, which is why a failed line
 * search counts too.)
 */
export const RIDGE_LOG_LIKELIHOOD_TOLERANCE = 1e-9;

/**
 * Predictions at the last two iterates must agree to this, relative. Not 1e-6: on such a
 * ridge the rounding of the log-likelihood above leaves the purchase rate determined to only
 * ~1e-5 relative, whatever the optimiser does. Agreement shows the predictions stopped moving
 * as the optimiser did, not that they reached the ridge's limit; on the Poisson data of the tests
 * they are within 1e-4 of it. 1e-4 is still far below what the data can tell:
 * a rate estimated from n purchases has a relative standard error near 1/√n, 1% at 10,000
 * purchases and 0.1% at a million.
 */
export const RIDGE_PREDICTION_TOLERANCE = 1e-4;

/** Probabilities and expected purchases this small count as 0 (relative agreement means nothing there). */
const NEGLIGIBLE = 1e-12;

/**
 * True when a fit that did not converge stopped where the log-likelihood no longer rises (its
 * line search failed, or its last step gained at most RIDGE_LOG_LIKELIHOOD_TOLERANCE relative), and for every distinct
 * history P(alive) and the purchases expected over `horizon` (in the fit's time unit) at the
 * last two iterates agree to RIDGE_PREDICTION_TOLERANCE.
 */
export function stoppedOnFlatRidge(
  model: PurchaseModel,
  fit: MaximumLikelihoodFit<PurchaseParams>,
  rows: readonly BgNbdRow[],
  horizon: number,
): boolean {
  const previous = fit.previous;
  if (fit.converged || !previous) return false;
  const gain = fit.logLikelihood - previous.logLikelihood;
  const flat = fit.stop === 'line search failed' || gain <= RIDGE_LOG_LIKELIHOOD_TOLERANCE * Math.abs(fit.logLikelihood);
  if (!flat) return false;
  const [aliveNow, aliveBefore] = [probabilitiesAlive(model, fit.params, rows), probabilitiesAlive(model, previous.params, rows)];
  const ifAlive = perFrequencyAndAge((x, T): [number | null, number | null] => [
    finiteOrNull(() => model.expectedPurchasesIfAlive(fit.params, horizon, x, T)),
    finiteOrNull(() => model.expectedPurchasesIfAlive(previous.params, horizon, x, T)),
  ]);
  return rows.every(({ frequency: x, T }, i) => {
    const [now, before] = [aliveNow[i], aliveBefore[i]];
    const [expectedNow, expectedBefore] = ifAlive(x, T);
    // A null: the numbers break down at these parameters, so nothing is well determined.
    if (now == null || before == null || expectedNow === null || expectedBefore === null) return false;
    return agree(now, before) && agree(now * expectedNow, before * expectedBefore);
  });
}

function agree(u: number, v: number): boolean {
  if (!Number.isFinite(u) || !Number.isFinite(v)) return false;
  return Math.abs(u - v) <= RIDGE_PREDICTION_TOLERANCE * Math.max(Math.abs(u), Math.abs(v)) + NEGLIGIBLE;
}
