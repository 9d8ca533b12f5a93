// A run compares its headline figures with those of the run whose tables are current, and warns
// when one jumps by ×10 or more without a matching change in its rows (issue 11, the cents case).
import { describe, expect, it } from 'vitest';
import type { RunHeadline } from '../../src/core/pipeline/headline-figures.js';
import { jumpWarnings } from '../../src/core/pipeline/jump-warnings.js';
import { csv, run, tempLake } from '../helpers/temp-lake.js';

const HEADER = 'order_id,customer_id,ordered_at,amount';
/** Four orders; as-of 2024-03-02, so the latest complete month is 2024-02 (one order, 30.00). */
const ORDERS = [
  ['o1', 'c1', '2024-01-05', 10],
  ['o2', 'c2', '2024-01-20', 20],
  ['o3', 'c1', '2024-02-10', 30],
  ['o4', 'c3', '2024-03-02', 40],
] as const;
const ordersCsv = (scale: number, copies = 1) =>
  csv(
    HEADER,
    ...Array.from({ length: copies }, (_, copy) =>
      ORDERS.map(([id, customer, date, amount]) => `${id}${copy ? `_${copy}` : ''},${customer}${copy ? `_${copy}` : ''},${date},${amount * scale}`),
    ).flat(),
  );
const day = (date: string) => new Date(`${date}T12:00:00Z`);

describe('headline figures and jump warnings', () => {
  it('records the headline figures of a run, hand-computed', async () => {
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', ordersCsv(1));

    const manifest = await run(lake);

    // up to 2024-03-02: 4 orders, 10 + 20 + 30 + 40 = 100, AOV 25, customers c1 c2 c3; month 2024-02: o3 only
    expect(manifest.headline).toEqual({
      as_of: '2024-03-02',
      latest_complete_month: '2024-02',
      figures: [
        { figure: 'orders', scope: 'as_of', value: 4, dataset: 'orders', rows: 4 },
        { figure: 'revenue', scope: 'as_of', value: 100, dataset: 'orders', rows: 4 },
        { figure: 'aov', scope: 'as_of', value: 25, dataset: 'orders', rows: 4 },
        { figure: 'customers', scope: 'as_of', value: 3, dataset: 'orders', rows: 4 },
        { figure: 'orders', scope: 'month', month: '2024-02', value: 1, dataset: 'orders', rows: 1 },
        { figure: 'revenue', scope: 'month', month: '2024-02', value: 30, dataset: 'orders', rows: 1 },
        { figure: 'aov', scope: 'month', month: '2024-02', value: 30, dataset: 'orders', rows: 1 },
        { figure: 'customers', scope: 'month', month: '2024-02', value: 1, dataset: 'orders', rows: 1 },
      ],
    });
    expect(manifest.warnings).toBeUndefined();
  });

  it('warns when the same orders come back in cents, and still publishes', async () => {
    // Prepare: a run on the orders, then the same file exported again with amounts in cents
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', ordersCsv(1), day('2024-04-01'));
    const first = await run(lake);
    put('inbox/orders/orders.csv', ordersCsv(100), day('2024-04-02'));
    const lines: string[] = [];

    // Act
    const second = await run(lake, { onProgress: (line) => lines.push(line) });

    // Assess: revenue 100 → 10,000 and AOV 25 → 2,500 (month 2024-02: 30 → 3,000 both), ×100 on the same 4 (and 1) rows;
    // orders and customers do not move
    expect(second).toMatchObject({ status: 'succeeded', published: true, publish_mode: 'current' });
    const suffix = 'check the export (amounts in cents instead of units? another currency or layout?)';
    expect(second.warnings?.map((w) => [w.kind, w.message])).toEqual([
      ['jump', `revenue changed ×100 since run ${first.run_id} (up to the as-of date: 100 → 10000; month 2024-02: 30 → 3000) while its orders rows went 4 → 4, 1 → 1: ${suffix}`],
      ['jump', `AOV changed ×100 since run ${first.run_id} (up to the as-of date: 25 → 2500; month 2024-02: 30 → 3000) while its orders rows went 4 → 4, 1 → 1: ${suffix}`],
    ]);
    expect(second.warnings![0]!.details).toMatchObject({
      figure: 'revenue',
      previous_run: first.run_id,
      changes: [
        { scope: 'as_of', previous: 100, current: 10000, factor: 100, previous_rows: 4, rows: 4, rows_factor: 1 },
        { scope: 'month', previous_month: '2024-02', month: '2024-02', previous: 30, current: 3000, factor: 100, previous_rows: 1, rows: 1, rows_factor: 1 },
      ],
    });
    expect(lines.filter((line) => line.startsWith('WARNING (jump): '))).toHaveLength(2);
  });

  it('compares with the last run that published, not with a failed run in between', async () => {
    // Prepare: a good run, a failed one (an invalid settings file), then the orders in cents
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', ordersCsv(1), day('2024-04-01'));
    const first = await run(lake);
    put('loyaltylake.yml', 'churn_window_days: soon\n');
    expect((await run(lake)).status).toBe('failed');
    await lake.delete('loyaltylake.yml');
    put('inbox/orders/orders.csv', ordersCsv(100), day('2024-04-02'));

    // Act
    const third = await run(lake);

    // Assess: revenue and AOV ×100 against the first run (the failed one recorded no figures)
    expect(third.warnings?.map((w) => [w.kind, w.details?.figure, w.details?.previous_run])).toEqual([
      ['jump', 'revenue', first.run_id],
      ['jump', 'aov', first.run_id],
    ]);
  });

  it('does not warn when ten times the orders come in: the rows changed as much as the figures', async () => {
    // Prepare: the four orders, then nine more copies of each (other ids, other customers, same dates and amounts)
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', ordersCsv(1));
    expect((await run(lake)).status).toBe('succeeded');
    put('inbox/orders/more.csv', ordersCsv(1, 10).split('\n').filter((line) => /_\d/.test(line) || line === HEADER).join('\n'));

    // Act
    const second = await run(lake);

    // Assess: orders 4 → 40, revenue 100 → 1,000, customers 3 → 30 on rows 4 → 40 (×10 each); AOV stays 25
    expect(second.status).toBe('succeeded');
    expect(second.headline?.figures.filter((f) => f.scope === 'as_of').map((f) => [f.figure, f.value, f.rows])).toEqual([
      ['orders', 40, 40],
      ['revenue', 1000, 40],
      ['aov', 25, 40],
      ['customers', 30, 40],
    ]);
    expect(second.warnings).toBeUndefined();
  });

  it('warns on MRR loaded in cents', async () => {
    // Prepare: one subscription at 49.00 a month since January, then the same at 4900
    const { lake, put } = tempLake();
    const subscriptions = (mrr: number) => csv('subscription_id,customer_id,mrr,started_at', `s1,c1,${mrr},2024-01-01`, `s2,c2,${mrr},2024-02-15`);
    put('inbox/subscriptions/subs.csv', subscriptions(49), day('2024-04-01'));
    const first = await run(lake, { asOf: '2024-03-31' });
    put('inbox/subscriptions/subs.csv', subscriptions(4900), day('2024-04-02'));

    // Act
    const second = await run(lake, { asOf: '2024-03-31' });

    // Assess: MRR on 2024-03-31 (the as-of month is complete) 98 → 9,800 on the same 2 subscriptions
    expect(first.headline?.figures).toEqual([
      { figure: 'mrr', scope: 'as_of', value: 98, dataset: 'subscriptions', rows: 2 },
      { figure: 'mrr', scope: 'month', month: '2024-03', value: 98, dataset: 'subscriptions', rows: 2 },
    ]);
    expect(second.warnings?.map((w) => w.message)).toEqual([
      expect.stringMatching(/^MRR changed ×100 since run \S+ \(up to the as-of date: 98 → 9800; month 2024-03: 98 → 9800\) while its subscriptions rows went 2 → 2, 2 → 2/),
    ]);
  });
});

