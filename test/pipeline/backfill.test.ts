// Backfills (issue 11, "Everyday use"): --as-of before the current tables' as-of date writes
// history snapshots only, unless publishCurrent. As-of basis and snapshot keys: backfill-as-of.test.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashFiles, tableStamps } from '../helpers/lake-state.js';
import { ORDERS } from '../helpers/publish-crash.js';
import { readParquet, run, tempLake } from '../helpers/temp-lake.js';

// ORDERS: o1 c1 2024-01-05 10, o2 c2 2024-01-20 20, o3 c1 2024-02-10 30 → as-of 2024-02-10 from the data.

describe('a backfill (--as-of before the current tables)', () => {
  it('writes history snapshots only, and leaves metrics/ and latest.json as they were', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const current = await run(lake);
    const metricsBefore = hashFiles(dir, ['metrics']);
    const latestBefore = readFileSync(join(dir, '_runs/latest.json'));

    // Act
    const backfill = await run(lake, { asOf: '2024-01-31' });

    // Assess
    expect(backfill).toMatchObject({
      status: 'succeeded',
      publish_mode: 'history_only',
      backfill: { current_run_id: current.run_id, current_as_of: '2024-02-10', publish_current: false },
    });
    expect(hashFiles(dir, ['metrics'])).toEqual(metricsBefore);
    expect(readFileSync(join(dir, '_runs/latest.json'))).toEqual(latestBefore);
    expect(JSON.parse(readFileSync(join(dir, `_runs/${backfill.run_id}.json`), 'utf8'))).toMatchObject({ run_id: backfill.run_id, status: 'succeeded' });
    const kpis = backfill.models.find((m) => m.model === 'loyalty_kpis_monthly')!;
    expect(kpis.published_to).toBeUndefined();
    expect(kpis.snapshot_to).toBe(`history/loyalty_kpis_monthly/v1/as_of=2024-01-31/settings=${backfill.history_settings}/data.parquet`);
    // January only: o1 and o2, 10 + 20
    const snapshot = await readParquet(dir, kpis.snapshot_to!);
    expect(snapshot.map((r) => [r.month, r.orders, r.revenue, r.is_partial_period])).toEqual([['2024-01-01', '2', '30.00', false]]);
    expect(existsSync(join(dir, `history/loyalty_kpis_monthly/v1/as_of=2024-02-10/settings=${current.history_settings}/data.parquet`))).toBe(true);
    expect(existsSync(join(dir, '_runs/publish.json'))).toBe(false);

    // and a run for the current tables' as-of date is no backfill: it replaces them
    const next = await run(lake, { asOf: '2024-02-10' });
    expect(next).toMatchObject({ status: 'succeeded', publish_mode: 'current', as_of: '2024-02-10' });
    expect(next.backfill).toBeUndefined();
    expect(new Set((await tableStamps(lake)).values())).toEqual(new Set([`${next.run_id} 2024-02-10`]));
  });

  it('replaces the current tables too with publishCurrent', async () => {
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const current = await run(lake);

    const backfill = await run(lake, { asOf: '2024-01-31', publishCurrent: true });

    expect(backfill).toMatchObject({
      status: 'succeeded',
      publish_mode: 'current',
      backfill: { current_run_id: current.run_id, current_as_of: '2024-02-10', publish_current: true },
    });
    expect(new Set((await tableStamps(lake)).values())).toEqual(new Set([`${backfill.run_id} 2024-01-31`]));
    expect(JSON.parse(readFileSync(join(dir, '_runs/latest.json'), 'utf8')).run_id).toBe(backfill.run_id);
  });

  it('puts the snapshots back when its manifest cannot be written, and leaves latest.json alone', async () => {
    // Prepare: the backfill's own manifest, which commits it, cannot be written (a folder holds its name)
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    await run(lake);
    const before = hashFiles(dir);
    const latestBefore = readFileSync(join(dir, '_runs/latest.json'));
    mkdirSync(join(dir, '_runs/backfill-run.json'));
    writeFileSync(join(dir, '_runs/backfill-run.json/blocker'), 'x');

    // Act
    const failed = await run(lake, { asOf: '2024-01-31', runId: 'backfill-run' });

    // Assess
    expect(failed).toMatchObject({ status: 'failed', published: false, publish_mode: 'history_only' });
    expect(failed.error).toMatch(/^could not write the run manifest _runs\/backfill-run\.json: .*; put back the previous content of all \d+ objects$/);
    expect(hashFiles(dir)).toEqual(before);
    expect(readFileSync(join(dir, '_runs/latest.json'))).toEqual(latestBefore);
  });
});
