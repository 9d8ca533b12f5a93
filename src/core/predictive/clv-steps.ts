import { DuckDBTypeId } from '@duckdb/node-api';
import type { DuckDBSession } from '../duckdb.js';
import { sqlIdent } from '../duckdb.js';
import type { ModelVersion } from '../models/model-declaration.js';
import { defineStep } from '../models/model-step.js';
import { horizonColumn, selectDeclaredColumns, writeDeclaredColumns, writeTable, type ColumnValue } from '../models/step-io.js';
import { bgNbdExpectedPurchasesIfAlive, bgNbdProbabilityAliveSql, fitBgNbd, type BgNbdParams, type BgNbdRow } from './bg-nbd.js';
import { attemptFit, finiteOrNull, FIT_ITERATIONS, HISTORY_FIELDS, type Attempt } from './fit-attempt.js';
import { fitOnce } from './fit-cache.js';
import type { MaximumLikelihoodFit } from './maximum-likelihood.js';
import { fitGammaGamma, gammaGammaExpectedSpendSql, gammaGammaPopulationMeanExists, type GammaGammaFit, type GammaGammaRow } from './gamma-gamma.js';

/** Days in an average month, for horizons given in months. */
const DAYS_PER_MONTH = 365.25 / 12;

export function numberSetting(model: ModelVersion, name: string): number {
  const value = model.settings[name];
  if (typeof value !== 'number') throw new Error(`setting ${name} must be a number, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * `<parameter>_se` for each named parameter: NULL without a converged fit or where the
 * information matrix is singular (a flat ridge: the parameters are not identified).
 */
function standardErrorColumns<Name extends string>(
  names: readonly Name[],
  fit: MaximumLikelihoodFit<Record<Name, number>> | undefined,
): Record<string, number | null> {
  const errors = fit?.converged ? fit.standardErrors : undefined;
  return Object.fromEntries(names.map((name) => [`${name}_se`, errors?.[name] ?? null]));
}

/**
 * A query's result as columns of numbers, read chunk by chunk from DuckDB's vectors: no object
 * per row or per value. Every selected column must be a DOUBLE (cast it in the query) and hold no NULL.
 */
export async function numberColumns(db: DuckDBSession, sql: string): Promise<Record<string, number[]>> {
  const result = await db.connection.run(sql);
  const names = result.columnNames();
  result.columnTypes().forEach((type, j) => {
    if (type.typeId !== DuckDBTypeId.DOUBLE) throw new Error(`numberColumns: column ${names[j]} is ${type.toString()}, not DOUBLE: cast it in the query`);
  });
  const columns = names.map((): number[] => []);
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    columns.forEach((values, j) => {
      const vector = chunk!.getColumnVector(j);
      for (let i = 0; i < chunk!.rowCount; i++) {
        const value = vector.getItem(i);
        if (typeof value !== 'number') throw new Error(`numberColumns: column ${names[j]} holds a NULL`);
        values.push(value);
      }
    });
  }
  return Object.fromEntries(names.map((name, j) => [name, columns[j]!]));
}

/**
 * Distinct purchase histories with how many customers share each, from a relation of
 * (frequency, recency_days, t_days, customers): the fit costs little more for a million
 * customers than for a thousand. Sorted, so that a refit gives the same bits.
 */
export async function histories(db: DuckDBSession, relation: string, unitDays: number): Promise<BgNbdRow[]> {
  const { frequency, recency, T, weight } = await numberColumns(
    db,
    `select cast(frequency as double) as frequency, recency_days / ${unitDays} as recency, t_days / ${unitDays} as T,
            cast(sum(customers) as double) as weight
     from ${relation}
     group by frequency, recency_days, t_days
     order by frequency, recency_days, t_days`,
  );
  return frequency!.map((x, i) => ({ frequency: x, recency: recency![i]!, T: T![i]!, weight: weight![i]! }));
}

/**
 * clv_model: fits BG/NBD on every customer's (frequency, recency, T) and Gamma-Gamma on the
 * repeat customers' spend, by maximum likelihood, in the declared time unit. One row.
 */
export const fitClvModel = defineStep({
  version: 2,
  inputs: ['int_customer_rfm'],
  async run({ db, model, inputs, table }) {
    const unitDays = numberSetting(model, 'time_unit_days');
    const rfm = sqlIdent(inputs.int_customer_rfm);
    const customers = Number(await db.scalar(`select count(*) from ${rfm}`));
    const rows = await histories(db, `(select frequency, recency_days, t_days, 1 as customers from ${rfm})`, unitDays);
    // Without a single repeat purchase the dropout process is not identified: no fit.
    const bgNbdAttempt = attemptFit(rows.some((r) => r.frequency > 0) ? undefined : 'no customer has a repeat purchase', () =>
      fitOnce(fitBgNbd, rows, HISTORY_FIELDS, FIT_ITERATIONS),
    );
    const bgNbd = bgNbdAttempt.fit;
    const { spend, attempt: gammaGammaAttempt } = await fitSpendModel(db, rfm);
    const gammaGamma = gammaGammaAttempt.fit;
    const [asOf] = await db.rows('select cast(as_of_date as varchar) as as_of_date from run_params');
    await writeDeclaredColumns(db, model, table, [
      {
        as_of_date: String(asOf?.as_of_date),
        time_unit_days: unitDays,
        customers,
        fitted_customers: rows.reduce((n, r) => n + r.weight, 0),
        repeat_customers: spend.reduce((n, r) => n + r.weight, 0),
        r: bgNbd?.params.r ?? null,
        alpha: bgNbd?.params.alpha ?? null,
        a: bgNbd?.params.a ?? null,
        b: bgNbd?.params.b ?? null,
        ...standardErrorColumns(['r', 'alpha', 'a', 'b'], bgNbd),
        bg_nbd_log_likelihood: bgNbd?.logLikelihood ?? null,
        bg_nbd_converged: bgNbd?.converged ?? false,
        bg_nbd_status: bgNbdAttempt.status,
        ...spendModelColumns(gammaGammaAttempt),
      },
    ]);
  },
});

/** Gamma-Gamma fitted on the repeat customers' spend (as many rows as distinct (x, m), weighted), or why not. */
export async function fitSpendModel(db: DuckDBSession, rfm: string): Promise<{ spend: GammaGammaRow[]; attempt: Attempt<GammaGammaFit> }> {
  // Gamma-Gamma needs positive spend: repeat customers whose repeat purchases were all refunded are left out.
  const { frequency, monetary_value: monetaryValue, customers: weight } = await numberColumns(
    db,
    `select cast(frequency as double) as frequency, cast(monetary_value as double) as monetary_value, cast(count(*) as double) as customers from ${rfm}
     where frequency > 0 and monetary_value > 0 group by all order by all`,
  );
  const spend = frequency!.map((x, i) => ({ frequency: x, monetaryValue: monetaryValue![i]!, weight: weight![i]! }));
  const attempt = attemptFit(spend.length > 1 ? undefined : 'fewer than 2 distinct repeat customers with positive spend', () =>
    fitOnce(fitGammaGamma, spend, ['frequency', 'monetaryValue', 'weight'], FIT_ITERATIONS),
  );
  return { spend, attempt };
}

/** clv_model's Gamma-Gamma columns (p, q, gamma, their _se, gamma_gamma_*) for a fit attempt. */
export function spendModelColumns(attempt: Attempt<GammaGammaFit>): Record<string, ColumnValue> {
  const gammaGamma = attempt.fit;
  return {
    p: gammaGamma?.params.p ?? null,
    q: gammaGamma?.params.q ?? null,
    gamma: gammaGamma?.params.gamma ?? null,
    ...standardErrorColumns(['p', 'q', 'gamma'], gammaGamma),
    gamma_gamma_log_likelihood: gammaGamma?.logLikelihood ?? null,
    gamma_gamma_converged: gammaGamma?.converged ?? false,
    gamma_gamma_status: attempt.status,
    gamma_gamma_mean_defined: gammaGamma ? gammaGammaPopulationMeanExists(gammaGamma.params) : null,
  };
}

/** A forecast horizon: a span in the fit's time unit, or whole months with a monthly discount rate. */
export type Horizon = { units: number } | { months: number; monthlyDiscount: number };

/** Expected purchases in (T, T + t] of a customer with x repeat purchases, still alive at T. */
export type ExpectedIfAlive = (t: number, x: number, T: number) => number;

/** BG/NBD's eq. (10) without P(alive), at fixed parameters. */
export const bgNbdIfAlive =
  (params: BgNbdParams): ExpectedIfAlive =>
  (t, x, T) =>
    bgNbdExpectedPurchasesIfAlive(params, t, x, T);

/**
 * Creates `table` (frequency, t_days, expected_purchases, discounted_purchases): per distinct
 * (x, T) of `relation`, the repeat purchases a customer still alive is expected to make over the
 * horizon — eq. (10) without P(alive), which depends on x and T only — and, for a horizon in
 * months, the same discounted month by month (NULL otherwise). Far fewer pairs than customers;
 * an empty table without a model. `ifAlive(t, x, T)`: a purchase model's expected purchases in
 * (T, T + t] of a customer still alive (for BG/NBD, eq. 10 without P(alive): bgNbdIfAlive).
 */
export async function writeIfAliveTable(
  db: DuckDBSession,
  table: string,
  relation: string,
  ifAlive: ExpectedIfAlive | undefined,
  unitDays: number,
  horizon: Horizon,
): Promise<void> {
  const rows: ColumnValue[][] = [];
  if (ifAlive) {
    const { frequency, t_days: tDays } = await numberColumns(db, `select distinct cast(frequency as double) as frequency, cast(t_days as double) as t_days from ${relation}`);
    frequency!.forEach((x, i) => {
      const T = tDays![i]! / unitDays;
      if ('units' in horizon) {
        rows.push([x, tDays![i]!, finiteOrNull(() => ifAlive(horizon.units, x, T)), null]);
        return;
      }
      const monthInUnits = DAYS_PER_MONTH / unitDays;
      const cumulative = (months: number) => ifAlive(months * monthInUnits, x, T);
      const discounted = finiteOrNull(() => {
        let [total, previous] = [0, 0];
        for (let month = 1; month <= horizon.months; month++) {
          const current = cumulative(month);
          total += (current - previous) / (1 + horizon.monthlyDiscount) ** month;
          previous = current;
        }
        return total;
      });
      rows.push([x, tDays![i]!, finiteOrNull(() => cumulative(horizon.months)), discounted]);
    });
  }
  const columns = [
    { name: 'frequency', type: 'BIGINT' },
    { name: 't_days', type: 'BIGINT' },
    { name: 'expected_purchases', type: 'DOUBLE' },
    { name: 'discounted_purchases', type: 'DOUBLE' },
  ] as const;
  await writeTable(db, table, columns, rows);
}

/**
 * clv_predictions: per customer, P(alive) (closed form, in SQL), expected purchases and
 * discounted CLV over the horizon (eq. 10's factor for a live customer, once per distinct
 * (x, T), times P(alive)), and the Gamma-Gamma expected order value (in SQL).
 */
export const predictClv = defineStep({
  version: 2,
  inputs: ['int_customer_rfm', 'clv_model'],
  async run({ db, model, inputs, table }) {
    const horizonMonths = numberSetting(model, 'horizon_months');
    const discount = numberSetting(model, 'monthly_discount_rate');
    const [rfm, fitted] = [sqlIdent(inputs.int_customer_rfm), sqlIdent(inputs.clv_model)];
    const [fit] = await db.rows(`select * from ${fitted}`);
    const unitDays = Number(fit?.time_unit_days);
    // Predictions only from a fit that converged; otherwise they stay NULL (clv_model says why).
    const params: BgNbdParams | undefined =
      fit?.bg_nbd_converged === true ? { r: Number(fit.r), alpha: Number(fit.alpha), a: Number(fit.a), b: Number(fit.b) } : undefined;
    await writeIfAliveTable(db, 'clv_if_alive', rfm, params && bgNbdIfAlive(params), unitDays, { months: horizonMonths, monthlyDiscount: discount });
    const pAlive = bgNbdProbabilityAliveSql(
      { r: 'purchase_model.r', alpha: 'purchase_model.alpha', a: 'purchase_model.a', b: 'purchase_model.b' },
      'rfm.frequency',
      `rfm.recency_days / ${unitDays}`,
      `rfm.t_days / ${unitDays}`,
    );
    const expectedSpend = gammaGammaExpectedSpendSql(
      { p: 'spend_model.p', q: 'spend_model.q', gamma: 'spend_model.gamma' },
      'rfm.frequency',
      'rfm.monetary_value',
    );
    const columns = selectDeclaredColumns(model, {
      customer_id: 'customer_id',
      frequency: 'frequency',
      recency_days: 'recency_days',
      t_days: 't_days',
      monetary_value: 'monetary_value',
      p_alive: 'p_alive',
      [horizonColumn(model, 'expected_purchases', horizonMonths)]: 'expected_if_alive * p_alive',
      expected_avg_order_value: 'expected_spend',
      [horizonColumn(model, 'clv', horizonMonths)]: 'discounted_if_alive * p_alive * expected_spend',
    });
    // Each model's parameters only from a fit that converged (clv_model's status columns say why not).
    await db.run(`
      create or replace table ${sqlIdent(table)} as
      with customers_with_models as (
          select
              rfm.customer_id, rfm.frequency, rfm.recency_days, rfm.t_days, rfm.monetary_value,
              case when purchase_model.r is not null then ${pAlive} end as p_alive,
              if_alive.expected_purchases as expected_if_alive,
              if_alive.discounted_purchases as discounted_if_alive,
              ${expectedSpend} as expected_spend
          from ${rfm} as rfm
          left join (select r, alpha, a, b from ${fitted} where bg_nbd_converged) as purchase_model on true
          left join (select p, q, gamma from ${fitted} where gamma_gamma_converged) as spend_model on true
          left join clv_if_alive as if_alive
              on rfm.frequency = if_alive.frequency and rfm.t_days = if_alive.t_days
      )
      select
          ${columns}
      from customers_with_models`);
    await db.run('drop table clv_if_alive');
  },
});
