/**
 * The repeat-purchase models clv_model fits side by side, behind one interface: each is
 * fitted on the same distinct histories, and each splits its conditional expectation into
 * P(alive | x, t_x, T) times the purchases expected of a customer still alive, which depends
 * on x and T only (so predictions compute it once per distinct (x, T)).
 */
import { bgNbdExpectedPurchasesIfAlive, bgNbdProbabilityAlive, fitBgNbd, type BgNbdParams, type BgNbdRow } from './bg-nbd.js';
import { finiteOrNull } from './fit-attempt.js';
import type { MaximumLikelihoodFit, MaximumLikelihoodOptions } from './maximum-likelihood.js';
import { MBG_NBD } from './mbg-nbd.js';
import { PARETO_NBD } from './pareto-nbd.js';

export type PurchaseModelName = 'bg_nbd' | 'mbg_nbd' | 'pareto_nbd';

/** A model's parameters by name (e.g. r, alpha, a, b; r, alpha, s, beta). */
export type PurchaseParams = Record<string, number>;

export interface PurchaseModel {
  name: PurchaseModelName;
  /** Display name, e.g. 'BG/NBD'. */
  label: string;
  /** Parameter names, in the order clv_model publishes them. */
  parameterNames: readonly string[];
  /** Maximum likelihood on `weight` customers per distinct (frequency, recency, T). */
  fit(rows: readonly BgNbdRow[], options?: MaximumLikelihoodOptions): MaximumLikelihoodFit<PurchaseParams>;
  /** P(alive at T | x repeat purchases, the last at t_x, first purchase at 0). */
  probabilityAlive(params: PurchaseParams, x: number, tx: number, T: number): number;
  /** probabilityAlive of every history at once, null where it breaks down: for a model that shares work between histories. */
  probabilitiesAlive?(params: PurchaseParams, histories: readonly BgNbdRow[]): (number | null)[];
  /** Repeat purchases expected in (T, T + t] of a customer still alive at T. */
  expectedPurchasesIfAlive(params: PurchaseParams, t: number, x: number, T: number): number;
}

const asBgNbd = (params: PurchaseParams): BgNbdParams => ({ r: params.r!, alpha: params.alpha!, a: params.a!, b: params.b! });

export const BG_NBD: PurchaseModel = {
  name: 'bg_nbd',
  label: 'BG/NBD',
  parameterNames: ['r', 'alpha', 'a', 'b'],
  // The function itself, not a wrapper: fit-cache.ts knows a fit by its function, and clv_model v1 calls fitBgNbd.
  fit: fitBgNbd as unknown as PurchaseModel['fit'],
  probabilityAlive: (params, x, tx, T) => bgNbdProbabilityAlive(asBgNbd(params), x, tx, T),
  expectedPurchasesIfAlive: (params, t, x, T) => bgNbdExpectedPurchasesIfAlive(asBgNbd(params), t, x, T),
};

/** Every model clv_model fits, in the order it lists them. */
export const PURCHASE_MODELS: readonly PurchaseModel[] = [BG_NBD, MBG_NBD, PARETO_NBD];

/**
 * P(alive) of every history (x, t_x, T in `histories`; weights ignored), or null where the
 * numbers break down (not finite, or the model throws) — the model's own batch form if it has one.
 */
export function probabilitiesAlive(model: PurchaseModel, params: PurchaseParams, histories: readonly BgNbdRow[]): (number | null)[] {
  if (model.probabilitiesAlive) return model.probabilitiesAlive(params, histories);
  return histories.map(({ frequency, recency, T }) => finiteOrNull(() => model.probabilityAlive(params, frequency, recency, T)));
}

/**
 * `compute(x, T)` remembered per distinct (x, T): a model's purchases expected if alive depend
 * on x and T only, and many histories share them.
 */
export function perFrequencyAndAge<V>(compute: (x: number, T: number) => V): (x: number, T: number) => V {
  const byFrequency = new Map<number, Map<number, V>>();
  return (x, T) => {
    let byAge = byFrequency.get(x);
    if (!byAge) byFrequency.set(x, (byAge = new Map()));
    if (!byAge.has(T)) byAge.set(T, compute(x, T));
    return byAge.get(T)!;
  };
}