describe('jumpWarnings', () => {
  const headline = (value: number, rows: number): RunHeadline => ({
    as_of: '2024-03-31',
    latest_complete_month: null,
    figures: [{ figure: 'revenue', scope: 'as_of', value, dataset: 'orders', rows }],
  });
  const previous = { run_id: 'r1', headline: headline(100, 10) };

  it.each([
    ['×9.9 on the same rows', 990, 10, 0],
    ['×10 on the same rows', 1000, 10, 1],
    ['÷10 on the same rows', 10, 10, 1],
    ['÷9.9 on the same rows', 100 / 9.9, 10, 0],
    ['×10 on ×10 the rows', 1000, 100, 0],
    ['×100 on ×10 the rows (still ×10 unexplained)', 10000, 100, 1],
    ['×20 on ×3 the rows (×6.7 unexplained)', 2000, 30, 0],
  ])('%s: %i warnings', (_case, value, rows, warnings) => {
    expect(jumpWarnings(previous, headline(value, rows))).toHaveLength(warnings);
  });

  it('compares nothing that is 0, or missing, in either run', () => {
    expect(jumpWarnings(previous, headline(0, 10))).toEqual([]);
    expect(jumpWarnings({ run_id: 'r0', headline: headline(0, 0) }, headline(1000, 10))).toEqual([]);
    expect(jumpWarnings({ run_id: 'r0' }, headline(1000, 10))).toEqual([]);
  });

  it('says a fall as ÷', () => {
    expect(jumpWarnings(previous, headline(1, 10))[0]!.message).toMatch(/^revenue changed ÷100 since run r1 \(up to the as-of date: 100 → 1\)/);
  });
});
