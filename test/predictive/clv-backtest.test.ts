// clv_backtest built by its step on a hand-made int_orders_completed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { buildModel } from '../../src/core/models/model-runner.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { PREDICTIVE_STEPS } from '../../src/core/predictive/predictive-steps.js';
import { tempDir } from '../helpers/temp-lake.js';

const backtestModel = () => loadModels(defaultModelsDir()).find((m) => m.table === 'clv_backtest_v1')!;

describe('clv_backtest', () => {
  let db: DuckDBSession;
  beforeEach(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
    await db.run(`create table run_params as select date '2024-06-30' as as_of_date`);
  });
  afterEach(() => db.closeSync());

  it('predicts nothing, and says why, when the calibration period has no repeat purchase', async () => {
    // Prepare: 26-week holdout, so the calibration ends 2023-12-31; each customer bought once before it, two came back after it
    await db.run(`create table int_orders_completed_v1 as select customer_id, cast(order_date as date) as order_date from (values
        ('c1', '2023-03-01'), ('c1', '2024-02-01'), ('c1', '2024-03-01'),
        ('c2', '2023-06-01'), ('c2', '2024-05-01'),
        ('c3', '2023-09-01')
    ) as t(customer_id, order_date)`);

    // Act
    const built = await buildModel(db, backtestModel(), PREDICTIVE_STEPS);
    const [all] = await db.rows(`select * from clv_backtest_v1 where frequency_group = 'all'`);

    // Assess: 3 customers, 3 holdout purchase days, no prediction (not 0)
    expect(all).toMatchObject({
      customers: '3',
      actual_repeat_purchases: '3',
      predicted_repeat_purchases: null,
      relative_error: null,
      converged: false,
      fit_status: 'not fitted: no customer has a repeat purchase in the calibration period',
    });
    expect(built.tests.filter((t) => !t.passed)).toEqual([]);
  });
});
