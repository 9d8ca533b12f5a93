import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/core/pipeline/run-manifest.js';
import { bgNbdExpectedPurchases, bgNbdProbabilityAlive } from '../../src/core/predictive/bg-nbd.js';
import { PURCHASE_MODELS } from '../../src/core/predictive/purchase-models.js';
import { copyOfModels } from '../helpers/models-dir.js';
import { csv, readParquet, run, tempLake } from '../helpers/temp-lake.js';

const CDNOW = join(import.meta.dirname, '../fixtures/reference/cdnow');

// The CDNOW sample's raw transactions (test/fixtures/reference/cdnow/README.md), as an orders
// export of the spec's contract, through the real ingest, SQL summary and fitting step.
describe('predictive CLV on the CDNOW sample, through the pipeline', () => {
  let manifest: RunManifest;
  let predictions: Map<string, Record<string, unknown>>;
  let fit: Record<string, unknown>;
  let fitsV2: Record<string, unknown>[];
  let predictionsV2: Map<string, Record<string, unknown>>;

  beforeAll(async () => {
    const transactions = readFileSync(join(CDNOW, 'CDNOW_sample.txt'), 'utf8').trim().split('\n');
    const orders = transactions.map((line, i) => {
      const [, sampleId, date, , dollars] = line.trim().split(/\s+/);
      return `t${i},${Number(sampleId)},${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6, 8)},${dollars}`;
    });
    const { dir, lake, put } = tempLake();
    put('inbox/orders/cdnow.csv', csv('order_id,customer_id,ordered_at,amount', ...orders));
    // calibration period 1997-01-01..1997-09-30, as in the published fit
    manifest = await run(lake, { asOf: '1997-09-30' });
    const rows = await readParquet(dir, 'metrics/clv_predictions/v1/data.parquet');
    predictions = new Map(rows.map((r) => [String(r.customer_id), r]));
    fit = (await readParquet(dir, 'metrics/clv_model/v1/data.parquet'))[0]!;
    fitsV2 = await readParquet(dir, 'metrics/clv_model/v2/data.parquet', 'model');
    predictionsV2 = new Map((await readParquet(dir, 'metrics/clv_predictions/v2/data.parquet')).map((r) => [String(r.customer_id), r]));
  });

  it('summarizes every customer exactly as the published summary (weeks = days / 7)', () => {
    expect(manifest.status).toBe('succeeded');
    const summary = readFileSync(join(CDNOW, 'cdnow_customers_summary_with_transactions.csv'), 'utf8').trim().split('\n').slice(1);
    expect(summary).toHaveLength(2357);
    expect(predictions.size).toBe(2357);
    // the CSV rounds to 2 decimals: each value must round to it (half a cent/hundredth of a week)
    const roundsTo = (ours: number, published: string) => Math.abs(ours - Number(published)) <= 0.005 + 1e-9;
    const mismatches = summary.filter((line) => {
      const [id, x, tx, T, zbar] = line.split(',');
      const p = predictions.get(id!)!;
      return !(
        Number(p.frequency) === Number(x) &&
        roundsTo(Number(p.recency_days) / 7, tx!) &&
        roundsTo(Number(p.t_days) / 7, T!) &&
        roundsTo(Number(p.monetary_value), zbar!)
      );
    });
    expect(mismatches).toEqual([]);
  });

  it('reproduces the published BG/NBD and Gamma-Gamma estimates within 1%', () => {
    expect(fit).toMatchObject({ as_of_date: '1997-09-30', time_unit_days: '7', customers: '2357', repeat_customers: '946', bg_nbd_converged: true, gamma_gamma_converged: true, gamma_gamma_mean_defined: true });
    expect(fit).toMatchObject({ bg_nbd_status: 'converged', gamma_gamma_status: 'converged', fitted_customers: '2357' });
    const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, p: 6.25, q: 3.74, gamma: 15.44 };
    for (const [name, value] of Object.entries(published)) {
      expect(Math.abs(Number(fit[name]) / value - 1), name).toBeLessThan(0.01);
    }
    expect(Math.abs(Number(fit.bg_nbd_log_likelihood) - -9582.4)).toBeLessThanOrEqual(0.5);
  });

  it('publishes the standard errors of every parameter', () => {
    // mpmath 1.3.0 on the published summary (t_x, T rounded to 0.01 week), as in bg-nbd.test.ts and
    // gamma-gamma.test.ts; the pipeline's exact day counts move them by well under 1%.
    const expected = { r_se: 0.01255732, alpha_se: 0.37822142, a_se: 0.18571914, b_se: 0.70534575, p_se: 1.189687, q_se: 0.29016561, gamma_se: 4.1599938 };
    for (const [name, value] of Object.entries(expected)) {
      expect(Math.abs(Number(fit[name]) / value - 1), name).toBeLessThan(0.01);
    }
  });

  it('clv_model v2: its BG/NBD row is version 1\'s fit, bit for bit', () => {
    const bgNbd = fitsV2.find((row) => row.model === 'bg_nbd')!;
    for (const name of ['r', 'alpha', 'a', 'b', 'r_se', 'alpha_se', 'a_se', 'b_se', 'p', 'q', 'gamma', 'customers', 'fitted_customers', 'repeat_customers']) {
      expect(bgNbd[name], name).toEqual(fit[name]);
    }
    expect(bgNbd).toMatchObject({ log_likelihood: fit.bg_nbd_log_likelihood, converged: true, flat_ridge: false, status: 'converged', s: null, beta: null });
    // the published estimates, as version 1 reproduces them above
    expect(Math.abs(Number(bgNbd.r) / 0.243 - 1)).toBeLessThan(0.01);
  });

  it('clv_predictions v2 publishes from the one model clv_model v2 selected, with its P(alive) and expected purchases', () => {
    const selected = fitsV2.filter((row) => row.selected === true);
    expect(selected).toHaveLength(1);
    const chosen = PURCHASE_MODELS.find((m) => m.name === selected[0]!.model)!;
    const params = Object.fromEntries(chosen.parameterNames.map((name) => [name, Number(selected[0]![name])]));
    expect(predictionsV2.size).toBe(2357);
    const twelveMonthsInWeeks = 365.25 / 7;
    for (const id of ['1', '2', '3', '4', '5', '100', '2357']) {
      const p = predictionsV2.get(id)!;
      const [x, tx, T] = [Number(p.frequency), Number(p.recency_days) / 7, Number(p.t_days) / 7];
      expect(p).toMatchObject({ model: chosen.name, prediction_flag: null, expected_avg_order_value: predictions.get(id)!.expected_avg_order_value });
      const alive = chosen.probabilityAlive(params, x, tx, T);
      expect(Number(p.p_alive), id).toBeCloseTo(alive, 12);
      expect(Number(p.expected_purchases_12m), id).toBeCloseTo(alive * chosen.expectedPurchasesIfAlive(params, twelveMonthsInWeeks, x, T), 10);
    }
  });

  it('reproduces the published point predictions', () => {
    const params = { r: Number(fit.r), alpha: Number(fit.alpha), a: Number(fit.a), b: Number(fit.b) };
    // customer 1: x = 2, t_x = 30.43, T = 38.86 weeks
    expect(Math.abs(bgNbdExpectedPurchases(params, 39, 2, 30.43, 38.86) / 1.226 - 1)).toBeLessThan(0.005);
    expect(Math.abs(Number(predictions.get('1')!.p_alive) / 0.727 - 1)).toBeLessThan(0.005);
    expect(Math.abs(bgNbdProbabilityAlive(params, 2, 30.43, 38.86) / 0.727 - 1)).toBeLessThan(0.005);
    const spends = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
    spends.forEach((spend, i) => {
      expect(Math.abs(Number(predictions.get(String(i + 1))!.expected_avg_order_value) / spend - 1), `customer ${i + 1}`).toBeLessThan(0.005);
    });
  });
});

