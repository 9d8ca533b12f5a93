/**
 * The repeat-purchase models clv_model fits side by side, behind one interface: each is
 * fitted on the same distinct histories, and each splits its conditional expectation into
 * P(alive | x, t_x, T) times the purchases expected of a customer still alive, which depends
 * on x and T only (so predictions compute it once per distinct (x, T)).
 */
import { bgNbdExpectedPurchasesIfAlive, bgNbdProbabilityAlive, fitBgNbd, type BgNbdParams, type BgNbdRow } from './bg-nbd.js';
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
  /** Repeat purchases expected in (T, T + t] of a customer still alive at T. */
  expectedPurchasesIfAlive(params: PurchaseParams, t: number, x: number, T: number): number;
}

const asBgNbd = (params: PurchaseParams): BgNbdParams => ({ r: params.r!, alpha: params.alpha!, a: params.a!, b: params.b! });

export const BG_NBD: PurchaseModel = {
  name: 'bg_nbd',
  label: 'BG/NBD',
  parameterNames: ['r', 'alpha', 'a', 'b'],
  fit: (rows, options) => fitBgNbd(rows, options) as unknown as MaximumLikelihoodFit<PurchaseParams>,
  probabilityAlive: (params, x, tx, T) => bgNbdProbabilityAlive(asBgNbd(params), x, tx, T),
  expectedPurchasesIfAlive: (params, t, x, T) => bgNbdExpectedPurchasesIfAlive(asBgNbd(params), t, x, T),
};

/** Every model clv_model fits, in the order it lists them. */
export const PURCHASE_MODELS: readonly PurchaseModel[] = [BG_NBD, MBG_NBD, PARETO_NBD];
