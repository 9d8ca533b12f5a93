// Everyday use of the command line (issue 11): usage errors exit 2 before any lake is touched,
// and a mistyped --lake is refused instead of becoming a new, empty lake.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

const ORDERS = csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c1,2024-02-05,20');

describe('loyaltylake usage', () => {
  it('--version prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    await main(['--version']);
    expect(process.exitCode).toBeUndefined();
    expect(output).toEqual([version]);
  });

  it('a bare loyaltylake prints the usage and exits 2', async () => {
    await main([]);
    expect(process.exitCode).toBe(2);
    expect(output.join('\n')).toMatch(/no command given[\s\S]*Usage:[\s\S]*loyaltylake run {2}--lake <dir>/);
  });

  it.each([
    // 2024-02-30 does not exist; 2024-2-1 is not YYYY-MM-DD
    [['--as-of', '2024-02-30'], "--as-of must be a date YYYY-MM-DD, got '2024-02-30'"],
    [['--as-of', '2024-2-1'], "--as-of must be a date YYYY-MM-DD, got '2024-2-1'"],
    [['--churn-window-days', 'abc'], "--churn-window-days must be a whole number ≥ 1, got 'abc'"],
    [['--churn-window-days', '0'], "--churn-window-days must be a whole number ≥ 1, got '0'"],
    [['--churn-window-days', '7.5'], "--churn-window-days must be a whole number ≥ 1, got '7.5'"],
    [['--memory-limit', 'lots'], "--memory-limit must be a size such as 2GB or 512MiB, got 'lots'"],
    [['--memory-limit', '100000'], "--memory-limit must be a size such as 2GB or 512MiB, got '100000'"], // DuckDB wants a unit
    [['--seed', '1'], 'run does not take --seed'],
    [['--lake'], "Option '--lake <value>' argument missing"],
    [['extra'], "Unexpected argument 'extra'"],
  ])('run %j is a usage error: exit 2, the value named, the lake untouched', async (args, message) => {
    // Prepare: a real lake with an export, so only the bad option can stop the run
    const { dir, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);

    // Act
    await main(['run', '--lake', dir, ...args]);

    // Assess
    expect(process.exitCode).toBe(2);
    expect(output.join('\n')).toContain(`loyaltylake: ${message}`);
    expect(readdirSync(dir)).toEqual(['inbox']); // no run started: no _runs/, no staging/
  });

  it('prints the usage after a mistyped option, not after a bad value (the message says all)', async () => {
    await main(['run', '--lake', 'x', '--as-of', '2024-02-30']);
    expect(output.join('\n')).not.toContain('Usage:');
    output = [];
    await main(['run', '--lake', 'x', '--asof', '2024-02-28']);
    expect(output.join('\n')).toMatch(/Unknown option '--asof'[\s\S]*Usage:/);
  });

  it('an S3 --lake that is no bucket URI exits 2', async () => {
    await main(['run', '--lake', 's3://']);
    expect(process.exitCode).toBe(2);
    expect(output.join('\n')).toContain("loyaltylake: not an S3 lake URI: 's3://'");
  });

  it('report without --lake and an unknown command exit 2', async () => {
    await main(['report']);
    expect(process.exitCode).toBe(2);
    process.exitCode = undefined;
    await main(['rnu', '--lake', 'x']);
    expect(process.exitCode).toBe(2);
    expect(output.join('\n')).toMatch(/report needs --lake <dir>[\s\S]*unknown command 'rnu'/);
  });
});

describe('a --lake that is no lake', () => {
  it('run refuses a folder that does not exist, names it, suggests --create, and creates nothing', async () => {
    // Prepare: the real lake is my-lake, the command says my-lak
    const parent = tempDir();
    const { dir, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const typo = join(parent, 'my-lak');

    // Act
    await main(['run', '--lake', typo, '--as-of', '2024-02-29']);

    // Assess
    expect(process.exitCode).toBe(2);
    const text = output.join('\n');
    expect(text).toContain(`loyaltylake: ${typo} is no lake: it has no inbox/ and no lake files`);
    expect(text).toContain('run again with --create');
    expect(text).not.toContain('Usage:'); // the path is the problem, not the syntax
    expect(existsSync(typo)).toBe(false);
    expect(existsSync(join(dir, '_runs'))).toBe(false);
  });

  it('run refuses a folder holding something else (no inbox/, no lake files)', async () => {
    const { dir, put } = tempLake();
    put('notes.txt', 'not a lake');
    await main(['run', '--lake', dir]);
    expect(process.exitCode).toBe(2);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('run accepts a lake whose inbox is still empty (mkdir -p lake/inbox/orders), and one with only loyaltylake.yml', async () => {
    // An empty inbox and --as-of: the run goes ahead (and fails on no data, exit 1 — not refused, not 2)
    const empty = tempLake();
    empty.put('inbox/orders/.keep', '');
    await main(['run', '--lake', empty.dir]);
    expect(process.exitCode).toBe(1);
    expect(output.join('\n')).toContain('cannot tell the as-of date');

    process.exitCode = undefined;
    const settingsOnly = tempLake();
    settingsOnly.put('loyaltylake.yml', 'churn_window_days: 60\n');
    await main(['run', '--lake', settingsOnly.dir]);
    expect(process.exitCode).toBe(1);
    expect(existsSync(join(settingsOnly.dir, '_runs/latest.json'))).toBe(true);
  });

  it('run --create starts a new lake where there is none', async () => {
    const lake = join(tempDir(), 'new-lake');
    await main(['run', '--lake', lake, '--create', '--as-of', '2024-01-31']);
    // No data but an explicit as-of: the run succeeds with empty tables and writes its manifest
    expect(output.join('\n')).toMatch(/OK {2}run/);
    expect(process.exitCode).toBeUndefined();
    expect(existsSync(join(lake, '_runs/latest.json'))).toBe(true);
  });

  it('report without --out refuses a folder that is no lake (it would write its page there)', async () => {
    const missing = join(tempDir(), 'nothing-here');
    await main(['report', '--lake', missing]);
    expect(process.exitCode).toBe(2);
    expect(existsSync(missing)).toBe(false);
    expect(output.join('\n')).toContain('run `loyaltylake run --create` on it first');
  });
});
