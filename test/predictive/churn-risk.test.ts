import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { loadModels } from '../../src/core/models/model-declaration.js';
import { buildModel } from '../../src/core/models/model-runner.js';
import { defaultModelsDir } from '../../src/core/paths.js';
import { tempDir } from '../helpers/temp-lake.js';

describe('churn_risk', () => {
  let db: DuckDBSession;
  beforeEach(async () => {
    db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  });
  afterEach(() => db.closeSync());

  it('bands customers by P(alive), and never calls a recent buyer likely lost', async () => {
    // Prepare: a fitted model (weeks) and four customers' predictions
    await db.run(`create table clv_model_v1 as select 7 as time_unit_days, 0.5 as r, 10.0 as alpha`);
    await db.run(`create table run_params as select date '2024-06-30' as as_of_date, 90 as churn_window_days`);
    await db.run(`
      create table clv_predictions_v1 as select * from (values
          ('bought_yesterday', 3, 99, 100, 0.05),  -- low P(alive), but 1 day since the last order
          ('steady',           5, 300, 310, 0.90),
          ('fading',           2, 100, 200, 0.50),
          ('gone',             1, 10, 400, 0.10),
          ('once_lately',      0, 0, 60, 1.00),   -- one order 60 days ago: P(alive) is 1 by construction
          ('once_long_ago',    0, 0, 400, 1.00)
      ) as t(customer_id, frequency, recency_days, t_days, p_alive)`);
    const model = loadModels(defaultModelsDir()).find((m) => m.table === 'churn_risk_v1')!;

    // Act
    const built = await buildModel(db, model);
    const rows = await db.rows('select * from churn_risk_v1 order by customer_id');

    // Assess
    expect(built.tests.filter((t) => !t.passed)).toEqual([]);
    expect(rows.map((r) => [r.customer_id, Number(r.days_since_last_order), r.risk_band])).toEqual([
      ['bought_yesterday', 1, 'active'], // recent purchase (≤ 30 days) beats P(alive) 0.05
      ['fading', 100, 'at_risk'], // 0.3 ≤ 0.5 < 0.7
      ['gone', 390, 'likely_lost'], // 0.10 < 0.3
      ['once_lately', 60, 'at_risk'], // one-time buyer within the 90-day churn window
      ['once_long_ago', 400, 'likely_lost'], // one-time buyer beyond it
      ['steady', 10, 'active'], // 10 days ago
    ]);
    // expected gap for 'fading': 7 × (alpha + T) / (r + x) = 7 × (10 + 200/7) / (0.5 + 2) = 108
    expect(Number(rows.find((r) => r.customer_id === 'fading')!.expected_days_to_next_purchase)).toBeCloseTo(108, 10);
  });
});
