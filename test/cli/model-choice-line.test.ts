import { describe, expect, it } from 'vitest';
import { modelChoiceLine } from '../../src/cli/run-report.js';

describe('modelChoiceLine', () => {
  it('names the selected model first, then every model with its backtest error or why it is not usable', () => {
    // Prepare: rows as clv_model v2 publishes them
    const rows = [
      { model: 'bg_nbd', selected: false, backtest_error: 0.0423, converged: true, flat_ridge: false, status: 'converged' },
      { model: 'pareto_nbd', selected: true, backtest_error: 0.0312, converged: true, flat_ridge: false, status: 'converged' },
      { model: 'mbg_nbd', selected: false, backtest_error: null, converged: false, flat_ridge: false, status: 'not converged: line search failed after 12 iterations' },
    ];

    // Act / Assess: errors as percentages to one decimal (4.23% → 4.2%)
    expect(modelChoiceLine(rows)).toBe(
      'model choice (holdout backtest error): Pareto/NBD selected, 3.1%; BG/NBD 4.2%; MBG/NBD no backtest error (not converged: line search failed after 12 iterations)',
    );
  });

  it('says when predictions come from a flat ridge, and when no model was selected', () => {
    expect(modelChoiceLine([{ model: 'bg_nbd', selected: true, backtest_error: 0.001, converged: false, flat_ridge: true, status: 'flat ridge: …' }])).toBe(
      'model choice (holdout backtest error): BG/NBD selected, 0.1% (flat ridge: predictions flagged)',
    );
    expect(modelChoiceLine([{ model: 'bg_nbd', selected: false, backtest_error: null, converged: false, flat_ridge: false, status: 'not fitted: no customer has a repeat purchase' }])).toBe(
      'model choice (holdout backtest error): no model selected, no predictions; BG/NBD no backtest error (not fitted: no customer has a repeat purchase)',
    );
  });
});
