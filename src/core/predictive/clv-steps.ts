import type { DuckDBSession } from '../duckdb.js';
import { sqlIdent } from '../duckdb.js';
import type { ModelVersion } from '../models/model-declaration.js';
import { defineStep } from '../models/model-step.js';
import { horizonColumn, queryPages, selectDeclaredColumns, writeDeclaredColumns, writeTable } from '../models/step-io.js';
import { bgNbdExpectedPurchases, bgNbdProbabilityAlive, fitBgNbd, type BgNbdParams, type BgNbdRow } from './bg-nbd.js';
import type { MaximumLikelihoodFit } from './maximum-likelihood.js';
import { fitGammaGamma, gammaGammaExpectedSpendSql, gammaGammaPopulationMeanExists } from './gamma-gamma.js';

/**
 * BFGS iteration budget per fit. Data the models suit converge in a few dozen (CDNOW: 24 and
 * 20); data they do not suit drift to the edge of the parameter space and would use any budget,
 * so the fit stops here and is published as not converged.
 */
export const FIT_ITERATIONS = 200;

/** Days in an average month, for horizons given in months. */
const DAYS_PER_MONTH = 365.25 / 12;

function numberSetting(model: ModelVersion, name: string): number {
  const value = model.settings[name];
  if (typeof value !== 'number') throw new Error(`setting ${name} must be a number, got ${JSON.stringify(value)}`);
  return value;
}

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

/** A query's result as columns of numbers (every selected column must be numeric): no object per row. */
export async function numberColumns(db: DuckDBSession, sql: string): Promise<Record<string, number[]>> {
  const reader = await db.connection.runAndReadAll(sql);
  const columns = reader.getColumnsObjectJS() as Record<string, unknown[]>;
  return Object.fromEntries(Object.entries(columns).map(([name, values]) => [name, values.map(Number)]));
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
      fitBgNbd(rows, { maxIterations: FIT_ITERATIONS }),
    );
    const bgNbd = bgNbdAttempt.fit;
    // Gamma-Gamma needs positive spend: repeat customers whose repeat purchases were all refunded are left out.
    const { frequency, monetary_value: monetaryValue, customers: weight } = await numberColumns(
      db,
      `select cast(frequency as double) as frequency, monetary_value, cast(count(*) as double) as customers from ${rfm}
       where frequency > 0 and monetary_value > 0 group by all order by all`,
    );
    const spend = frequency!.map((x, i) => ({ frequency: x, monetaryValue: monetaryValue![i]!, weight: weight![i]! }));
    const gammaGammaAttempt = attemptFit(spend.length > 1 ? undefined : 'fewer than 2 distinct repeat customers with positive spend', () =>
      fitGammaGamma(spend, { maxIterations: FIT_ITERATIONS }),
    );
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
        p: gammaGamma?.params.p ?? null,
        q: gammaGamma?.params.q ?? null,
        gamma: gammaGamma?.params.gamma ?? null,
        ...standardErrorColumns(['p', 'q', 'gamma'], gammaGamma),
        gamma_gamma_log_likelihood: gammaGamma?.logLikelihood ?? null,
        gamma_gamma_converged: gammaGamma?.converged ?? false,
        gamma_gamma_status: gammaGammaAttempt.status,
        gamma_gamma_mean_defined: gammaGamma ? gammaGammaPopulationMeanExists(gammaGamma.params) : null,
      },
    ]);
  },
});

/**
 * clv_predictions: per customer, P(alive), expected purchases and discounted CLV over the
 * horizon. BG/NBD quantities are computed once per distinct history, then joined back.
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
    const monthInUnits = DAYS_PER_MONTH / unitDays;
    const predictedHistories = async function* () {
      if (!params) return;
      const pages = queryPages(
        db,
        `select frequency, recency_days, t_days from ${rfm} group by frequency, recency_days, t_days`,
        'frequency, recency_days, t_days',
      );
      for await (const page of pages) {
        for (const row of page) {
          const [x, recencyDays, tDays] = [Number(row.frequency), Number(row.recency_days), Number(row.t_days)];
          const [tx, T] = [recencyDays / unitDays, tDays / unitDays];
          const expected = (months: number) => bgNbdExpectedPurchases(params, months * monthInUnits, x, tx, T);
          const discounted = () => {
            let total = 0;
            for (let month = 1; month <= horizonMonths; month++) total += (expected(month) - expected(month - 1)) / (1 + discount) ** month;
            return total;
          };
          yield [
            x,
            recencyDays,
            tDays,
            finiteOrNull(() => bgNbdProbabilityAlive(params, x, tx, T)),
            finiteOrNull(() => expected(horizonMonths)),
            finiteOrNull(discounted),
          ];
        }
      }
    };
    await writeTable(
      db,
      'clv_history_predictions',
      [
        { name: 'frequency', type: 'BIGINT' },
        { name: 'recency_days', type: 'BIGINT' },
        { name: 't_days', type: 'BIGINT' },
        { name: 'p_alive', type: 'DOUBLE' },
        { name: 'expected_purchases', type: 'DOUBLE' },
        { name: 'discounted_purchases', type: 'DOUBLE' },
      ],
      predictedHistories(),
    );
    const expectedSpend = gammaGammaExpectedSpendSql(
      { p: 'spend_model.p', q: 'spend_model.q', gamma: 'spend_model.gamma' },
      'rfm.frequency',
      'rfm.monetary_value',
    );
    // Spend predictions only from a Gamma-Gamma fit that converged (clv_model.gamma_gamma_status says why not).
    const spendModel = `(select p, q, gamma from ${fitted} where gamma_gamma_converged)`;
    const columns = selectDeclaredColumns(model, {
      customer_id: 'rfm.customer_id',
      frequency: 'rfm.frequency',
      recency_days: 'rfm.recency_days',
      t_days: 'rfm.t_days',
      monetary_value: 'rfm.monetary_value',
      p_alive: 'history.p_alive',
      [horizonColumn(model, 'expected_purchases', horizonMonths)]: 'history.expected_purchases',
      expected_avg_order_value: expectedSpend,
      [horizonColumn(model, 'clv', horizonMonths)]: `history.discounted_purchases * ${expectedSpend}`,
    });
    await db.run(`
      create or replace table ${sqlIdent(table)} as
      select
          ${columns}
      from ${rfm} as rfm
      left join ${spendModel} as spend_model on true
      left join clv_history_predictions as history
          on rfm.frequency = history.frequency and rfm.recency_days = history.recency_days and rfm.t_days = history.t_days`);
    await db.run('drop table clv_history_predictions');
  },
});
