import { sqlIdent } from '../duckdb.js';
import { defineStep } from '../models/model-step.js';
import { queryPages, writeDeclaredColumns } from '../models/step-io.js';
import { bgNbdExpectedPurchases, fitBgNbd } from './bg-nbd.js';
import { attemptFit, finiteOrNull, FIT_ITERATIONS, histories } from './clv-steps.js';

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
    const fitRows = await histories(db, 'backtest_histories', unitDays);
    const attempt = attemptFit(fitRows.some((h) => h.frequency > 0) ? undefined : 'no customer has a repeat purchase in the calibration period', () =>
      fitBgNbd(fitRows, { maxIterations: FIT_ITERATIONS }),
    );
    const fit = attempt.fit;
    const groups = new Map<string, { customers: number; actual: number; predicted: number }>();
    const pages = queryPages(db, 'select * from backtest_histories', 'frequency, recency_days, t_days');
    for await (const page of pages) {
      for (const row of page) {
        const [x, weight, actual] = [Number(row.frequency), Number(row.customers), Number(row.actual)];
        const perCustomer = fit?.converged
          ? finiteOrNull(() => bgNbdExpectedPurchases(fit.params, holdoutDays / unitDays, x, Number(row.recency_days) / unitDays, Number(row.t_days) / unitDays))
          : null;
        const predicted = perCustomer === null ? NaN : weight * perCustomer;
        for (const group of ['all', x >= 7 ? '7+' : String(x)]) {
          const totals = groups.get(group) ?? { customers: 0, actual: 0, predicted: 0 };
          groups.set(group, { customers: totals.customers + weight, actual: totals.actual + actual, predicted: totals.predicted + predicted });
        }
      }
    }
    await db.run('drop table backtest_histories');
    const output = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, totals]) => ({
      frequency_group: group,
      customers: totals.customers,
      actual_repeat_purchases: totals.actual,
      predicted_repeat_purchases: totals.predicted,
      relative_error: totals.actual > 0 ? totals.predicted / totals.actual - 1 : null,
      calibration_end: String(calibrationEnd),
      holdout_days: holdoutDays,
      converged: fit?.converged ?? false,
      fit_status: attempt.status,
    }));
    await writeDeclaredColumns(db, model, table, output);
  },
});
