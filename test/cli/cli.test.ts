import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { csv, tempDir, tempLake } from '../helpers/temp-lake.js';

let output: string[];
beforeEach(() => {
  output = [];
  process.exitCode = undefined;
  const capture = (...args: unknown[]) => void output.push(args.join(' '));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('loyaltylake CLI', () => {
  it('runs on a lake, prints what it did and exits 0', async () => {
    // Prepare
    const { dir, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c1,2024-02-05,20', 'o3,,2024-02-06,5'));

    // Act
    await main(['run', '--lake', dir, '--as-of', '2024-02-29', '--churn-window-days', '60']);

    // Assess
    const text = output.join('\n');
    expect(process.exitCode).toBeUndefined();
    expect(text).toMatch(/OK {2}run .* — as of 2024-02-29 \(--as-of\), churn window 60 days/);
    expect(text).toMatch(/files {3}1 loaded, 0 quarantined, 0 already ingested; rows 3 in = 2 loaded \+ 1 rejected/);
    expect(text).toMatch(/models {2}\d+ built, 5 skipped \([^)]*no events data[^)]*\); data tests \d+ passed, 0 failed/);
    expect(text).toMatch(/2024-01 {7}1 100% 100%/); // the triangle: the January cohort (c1) is active again in February
    expect(text).toMatch(/2024-02  active 1 {2}new 0 {2}orders 1 {2}revenue 20.00/);
  });

  it('exits 1 and names the cause when the run fails', async () => {
    const { dir, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount,status', 'o1,c1,2024-01-05,10,cancelled'));
    await main(['run', '--lake', dir]);
    expect(process.exitCode).toBe(1);
    expect(output.join('\n')).toMatch(/FAILED {2}run[\s\S]*cannot tell the as-of date[\s\S]*nothing was published/);
  });

  it.each([
    [['run'], /run needs --lake <dir>/],
    [['frobnicate', '--lake', 'x'], /unknown command 'frobnicate'/],
    [['run', '--lake', 'x', '--colour'], /Unknown option '--colour'/],
  ])('exits 2 on bad usage %j', async (args, error) => {
    await main(args);
    expect(process.exitCode).toBe(2);
    expect(output.join('\n')).toMatch(error);
  });

  it('prints its usage with the churn window default of metrics.md (90 days)', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation((text) => output.push(String(text)) > 0);
    await main(['--help']);
    expect(process.exitCode).toBeUndefined();
    expect(output.join('\n')).toMatch(/--churn-window-days .* \(default 90\)/);
  });

  it('demo writes a sample inbox, runs the pipeline on it and shows the triangle', async () => {
    // Act
    const lakeDir = join(tempDir(), 'demo-lake');
    await main(['demo', '--lake', lakeDir]);

    // Assess
    const text = output.join('\n');
    expect(process.exitCode).toBeUndefined();
    expect(text).toMatch(/refused inbox\/orders\/2026\/orders-broken-export.csv: missing required column amount/);
    expect(text).toMatch(/rows [\d,]+ in = [\d,]+ loaded \+ 10 rejected/); // 8 bad order rows, 2 out-of-range survey scores
    expect(text).toMatch(/Retention: share of each cohort active/);
    expect(existsSync(join(lakeDir, 'metrics/cohort_retention/v1/data.parquet'))).toBe(true);
  });
});
