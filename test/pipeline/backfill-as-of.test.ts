// As-of dates and history snapshots (issue 11, "Everyday use"): where the as-of date comes from,
// snapshots keyed by as-of date and settings variant, and a history-only (backfill) publish
// interrupted. The backfill runs themselves: backfill.test.ts.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson } from '../../src/core/lake/lake-helpers.js';
import { publishTables, recoverPublish, type PublishJournal } from '../../src/core/pipeline/publish.js';
import { ORDERS } from '../helpers/publish-crash.js';
import { csv, readParquet, run, tempDir, tempLake } from '../helpers/temp-lake.js';

// ORDERS: o1 c1 2024-01-05 10, o2 c2 2024-01-20 20, o3 c1 2024-02-10 30 → as-of 2024-02-10 from the data.

describe('as_of_basis', () => {
  it.each([
    ['the latest completed order', { 'inbox/orders/orders.csv': ORDERS }, {}, '2024-02-10', 'latest completed order'],
    ['--as-of', { 'inbox/orders/orders.csv': ORDERS }, { asOf: '2024-02-29' }, '2024-02-29', 'option'],
    [
      'the latest subscription start, in a lake without orders',
      { 'inbox/subscriptions/subs.csv': csv('subscription_id,customer_id,mrr,started_at', 's1,c1,10,2024-01-01', 's2,c2,10,2024-03-15') },
      {},
      '2024-03-15',
      'latest subscription start',
    ],
    [
      'the later of survey responses and events',
      {
        'inbox/survey_responses/nps.csv': csv('response_id,customer_id,survey,score,responded_at', 'r1,c1,nps,9,2024-02-01'),
        'inbox/events/events.csv': csv('customer_id,event_name,occurred_at', 'c1,login,2024-02-03'),
      },
      {},
      '2024-02-03',
      'latest event',
    ],
  ])('says the as-of date came from %s', async (_case, files, options, asOf, basis) => {
    const { lake, put } = tempLake();
    for (const [key, content] of Object.entries(files)) put(key, content);

    const manifest = await run(lake, options);

    expect(manifest).toMatchObject({ status: 'succeeded', as_of: asOf, as_of_basis: basis });
  });
});

describe('snapshots keyed by settings', () => {
  it('keeps a snapshot per churn window for one as-of date', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const ninety = await run(lake);
    const snapshot90 = `history/retention_monthly/v1/as_of=2024-02-10/settings=${ninety.history_settings}/data.parquet`;
    const bytes90 = readFileSync(join(dir, snapshot90));

    // Act
    const thirty = await run(lake, { churnWindowDays: 30 });

    // Assess: two variants of 2024-02-10, the first unchanged; each snapshot holds its own churn window
    expect(ninety.history_settings).toMatch(/^cw90-/);
    expect(thirty.history_settings).toMatch(/^cw30-/);
    expect(thirty.history_settings!.slice(4)).toBe(ninety.history_settings!.slice(4)); // same settings file (none)
    expect(readdirSync(join(dir, 'history/retention_monthly/v1/as_of=2024-02-10')).sort()).toEqual(
      [`settings=${thirty.history_settings}`, `settings=${ninety.history_settings}`].sort(),
    );
    expect(readFileSync(join(dir, snapshot90))).toEqual(bytes90);
    const windows = async (settings: string) =>
      (await readParquet(dir, `history/retention_monthly/v1/as_of=2024-02-10/settings=${settings}/data.parquet`)).map((r) => r.churn_window_days);
    expect(new Set(await windows(ninety.history_settings!))).toEqual(new Set(['90']));
    expect(new Set(await windows(thirty.history_settings!))).toEqual(new Set(['30']));
  });

  it('gives another variant to another settings file', async () => {
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', ORDERS);
    const without = await run(lake);
    put('loyaltylake.yml', 'session_gap_minutes: 45\n');

    const withFile = await run(lake);

    expect(withFile.history_settings).toMatch(/^cw90-[0-9a-f]{8}$/);
    expect(withFile.history_settings).not.toBe(without.history_settings);
  });
});

describe('a history-only publish interrupted', () => {
  async function interruptedPublish() {
    const { dir, lake } = tempLake();
    const scratch = tempDir();
    const local = join(scratch, 'table.parquet');
    writeFileSync(local, 'new snapshot');
    const key = 'history/m/v1/as_of=2024-01-31/settings=cw90-00000000/data.parquet';
    const publication = await publishTables(lake, { runId: 'b1', asOf: '2024-01-31', mode: 'history_only' }, [{ localPath: local, keys: { historyKey: key } }], scratch);
    return { dir, lake, scratch, key, publication };
  }

  it('is rolled back when the run wrote no manifest', async () => {
    const { dir, lake, scratch, key, publication } = await interruptedPublish();
    expect(publication.journal).toMatchObject({ mode: 'history_only', objects: [{ key, previous: null }] });

    const recovered = await recoverPublish(lake, scratch, undefined);

    expect(recovered).toEqual({ run_id: 'b1', action: 'rolled_back', objects: 1, replaced: 1 });
    expect(existsSync(join(dir, key))).toBe(false);
  });

  it('is rolled forward when the run wrote its succeeded manifest (latest.json names another run)', async () => {
    const { dir, lake, scratch, key } = await interruptedPublish();
    writeFileSync(join(dir, '_runs/b1.json'), JSON.stringify({ run_id: 'b1', status: 'succeeded' }));

    const recovered = await recoverPublish(lake, scratch, 'another-run');

    expect(recovered).toEqual({ run_id: 'b1', action: 'rolled_forward', objects: 1, replaced: 1 });
    expect(readFileSync(join(dir, key), 'utf8')).toBe('new snapshot');
    expect(await readJson<PublishJournal>(lake, '_runs/publish.json')).toBeUndefined();
  });
});