describe('clv_backtest on the CDNOW sample', () => {
  it('counts the published 1,882 holdout repeat purchases of weeks 40–78 and sets the calibration fit beside them', async () => {
    // Prepare: the whole sample (to 1998-06-30) and a 39-week holdout, so the calibration ends 1997-09-30
    const transactions = readFileSync(join(CDNOW, 'CDNOW_sample.txt'), 'utf8').trim().split('\n');
    const orders = transactions.map((line, i) => {
      const [, sampleId, date, , dollars] = line.trim().split(/\s+/);
      return `t${i},${Number(sampleId)},${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6, 8)},${dollars}`;
    });
    const { dir, lake, put } = tempLake();
    put('inbox/orders/cdnow.csv', csv('order_id,customer_id,ordered_at,amount', ...orders));
    const models = copyOfModels();
    models.edit('clv_backtest/clv_backtest.yml', (text) => text.replaceAll('holdout_weeks: 26', 'holdout_weeks: 39'));

    // Act
    const manifest = await run(lake, { asOf: '1998-06-30', modelsDir: models.dir });
    const backtest = await readParquet(dir, 'metrics/clv_backtest/v1/data.parquet', 'frequency_group');

    // Assess
    expect(manifest.status).toBe('succeeded');
    const all = backtest.find((r) => r.frequency_group === 'all')!;
    expect(all).toMatchObject({ calibration_end: '1997-09-30', holdout_days: '273', customers: '2357', actual_repeat_purchases: '1882', converged: true, fit_status: 'converged' });
    expect(Number(all.relative_error)).toBeCloseTo(Number(all.predicted_repeat_purchases) / 1882 - 1, 12);
    // No published figure for this conditional sum (the paper compares cumulative forecasts);
    // a forecast off by more than a fifth would mean a broken calibration, not a weak model.
    expect(Math.abs(Number(all.relative_error))).toBeLessThan(0.2);
    const groups = backtest.filter((r) => r.frequency_group !== 'all');
    expect(groups.reduce((n, r) => n + Number(r.customers), 0)).toBe(2357);
    expect(groups.reduce((n, r) => n + Number(r.actual_repeat_purchases), 0)).toBe(1882);
    // Version 2's BG/NBD rows: the same calibration fit and groups (its sums are taken in code, v1's in SQL)
    const v2 = (await readParquet(dir, 'metrics/clv_backtest/v2/data.parquet', 'frequency_group')).filter((r) => r.model === 'bg_nbd');
    expect(v2.map((r) => r.frequency_group)).toEqual(backtest.map((r) => r.frequency_group));
    v2.forEach((row, i) => {
      const v1 = backtest[i]!;
      expect(row).toMatchObject({ customers: v1.customers, actual_repeat_purchases: v1.actual_repeat_purchases, converged: true, flat_ridge: false, fit_status: 'converged' });
      expect(Number(row.predicted_repeat_purchases) / Number(v1.predicted_repeat_purchases) - 1, String(row.frequency_group)).toBeCloseTo(0, 10);
    });
    expect(Number(v2[0]!.backtest_error)).toBeGreaterThan(0);
  });
});
