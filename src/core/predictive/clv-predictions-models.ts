import { sqlIdent, sqlString, type DuckDBSession } from '../duckdb.js';
import { defineStep, type ModelStep } from '../models/model-step.js';
import { horizonColumn, selectDeclaredColumns, writeTable, type ColumnValue } from '../models/step-io.js';
import { bgNbdProbabilityAliveSql } from './bg-nbd.js';
import { numberColumns, numberSetting, writeIfAliveTable } from './clv-steps.js';
import { finiteOrNull } from './fit-attempt.js';
import { gammaGammaExpectedSpendSql } from './gamma-gamma.js';
import { FLAT_RIDGE_FLAG } from './purchase-fit.js';
import { probabilitiesAlive, PURCHASE_MODELS, type PurchaseModel, type PurchaseParams } from './purchase-models.js';

/**
 * Creates `table` (frequency, recency_days, t_days, p_alive): the model's P(alive) once per
 * distinct history of `relation`, for a model without a SQL form of it.
 */
async function writeProbabilityAliveTable(db: DuckDBSession, table: string, relation: string, purchaseModel: PurchaseModel, params: PurchaseParams, unitDays: number): Promise<void> {
  const { frequency, recency_days: recencyDays, t_days: tDays } = await numberColumns(
    db,
    `select distinct cast(frequency as double) as frequency, cast(recency_days as double) as recency_days, cast(t_days as double) as t_days from ${relation}`,
  );
  const histories = frequency!.map((x, i) => ({ frequency: x, recency: recencyDays![i]! / unitDays, T: tDays![i]! / unitDays, weight: 1 }));
  const alive = probabilitiesAlive(purchaseModel, params, histories);
  const rows = frequency!.map((x, i): ColumnValue[] => [x, recencyDays![i]!, tDays![i]!, alive[i] ?? null]);
  const columns = [
    { name: 'frequency', type: 'BIGINT' },
    { name: 'recency_days', type: 'BIGINT' },
    { name: 't_days', type: 'BIGINT' },
    { name: 'p_alive', type: 'DOUBLE' },
  ] as const;
  await writeTable(db, table, columns, rows);
}

/**
 * clv_predictions v2: as v1, from the purchase model clv_model v2 selected (its `model` column
 * names it): P(alive) — BG/NBD's closed form in SQL, any other model's once per distinct
 * (x, t_x, T) in code — times the purchases expected if alive (once per distinct (x, T)), and the
 * Gamma-Gamma expected order value. Predictions from a fit on a flat ridge carry prediction_flag;
 * without a selected model P(alive), expected purchases and CLV are NULL.
 */
export function predictClvModels(models: readonly PurchaseModel[] = PURCHASE_MODELS): ModelStep {
  return defineStep({
    version: 1,
    inputs: ['int_customer_rfm', 'clv_model'],
    async run({ db, model, inputs, table }) {
      const horizonMonths = numberSetting(model, 'horizon_months');
      const discount = numberSetting(model, 'monthly_discount_rate');
      const [rfm, fitted] = [sqlIdent(inputs.int_customer_rfm), sqlIdent(inputs.clv_model)];
      const [any] = await db.rows(`select time_unit_days from ${fitted} limit 1`);
      const unitDays = Number(any?.time_unit_days ?? 1);
      const [selected] = await db.rows(`select * from ${fitted} where selected`);
      const purchaseModel = selected && models.find((m) => m.name === selected.model);
      if (selected && !purchaseModel) throw new Error(`${model.table}: clv_model selected ${String(selected.model)}, which is not among the purchase models (${models.map((m) => m.name).join(', ')})`);
      const params = purchaseModel && Object.fromEntries(purchaseModel.parameterNames.map((name) => [name, Number(selected![name])]));
      const flag = selected?.flat_ridge === true ? FLAT_RIDGE_FLAG : null;
      await writeIfAliveTable(db, 'clv_if_alive', rfm, params && ((t, x, T) => purchaseModel!.expectedPurchasesIfAlive(params, t, x, T)), unitDays, {
        months: horizonMonths,
        monthlyDiscount: discount,
      });
      let pAlive = 'cast(null as double)';
      let aliveJoin = '';
      if (params && purchaseModel!.name === 'bg_nbd') {
        // The closed form, on the published parameters (as v1).
        pAlive = bgNbdProbabilityAliveSql(
          { r: 'purchase_model.r', alpha: 'purchase_model.alpha', a: 'purchase_model.a', b: 'purchase_model.b' },
          'rfm.frequency',
          `rfm.recency_days / ${unitDays}`,
          `rfm.t_days / ${unitDays}`,
        );
        aliveJoin = `left join (select r, alpha, a, b from ${fitted} where selected) as purchase_model on true`;
      } else if (params) {
        await writeProbabilityAliveTable(db, 'clv_p_alive', rfm, purchaseModel!, params, unitDays);
        pAlive = 'alive.p_alive';
        aliveJoin = `left join clv_p_alive as alive
              on rfm.frequency = alive.frequency and rfm.recency_days = alive.recency_days and rfm.t_days = alive.t_days`;
      }
      const expectedSpend = gammaGammaExpectedSpendSql({ p: 'spend_model.p', q: 'spend_model.q', gamma: 'spend_model.gamma' }, 'rfm.frequency', 'rfm.monetary_value');
      const columns = selectDeclaredColumns(model, {
        customer_id: 'customer_id',
        frequency: 'frequency',
        recency_days: 'recency_days',
        t_days: 't_days',
        monetary_value: 'monetary_value',
        model: purchaseModel ? sqlString(purchaseModel.name) : 'null',
        p_alive: 'p_alive',
        [horizonColumn(model, 'expected_purchases', horizonMonths)]: 'expected_if_alive * p_alive',
        expected_avg_order_value: 'expected_spend',
        [horizonColumn(model, 'clv', horizonMonths)]: 'discounted_if_alive * p_alive * expected_spend',
        prediction_flag: flag === null ? 'null' : sqlString(flag),
      });
      // Gamma-Gamma's parameters (the same on every row of clv_model) only from a fit that converged.
      await db.run(`
        create or replace table ${sqlIdent(table)} as
        with customers_with_models as (
            select
                rfm.customer_id, rfm.frequency, rfm.recency_days, rfm.t_days, rfm.monetary_value,
                ${pAlive} as p_alive,
                if_alive.expected_purchases as expected_if_alive,
                if_alive.discounted_purchases as discounted_if_alive,
                ${expectedSpend} as expected_spend
            from ${rfm} as rfm
            left join (select p, q, gamma from ${fitted} where gamma_gamma_converged limit 1) as spend_model on true
            left join clv_if_alive as if_alive
                on rfm.frequency = if_alive.frequency and rfm.t_days = if_alive.t_days
            ${aliveJoin}
        )
        select
            ${columns}
        from customers_with_models`);
      await db.run('drop table clv_if_alive; drop table if exists clv_p_alive');
    },
  });
}
