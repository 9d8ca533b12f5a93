// `loyaltylake report`: writes the page and ends with the way to open it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { csv, run, tempDir, tempLake } from '../helpers/temp-lake.js';

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

describe('loyaltylake report', () => {
  it("writes report/index.html in the lake from a run's tables and ends with its file:// URL", async () => {
    const { dir, lake, put } = tempLake();
    // c1 orders in January and February: its cohort is 100% active in month 1
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c1,2024-02-05,20'));
    expect((await run(lake, { asOf: '2024-02-29' })).status).toBe('succeeded');

    await main(['report', '--lake', dir]);

    expect(process.exitCode).toBeUndefined();
    expect(output.at(-1)).toBe(`report: ${pathToFileURL(join(dir, 'report', 'index.html')).href}`);
    const html = readFileSync(join(dir, 'report', 'index.html'), 'utf8');
    expect(html).toContain('"cohorts":[{"cohort":"2024-01","period":0');
  });

  it('writes to --out, and says what is missing without --lake', async () => {
    const { dir } = tempLake();
    const out = join(tempDir(), 'r.html');
    await main(['report', '--lake', dir, '--out', out]);
    expect(output.at(-1)).toBe(`report: ${pathToFileURL(out).href}`);
    expect(existsSync(out)).toBe(true);

    await main(['report']);
    expect(process.exitCode).toBe(2);
    expect(output.at(-1)).toMatch(/^loyaltylake: report needs --lake <dir>/);
  });
});
