/**
 * Which purchase model clv_predictions v2 publishes from: the holdout backtest decides, because
 * it scores what the predictions are for (future purchases), on this lake's own data.
 */
import type { PurchaseModelName } from './purchase-models.js';

export interface Candidate {
  name: PurchaseModelName;
  label: string;
  /** Converged, or stopped on a flat ridge with well-determined predictions. */
  usable: boolean;
  /** Its fit status, for the reason it cannot be chosen. */
  status: string;
  /** clv_backtest v2's backtest_error; null without one. */
  backtestError: number | null;
  logLikelihood: number | null;
}

export interface Choice {
  selected: PurchaseModelName | undefined;
  /** Per candidate, in words: why it was chosen, or why not. */
  reasons: ReadonlyMap<PurchaseModelName, string>;
}

/** The model with no backtest to go by: BG/NBD, the most used and the one published before model choice. */
const DEFAULT_MODEL: PurchaseModelName = 'bg_nbd';

const percent = (error: number) => `${(error * 100).toFixed(2)}%`;

/**
 * The usable model with the smallest backtest error (ties: the first listed). Without a backtest
 * error for any usable model (a lake younger than the holdout, a calibration fit that failed):
 * BG/NBD if usable, else the usable model with the greatest log-likelihood. None without a usable model.
 */
export function chooseModel(candidates: readonly Candidate[]): Choice {
  const usable = candidates.filter((c) => c.usable);
  const scored = usable.filter((c) => c.backtestError !== null);
  let selected: Candidate | undefined;
  let basis: string;
  if (scored.length) {
    selected = scored.reduce((best, c) => (c.backtestError! < best.backtestError! ? c : best));
    basis = `smallest backtest error among the usable models (${percent(selected.backtestError!)})`;
  } else if (usable.some((c) => c.name === DEFAULT_MODEL)) {
    selected = usable.find((c) => c.name === DEFAULT_MODEL)!;
    basis = `no backtest error for any usable model: ${selected.label}, the default`;
  } else if (usable.length) {
    selected = usable.reduce((best, c) => ((c.logLikelihood ?? -Infinity) > (best.logLikelihood ?? -Infinity) ? c : best));
    basis = `no backtest error for any usable model and BG/NBD not usable: the greatest log-likelihood among the usable models`;
  } else {
    basis = 'no model converged: no predictions';
  }
  const reasons = new Map<PurchaseModelName, string>();
  for (const c of candidates) {
    if (c === selected) reasons.set(c.name, `selected: ${basis}`);
    else if (!selected) reasons.set(c.name, `not selected: ${basis}`);
    else if (!c.usable) reasons.set(c.name, `not selected: not usable (${c.status})`);
    else if (selected.backtestError !== null && c.backtestError === null) reasons.set(c.name, 'not selected: no backtest error (its calibration fit did not converge)');
    else if (selected.backtestError !== null) reasons.set(c.name, `not selected: backtest error ${percent(c.backtestError!)}, ${selected.label}'s ${percent(selected.backtestError)}`);
    else reasons.set(c.name, `not selected: ${basis}`);
  }
  return { selected: selected?.name, reasons };
}
