import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { takeLease } from '../../src/core/pipeline/run-lease.js';
import { csv, run, tempLake } from '../helpers/temp-lake.js';

const ORDERS = csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c2,2024-02-10,20');
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const lease = (fields: Record<string, unknown>) => `${JSON.stringify({ run_id: 'other', host: 'elsewhere', pid: 1, expires_at: inAnHour(), ...fields })}\n`;

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('run lease', () => {
  it('lets one of two runs started at once on one lake work; the other stops, changes nothing and says why', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);

    // Act
    const [a, b] = await Promise.all([run(lake), run(lake)]);

    // Assess: one succeeded, one blocked; the blocked run's manifest is its own, latest.json names the other
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual(['blocked', 'succeeded']);
    const [winner, blocked] = a.status === 'succeeded' ? [a, b] : [b, a];
    expect(blocked.error).toMatch(new RegExp(`^another run \\(${winner.run_id} on .*, pid ${process.pid}\\) holds the lake until \\d{4}-\\d\\d-\\d\\dT.*Z; this run stopped and changed nothing`));
    expect(blocked.ingest.files).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, `_runs/${blocked.run_id}.json`), 'utf8'))).toMatchObject({ status: 'blocked' });
    expect(JSON.parse(readFileSync(join(dir, '_runs/latest.json'), 'utf8'))).toMatchObject({ run_id: winner.run_id, status: 'succeeded' });
    expect(winner.ingest.files_loaded).toBe(1); // the file was claimed once
    expect(existsSync(join(dir, '_runs/lease.json'))).toBe(false); // released
  });

  it('CLI: a run on a lake another run holds exits 3 with the holder and until when', async () => {
    // Prepare
    const { dir, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const until = inAnHour();
    put('_runs/lease.json', lease({ expires_at: until }));
    const output: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));

    // Act
    await main(['run', '--lake', dir]);

    // Assess
    expect(process.exitCode).toBe(3);
    expect(output.join('\n')).toContain(`another run (other on elsewhere, pid 1) holds the lake until ${until}`);
    expect(existsSync(join(dir, 'staging'))).toBe(false);
  });

  it('takes over a lease that expired, once', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    put('_runs/lease.json', lease({ expires_at: '2020-01-01T00:00:00.000Z' }));

    // Act
    const manifest = await run(lake);

    // Assess: taken (a marker names the expired lease), then released
    expect(manifest.status).toBe('succeeded');
    expect(JSON.parse(readFileSync(join(dir, '_runs/lease-takeover/other.json'), 'utf8'))).toMatchObject({ run_id: manifest.run_id });
    expect(existsSync(join(dir, '_runs/lease.json'))).toBe(false);
  });

  it('takes over an unexpired lease whose process on this machine is gone (a killed run)', async () => {
    // Prepare: the pid of a process that has ended
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const ended = spawnSync(process.execPath, ['-e', '0']).pid;
    put('_runs/lease.json', lease({ host: hostname(), pid: ended }));

    // Act + Assess
    expect((await run(lake)).status).toBe('succeeded');
  });

  it('lets only one of two runs take over the same expired lease', async () => {
    // Prepare
    const { lake, put } = tempLake();
    put('_runs/lease.json', lease({ expires_at: '2020-01-01T00:00:00.000Z' }));

    // Act
    const outcomes = await Promise.all([takeLease(lake, 'run-a'), takeLease(lake, 'run-b')]);

    // Assess
    expect(outcomes.map((o) => o.held).sort()).toEqual([false, true]);
    for (const outcome of outcomes) if (outcome.held) await outcome.lease.release();
  });
});
