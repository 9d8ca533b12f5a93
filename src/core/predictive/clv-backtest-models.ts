import { sqlIdent } from '../duckdb.js';
import { defineStep, type ModelStep } from '../models/model-step.js';
import { writeDeclaredColumns } from '../models/step-io.js';
import type { BgNbdRow } from './bg-nbd.js';
import { createBacktestHistories } from './clv-backtest.js';
import { numberColumns } from './clv-steps.js';
import { CompensatedSum } from './compensated-sum.js';
import { finiteOrNull } from './fit-attempt.js';
import { fitPurchaseModels } from './parallel-fits.js';
import type { PurchaseFit } from './purchase-fit.js';
import { perFrequencyAndAge, probabilitiesAlive, PURCHASE_MODELS, type PurchaseModel } from './purchase-models.js';

/** The calibration-frequency groups the backtest error weighs: 0 … 6 repeat purchases, and 7+. */
const FREQUENCY_GROUPS = ['0', '1', '2', '3', '4', '5', '6', '7+'] as const;

const frequencyGroup = (x: number) => (x >= 7 ? '7+' : String(x));

/** A calibration history with the customers sharing it and their purchase days in the holdout. */
interface BacktestHistory extends BgNbdRow {
  actual: number;
}

interface GroupTotals {
  customers: number;
  actual: number;
  /** undefined once a customer in the group has no prediction. */
  predicted: CompensatedSum | undefined;
}

/**
 * Σ_g |predicted_g − actual_g| / Σ_g actual_g over the calibration-frequency groups 0 … 6, 7+:
 * a model cannot score well by getting the total right from errors that cancel between light
 * and heavy buyers. NULL without a prediction for every group or without any holdout purchase.
 */
export function backtestError(groups: ReadonlyMap<string, { actual: number; predicted: number | null }>): number | null {
  let [absoluteError, actual] = [0, 0];
  for (const name of FREQUENCY_GROUPS) {
    const group = groups.get(name);
    if (!group) continue;
    if (group.predicted === null) return null;
    absoluteError += Math.abs(group.predicted - group.actual);
    actual += group.actual;
  }
  return actual > 0 ? absoluteError / actual : null;
}

/**
 * Per calibration-frequency group (and 'all'): customers, holdout purchase days, and what the
 * fit expected — Σ customers · P(alive) · purchases expected if alive, in code per distinct
 * history (no SQL form is needed), in the histories' sorted order so a rerun gives the same bits.
 */
function groupTotals(fitted: PurchaseFit, rows: readonly BacktestHistory[], holdout: number): Map<string, GroupTotals> {
  const groups = new Map<string, GroupTotals>();
  const params = fitted.usable;
  const alive = params ? probabilitiesAlive(fitted.model, params, rows) : [];
  const ifAlive = perFrequencyAndAge((x, T) => finiteOrNull(() => fitted.model.expectedPurchasesIfAlive(params!, holdout, x, T)));
  for (const [i, row] of rows.entries()) {
    let predicted: number | null = null;
    if (params) {
      const [expected, p] = [ifAlive(row.frequency, row.T), alive[i] ?? null];
      predicted = expected === null || p === null ? null : row.weight * expected * p;
    }
    for (const name of [frequencyGroup(row.frequency), 'all']) {
      let group = groups.get(name);
      if (!group) groups.set(name, (group = { customers: 0, actual: 0, predicted: new CompensatedSum() }));
      group.customers += row.weight;
      group.actual += row.actual;
      if (predicted === null) group.predicted = undefined;
      else group.predicted?.add(predicted);
    }
  }
  return groups;
}

/**
 * clv_backtest v2: as v1, for every purchase model in `models`: each is refitted on the data up
 * to as-of minus the holdout, predicts the calibration customers' repeat purchase days in the
 * holdout, and is set beside what happened, per (model, calibration-frequency group). Each model's
 * backtest_error (backtestError above) is what clv_model v2 chooses by. A calibration fit on a flat
 * ridge predicts too (fit_status says so).
 */
export function backtestClvModels(models: readonly PurchaseModel[] = PURCHASE_MODELS): ModelStep {
  return defineStep({
    version: 1,
    inputs: ['int_orders_completed'],
    async run({ db, model, inputs, table }) {
      const holdoutDays = Number(model.settings.holdout_weeks) * 7;
      const unitDays = Number(model.settings.time_unit_days);
      const holdout = holdoutDays / unitDays;
      const calibrationEnd = await createBacktestHistories(db, sqlIdent(inputs.int_orders_completed), holdoutDays);
      const columns = await numberColumns(
        db,
        `select cast(frequency as double) as frequency, cast(recency_days as double) as recency_days, cast(t_days as double) as t_days,
                cast(customers as double) as customers, cast(actual as double) as actual
         from backtest_histories order by frequency, recency_days, t_days`,
      );
      await db.run('drop table backtest_histories');
      const rows: BacktestHistory[] = columns.frequency!.map((x, i) => ({
        frequency: x,
        recency: columns.recency_days![i]! / unitDays,
        T: columns.t_days![i]! / unitDays,
        weight: columns.customers![i]!,
        actual: columns.actual![i]!,
      }));
      const unfittable = rows.some((h) => h.frequency > 0) ? undefined : 'no customer has a repeat purchase in the calibration period';
      const fits = await fitPurchaseModels(models, rows, unfittable, holdout);
      const output = fits.flatMap((fitted) => {
        const purchaseModel = fitted.model;
        const totals = new Map(
          [...groupTotals(fitted, rows, holdout)].map(([name, group]) => [
            name,
            { customers: group.customers, actual: group.actual, predicted: group.predicted ? group.predicted.value : null },
          ]),
        );
        const error = backtestError(totals);
        return [...totals]
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([name, { customers, actual, predicted }]) => ({
            model: purchaseModel.name,
            frequency_group: name,
            customers,
            actual_repeat_purchases: actual,
            predicted_repeat_purchases: predicted,
            relative_error: actual > 0 && predicted !== null ? predicted / actual - 1 : null,
            calibration_end: calibrationEnd,
            holdout_days: holdoutDays,
            converged: fitted.converged,
            flat_ridge: fitted.flatRidge,
            fit_status: fitted.status,
            backtest_error: error,
          }));
      });
      await writeDeclaredColumns(db, model, table, output);
    },
  });
}
