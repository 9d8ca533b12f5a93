import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runControlCommand } from '../../src/cli/control-commands.js';
import { withdrawFile } from '../../src/core/control/withdraw.js';
import { transformNeeded } from '../../src/core/pipeline/transform-needed.js';
import { csv, readParquet, run, tempLake } from '../helpers/temp-lake.js';

// Two order files: a good one and a wrong one (another shop's orders) the user wants out.
const GOOD = csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c2,2024-01-06,20');
const WRONG = csv('order_id,customer_id,ordered_at,amount', 'x1,z1,2024-01-07,1000', 'x2,z2,2024-01-08,', 'x3,z3,2024-01-08,5');

describe('loyaltylake withdraw', () => {
  let output: string[];
  beforeEach(() => {
    output = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it('takes a file out of the next build and never ingests it again, until undone', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/good.csv', GOOD);
    put('inbox/orders/wrong.csv', WRONG);
    expect((await run(lake, { asOf: '2024-01-31' })).status).toBe('succeeded');
    // Orders before: 2 good + 2 loaded of the wrong file (x2 has no amount: rejected) = 4 order rows.
    expect(existsSync(join(dir, 'rejects/orders'))).toBe(true);

    // Act
    const code = await runControlCommand('withdraw', ['inbox/orders/wrong.csv', '--lake', dir]);

    // Assess: tombstone written, staging and rejects of the file gone, the inbox file kept.
    expect(code).toBe(0);
    expect(output.join('\n')).toMatch(/withdrawn: inbox\/orders\/wrong.csv is never ingested again/);
    expect(existsSync(join(dir, 'inbox/orders/wrong.csv'))).toBe(true);
    const staged = (await lake.list('staging/orders/')).map((o) => o.key);
    expect(staged).toHaveLength(1);
    expect(staged[0]).toMatch(/^staging\/orders\/good\.csv@/);
    expect(await lake.list('rejects/')).toEqual([]);
    // The transform's check notices: the staging files differ from what the last run read.
    expect((await transformNeeded(lake)).needed).toBe(true);

    // Act: the next run
    const after = await run(lake, { asOf: '2024-01-31' });

    // Assess: the file is reported withdrawn, not ingested; the orders table holds the good file's 2 orders only.
    expect(after.status).toBe('succeeded');
    const wrong = after.ingest.files.find((f) => f.key === 'inbox/orders/wrong.csv');
    expect(wrong?.outcome).toBe('withdrawn');
    expect(after.ingest.files_loaded).toBe(0);
    const summary = await readParquet(dir, 'metrics/customer_summary/v1/data.parquet', 'customer_id');
    expect(summary.map((r) => r.customer_id)).toEqual(['c1', 'c2']);

    // Act: undo, then run
    expect(await runControlCommand('withdraw', ['inbox/orders/wrong.csv', '--lake', dir, '--undo'])).toBe(0);
    const restored = await run(lake, { asOf: '2024-01-31' });

    // Assess: ingested again as it was the first time: 2 loaded, 1 rejected; z1 and z3 back.
    const again = restored.ingest.files.find((f) => f.key === 'inbox/orders/wrong.csv');
    expect(again).toMatchObject({ outcome: 'loaded', rows_loaded: 2, rows_rejected: 1 });
    const back = await readParquet(dir, 'metrics/customer_summary/v1/data.parquet', 'customer_id');
    expect(back.map((r) => r.customer_id)).toEqual(['c1', 'c2', 'z1', 'z3']);
  });

  it('withdraws a file already deleted from the inbox (the trap: its staging stayed)', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/good.csv', GOOD);
    put('inbox/orders/wrong.csv', WRONG);
    await run(lake, { asOf: '2024-01-31' });
    await lake.delete('inbox/orders/wrong.csv');

    // Act
    const result = await withdrawFile(lake, 'inbox/orders/wrong.csv');

    // Assess
    expect(result.in_inbox).toBe(false);
    expect(result.removed.map((k) => k.split('@')[0])).toEqual(['rejects/orders/wrong.csv', 'staging/orders/wrong.csv']);
    expect(existsSync(join(dir, result.tombstone))).toBe(true);
  });

  it('lists withdrawn files', async () => {
    const { dir, put } = tempLake();
    put('inbox/orders/wrong.csv', WRONG);
    await runControlCommand('withdraw', ['inbox/orders/wrong.csv', '--lake', dir]);
    output = [];
    expect(await runControlCommand('withdraw', ['--list', '--lake', dir])).toBe(0);
    expect(output.join('\n')).toMatch(/^inbox\/orders\/wrong.csv {2}\(withdrawn \d{4}-/);
  });

  it('fails with exit code 2 for a key outside the inbox or a missing --lake', async () => {
    const { dir } = tempLake();
    expect(await runControlCommand('withdraw', ['staging/orders/x.parquet', '--lake', dir])).toBe(2);
    expect(await runControlCommand('withdraw', ['inbox/orders/x.csv'])).toBe(2);
    expect(output.join('\n')).toMatch(/withdraw takes the key of a file in the inbox/);
  });
});
