import { sqlIdent, type DuckDBSession } from '../duckdb.js';
import { defineStep } from '../models/model-step.js';
import { writeDeclaredColumns } from '../models/step-io.js';
import { bgNbdProbabilityAliveSql, fitBgNbd } from './bg-nbd.js';
import { bgNbdIfAlive, histories, writeIfAliveTable } from './clv-steps.js';
import { attemptFit, FIT_ITERATIONS, HISTORY_FIELDS } from './fit-attempt.js';
import { fitOnce } from './fit-cache.js';

/**
 * clv_backtest: refits BG/NBD on the data up to as-of minus the holdout window, predicts
 * each calibration customer's repeat purchase days in the holdout, and sets them beside
 * what happened — overall and by calibration frequency — so a user can see how far to
 * trust the forecast on their own data.
 */
export const backtestClv = defineStep({
  version: 2,
  inputs: ['int_orders_completed'],
  async run({ db, model, inputs, table }) {
    const orders = sqlIdent(inputs.int_orders_completed);
    const holdoutDays = Number(model.settings.holdout_weeks) * 7;
    const unitDays = Number(model.settings.time_unit_days);
    const calibrationEnd = await createBacktestHistories(db, orders, holdoutDays);
    const fitRows = await histories(db, 'backtest_histories', unitDays);
    const attempt = attemptFit(fitRows.some((h) => h.frequency > 0) ? undefined : 'no customer has a repeat purchase in the calibration period', () =>
      fitOnce(fitBgNbd, fitRows, HISTORY_FIELDS, FIT_ITERATIONS),
    );
    const fit = attempt.fit;
    // Per customer: P(alive) in SQL times eq. (10)'s factor for a live customer, once per distinct (x, T).
    await writeIfAliveTable(db, 'backtest_if_alive', 'backtest_histories', fit?.converged ? bgNbdIfAlive(fit.params) : undefined, unitDays, { units: holdoutDays / unitDays });
    await db.run('create or replace temp table backtest_model as select cast(? as double) as r, cast(? as double) as alpha, cast(? as double) as a, cast(? as double) as b', [
      fit?.params.r ?? null,
      fit?.params.alpha ?? null,
      fit?.params.a ?? null,
      fit?.params.b ?? null,
    ]);
    const pAlive = bgNbdProbabilityAliveSql(
      { r: 'backtest_model.r', alpha: 'backtest_model.alpha', a: 'backtest_model.a', b: 'backtest_model.b' },
      'histories.frequency',
      `histories.recency_days / ${unitDays}`,
      `histories.t_days / ${unitDays}`,
    );
    // A group's prediction is NULL unless every customer in it has one. Summed as exact decimals,
    // so the result has the same bits whatever order DuckDB's threads add the rows in.
    const groups = await db.rows(`
      with predicted as (
          select
              histories.frequency, histories.customers, histories.actual,
              histories.customers * if_alive.expected_purchases * ${pAlive} as predicted
          from backtest_histories as histories
          cross join backtest_model
          left join backtest_if_alive as if_alive
              on histories.frequency = if_alive.frequency and histories.t_days = if_alive.t_days
      ),
      by_group as (
          select
              case when frequency >= 7 then '7+' else cast(frequency as varchar) end as frequency_group,
              customers, actual, predicted
          from predicted
          union all
          select 'all', customers, actual, predicted from predicted
      )
      select
          frequency_group,
          cast(sum(customers) as double) as customers,
          cast(sum(actual) as double) as actual,
          case when count(predicted) = count(*) then cast(sum(cast(predicted as decimal(38, 12))) as double) end as predicted
      from by_group
      group by frequency_group`);
    await db.run('drop table backtest_histories; drop table backtest_if_alive; drop table backtest_model');
    const output = groups
      .map((row) => ({ group: String(row.frequency_group), customers: Number(row.customers), actual: Number(row.actual), predicted: row.predicted === null ? null : Number(row.predicted) }))
      .sort((x, y) => x.group.localeCompare(y.group))
      .map(({ group, customers, actual, predicted }) => ({
        frequency_group: group,
        customers,
        actual_repeat_purchases: actual,
        predicted_repeat_purchases: predicted,
        relative_error: actual > 0 && predicted !== null ? predicted / actual - 1 : null,
        calibration_end: calibrationEnd,
        holdout_days: holdoutDays,
        converged: fit?.converged ?? false,
        fit_status: attempt.status,
      }));
    await writeDeclaredColumns(db, model, table, output);
  },
});

/**
 * Creates the temp table backtest_histories (frequency, recency_days, t_days, customers, actual):
 * the calibration histories up to as-of − holdoutDays, with how many customers share each and
 * their purchase days in the holdout. Returns the calibration end (YYYY-MM-DD).
 */
export async function createBacktestHistories(db: DuckDBSession, orders: string, holdoutDays: number): Promise<string> {
  await db.run(`
    create or replace temp table backtest_histories as
    with params as (
        select as_of_date, cast(as_of_date - ${holdoutDays} as date) as calibration_end from run_params
    ),
    purchase_days as (
        select distinct customer_id, order_date from ${orders}
    ),
    calibration as (
        select
            purchase_days.customer_id,
            count(*) - 1 as frequency,
            date_diff('day', min(purchase_days.order_date), max(purchase_days.order_date)) as recency_days,
            date_diff('day', min(purchase_days.order_date), min(params.calibration_end)) as t_days
        from purchase_days
        cross join params
        where purchase_days.order_date <= params.calibration_end
        group by purchase_days.customer_id
    ),
    holdout as (
        select purchase_days.customer_id, count(*) as purchases
        from purchase_days
        cross join params
        where purchase_days.order_date > params.calibration_end
        group by purchase_days.customer_id
    )
    select calibration.frequency, calibration.recency_days, calibration.t_days,
           count(*) as customers, sum(coalesce(holdout.purchases, 0)) as actual
    from calibration
    left join holdout on calibration.customer_id = holdout.customer_id
    group by all`);
  const [{ calibration_end: calibrationEnd } = { calibration_end: null }] = await db.rows(
    `select cast(as_of_date - ${holdoutDays} as varchar) as calibration_end from run_params`,
  );
  return String(calibrationEnd);
}
