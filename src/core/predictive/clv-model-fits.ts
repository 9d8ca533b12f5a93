import { sqlIdent } from '../duckdb.js';
import { defineStep, type ModelStep } from '../models/model-step.js';
import { writeDeclaredColumns, type ColumnValue } from '../models/step-io.js';
import { fitSpendModel, histories, numberSetting, spendModelColumns } from './clv-steps.js';
import { chooseModel } from './model-choice.js';
import { fitPurchaseModels } from './parallel-fits.js';
import { PURCHASE_MODELS, type PurchaseModel } from './purchase-models.js';

/** clv_model v2's parameter columns: the union of the purchase models' parameters (NULL where a model has none). */
export const PARAMETER_COLUMNS = ['r', 'alpha', 'a', 'b', 's', 'beta'] as const;

/**
 * clv_model v2: every purchase model in `models` fitted on every customer's distinct history,
 * Gamma-Gamma on the repeat customers' spend, and the choice of the model predictions come from
 * (model-choice.ts, by clv_backtest v2's backtest_error). One row per purchase model; the
 * Gamma-Gamma columns, fitted once, are repeated on each row so the selected row says everything
 * clv_predictions v2 reads.
 */
export function fitClvModels(models: readonly PurchaseModel[] = PURCHASE_MODELS): ModelStep {
  return defineStep({
    version: 1,
    inputs: ['int_customer_rfm', 'clv_backtest'],
    async run({ db, model, inputs, table }) {
      const unitDays = numberSetting(model, 'time_unit_days');
      const rfm = sqlIdent(inputs.int_customer_rfm);
      const customers = Number(await db.scalar(`select count(*) from ${rfm}`));
      const rows = await histories(db, `(select frequency, recency_days, t_days, 1 as customers from ${rfm})`, unitDays);
      // A fit that did not converge counts as a flat ridge only if its predictions over a span as
      // long as the longest history are well determined.
      const horizon = rows.reduce((longest, row) => Math.max(longest, row.T), 0);
      const unfittable = rows.some((r) => r.frequency > 0) ? undefined : 'no customer has a repeat purchase';
      // The purchase models on worker threads while Gamma-Gamma is fitted here. Handled at once, so a
      // failed worker cannot be an unhandled rejection while the spend fit runs; awaited below.
      const fitting = fitPurchaseModels(models, rows, unfittable, horizon);
      fitting.catch(() => undefined);
      const { spend, attempt: spendAttempt } = await fitSpendModel(db, rfm);
      const fits = await fitting;
      const errors = new Map(
        (await db.rows(`select model, max(backtest_error) as backtest_error from ${sqlIdent(inputs.clv_backtest)} group by model`)).map((row) => [
          String(row.model),
          row.backtest_error === null ? null : Number(row.backtest_error),
        ]),
      );
      const choice = chooseModel(
        fits.map((f) => ({
          name: f.model.name,
          label: f.model.label,
          usable: f.usable !== undefined,
          status: f.status,
          backtestError: errors.get(f.model.name) ?? null,
          logLikelihood: f.fit?.logLikelihood ?? null,
        })),
      );
      const [asOf] = await db.rows('select cast(as_of_date as varchar) as as_of_date from run_params');
      const shared = {
        as_of_date: String(asOf?.as_of_date),
        time_unit_days: unitDays,
        customers,
        fitted_customers: rows.reduce((n, r) => n + r.weight, 0),
        repeat_customers: spend.reduce((n, r) => n + r.weight, 0),
      };
      await writeDeclaredColumns(
        db,
        model,
        table,
        fits.map(({ model: purchaseModel, fit, status, converged, flatRidge }) => ({
          ...shared,
          model: purchaseModel.name,
          ...parameterColumns(model.table, purchaseModel, fit?.params),
          // As v1: standard errors only of a converged fit (none on a flat ridge: the information is singular there).
          ...Object.fromEntries(PARAMETER_COLUMNS.map((name) => [`${name}_se`, fit?.converged ? (fit.standardErrors?.[name] ?? null) : null])),
          log_likelihood: fit?.logLikelihood ?? null,
          converged,
          flat_ridge: flatRidge,
          status,
          backtest_error: errors.get(purchaseModel.name) ?? null,
          selected: choice.selected === purchaseModel.name,
          selection_reason: choice.reasons.get(purchaseModel.name)!,
          ...spendModelColumns(spendAttempt),
        })),
      );
    },
  });
}

/** A model's parameters in clv_model v2's columns, NULL for those it has not; a parameter without a column fails. */
function parameterColumns(table: string, purchaseModel: PurchaseModel, params: Record<string, number> | undefined): Record<string, ColumnValue> {
  const unknown = purchaseModel.parameterNames.filter((name) => !(PARAMETER_COLUMNS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`${table}: ${purchaseModel.label} has parameters with no column (${unknown.join(', ')}); columns: ${PARAMETER_COLUMNS.join(', ')}`);
  return Object.fromEntries(PARAMETER_COLUMNS.map((name) => [name, purchaseModel.parameterNames.includes(name) ? (params?.[name] ?? null) : null]));
}
