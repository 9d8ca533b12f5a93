// The notes beside surprising numbers, on rows written by hand (the pipeline runs in console.test.ts).
import { describe, expect, it } from 'vitest';
import { valueNotes } from '../../src/cli/value-notes.js';

describe('valueNotes', () => {
  it('says nothing about ordinary numbers', () => {
    // retention 80% + churn 20% = 100%; NRR 95%; churn 5%/month → lifespan 1 / (12 × 0.05) = 1.7 years; no partial month
    const kpis = [{ month: '2024-06', is_partial_period: false, avg_order_value_12m: '50.00', avg_monthly_churn_12m: 0.05, expected_lifespan_years: 1.67, clv_formula: '120.00' }];
    const scorecard = { month: '2024-06', retention_rate: 0.8, churn_rate: 0.2, net_revenue_retention: 0.95 };
    expect(valueNotes({ kpis, scorecard, mrr: [{ month: '2024-06', is_partial_period: false, net_revenue_retention: 0.95 }] }, '2024-06-30')).toEqual([]);
  });

  it('retention and churn adding up to more than 100% (reactivations), without retention above 100%', () => {
    // 91% + 14% = 105% > 100%
    expect(valueNotes({ scorecard: { month: '2026-10', retention_rate: 0.91, churn_rate: 0.14 } })).toEqual([
      'retention 91% and churn 14% in 2026-10 add up to more than 100%: reactivated customers (back after a lapse) count in retention, and churn counts only those lost from the start of the month',
    ]);
  });

  it('NRR above 100% in an MRR month the scorecard does not show, and not in the partial month', () => {
    const mrr = [
      { month: '2024-03', is_partial_period: true, net_revenue_retention: 1.3 },
      { month: '2024-02', is_partial_period: false, net_revenue_retention: 1.1 },
    ];
    const notes = valueNotes({ mrr });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^NRR 110% in 2024-02 is above 100% because expansion/);
  });

  it('a CLV resting on a lifespan of decades', () => {
    // churn 0.2%/month → lifespan 1 / (12 × 0.002) = 41.7 years → "42 years"
    const kpis = [{ month: '2024-06', is_partial_period: false, avg_order_value_12m: '300.00', avg_monthly_churn_12m: 0.002, expected_lifespan_years: 41.67, clv_formula: '90765.00' }];
    expect(valueNotes({ kpis })).toEqual([
      "CLV 90765.00 in 2024-06 assumes a lifespan of 42 years: the formula's 1 / (12 × monthly churn) with churn 0.2%/month; treat it as an upper bound",
    ]);
  });

  it('no CLV note before there are orders in the trailing window', () => {
    // avg_order_value_12m NULL: no orders in 12 months, CLV – needs no explanation beyond the empty months
    expect(valueNotes({ kpis: [{ month: '2024-06', is_partial_period: false, avg_order_value_12m: null, avg_monthly_churn_12m: null, clv_formula: null }] })).toEqual([]);
  });
});
