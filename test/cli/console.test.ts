// What `loyaltylake run` tells the user (issue 11, "Everyday use"): where the as-of date came
// from, what a lake without orders has, every file with rejects, the warnings, and why a
// surprising number is what its definition (docs/metrics.md) gives. Real runs on small lakes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { printRunReport } from '../../src/cli/run-report.js';
import { LocalLake } from '../../src/core/lake/local-lake.js';
import type { RunManifest } from '../../src/core/pipeline/run-manifest.js';
import { csv, run, tempLake } from '../helpers/temp-lake.js';

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

/** The console after the run's progress lines (which start with two spaces and a step name). */
const summary = () => output.join('\n').slice(output.join('\n').search(/^(OK|FAILED) {2}run/m));

describe('a subscription-only lake', () => {
  // c1: 10 from 2024-01-05, +5 from 2024-02-10 (expansion in February); c3: 30 from 2024-03-05.
  // As-of = the latest subscription start, 2024-03-05 (metrics.md: no orders, so the latest dated row).
  // mrr_monthly by hand (active on the month's last day, or on the as-of date for March):
  //   2024-01: c1 10 → MRR 10, new 10; NRR: start MRR 0 → NULL
  //   2024-02: c1 15 → MRR 15, expansion 5; NRR = (10 − 0 − 0 + 5) / 10 = 150%, GRR = 10/10 = 100%
  //   2024-03 (partial): c1 15 + c3 30 → MRR 45, new 30, paying 2, ARPA 22.50
  const SUBSCRIPTIONS = csv(
    'subscription_id,customer_id,mrr,started_at,ended_at',
    's1,c1,10,2024-01-05,',
    's2,c1,5,2024-02-10,',
    's3,c3,30,2024-03-05,',
  );

  it('says the as-of date is the latest subscription start, shows MRR and what the lake has, and no order lines', async () => {
    // Prepare
    const { dir, put } = tempLake();
    put('inbox/subscriptions/subscriptions.csv', SUBSCRIPTIONS);

    // Act
    await main(['run', '--lake', dir]);

    // Assess
    const text = summary();
    expect(process.exitCode).toBeUndefined();
    expect(text).toMatch(/^OK {2}run \S+ in [\d.]+ s — as of 2024-03-05 \(latest subscription start\), churn window 90 days$/m);
    expect(text).not.toContain('latest completed order');
    expect(text).toContain('  lake    has subscriptions (3 rows) and no orders: no retention triangle, order KPIs or CLV; its subscriptions give MRR, shown below');
    expect(text).toMatch(/^2024-01  MRR 10\.00  paying 1  ARPA 10\.00  new 10\.00 .* NRR –  GRR –$/m);
    expect(text).toMatch(/^2024-02  MRR 15\.00  paying 1  ARPA 15\.00  new 0\.00  expansion 5\.00 .* NRR 150%  GRR 100%$/m);
    expect(text).toMatch(/^2024-03\* MRR 45\.00  paying 2  ARPA 22\.50  new 30\.00 /m);
    // The scorecard's latest complete month is February: the metrics with data, then the rest by name
    expect(text).toMatch(/Scorecard 2024-02 \(latest complete month\)\nMRR 15\.00  NRR 150%  GRR 100%\n– \(no data for the month, or its dataset not dropped\): retention, churn, NPS/);
    expect(text).toContain('- NRR 150% in 2024-02 is above 100% because expansion from subscribers already paying outweighed their churn and contraction');
    expect(text).not.toMatch(/Retention: share|KPIs for the latest months|orders \d/);
    // 17 models need orders: one group, not 17 repetitions of the reason
    expect(text.match(/no orders data/g)).toHaveLength(1);
  });
});

describe('notes on surprising values', () => {
  it('retention above 100%: reactivated customers count in the numerator', async () => {
    // Churn window 30 days, as-of 2024-03-31 (March complete). retention_monthly for March:
    //   live(02-29) = ordered in [02-01, 02-29] = {B}                    → CS = 1
    //   live(03-31) = ordered in [03-02, 03-31] = {A (03-10), B (03-15)} → CE = 2
    //   new in March: none (A's first order is in January, B's in February) → CN = 0
    //   retention = (CE − CN) / CS = 2 / 1 = 200%; A is reactivated (lapsed in February)
    const { dir, put } = tempLake();
    put(
      'inbox/orders/orders.csv',
      csv('order_id,customer_id,ordered_at,amount', 'a1,A,2024-01-05,10', 'b1,B,2024-02-10,10', 'a2,A,2024-03-10,10', 'b2,B,2024-03-15,10'),
    );

    await main(['run', '--lake', dir, '--as-of', '2024-03-31', '--churn-window-days', '30']);

    const text = summary();
    expect(text).toMatch(/^OK {2}run .* — as of 2024-03-31 \(--as-of\), churn window 30 days$/m);
    expect(text).toMatch(/^Scorecard 2024-03 \(latest complete month\)\nretention 200%  churn 0%$/m);
    expect(text).toContain(
      '- retention 200% in 2024-03 is above 100% because customers who came back after a lapse (reactivated) count in the numerator',
    );
  });

  it('CLV – when no customer churned in the trailing 12 months, and the partial as-of month', async () => {
    // c1 orders on the 5th of January, February and March; as-of = the latest completed order,
    // 2024-03-05, so March is partial. Window 90 days: c1 is live at every month start and end,
    // so churn is 0 in February and March → lifespan 1 / (12 × 0) is NULL (metrics.md: a rate
    // whose denominator is 0 is NULL) → clv_formula NULL in March.
    const { dir, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c1,2024-02-05,20', 'o3,c1,2024-03-05,30'));

    await main(['run', '--lake', dir]);

    const text = summary();
    expect(text).toMatch(/ — as of 2024-03-05 \(latest completed order\)/);
    expect(text).toMatch(/^2024-03\* active 1 .* churn 12m 0%\/month {2}CLV –$/m);
    expect(text).toContain("- CLV – in 2024-03: no customer churned in the trailing 12 months, so the formula's lifespan (1 / (12 × monthly churn)) has no finite value");
    expect(text).toContain("- 2024-03* is a partial month: it counts up to the as-of date 2024-03-05 only, so its orders, revenue and active customers are lower than a full month's");
  });
});

describe('rejects and warnings', () => {
  it('names every file with rejected rows, with how many of its rows', async () => {
    // a.csv: 1 of 3 rows has no customer_id (33.3%); b.csv: 2 of 2 rows have a negative amount (100%); c.csv: none
    const { dir, put } = tempLake();
    put('inbox/orders/a.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,,2024-01-06,5', 'o3,c2,2024-01-07,7'));
    put('inbox/orders/b.csv', csv('order_id,customer_id,ordered_at,amount', 'o4,c1,2024-01-08,-1', 'o5,c2,2024-01-09,-2'));
    put('inbox/orders/c.csv', csv('order_id,customer_id,ordered_at,amount', 'o6,c3,2024-01-10,3'));

    await main(['run', '--lake', dir, '--as-of', '2024-01-31']);

    const text = summary();
    expect(text).toMatch(/^ {2}rejects inbox\/orders\/a\.csv: 1 of 3 rows \(33\.3%\) rejected/m);
    expect(text).toMatch(/^ {2}rejects inbox\/orders\/b\.csv: 2 of 2 rows \(100%\) rejected/m);
    expect(text).not.toContain('inbox/orders/c.csv');
  });

  it("prints the run's warnings last, counted in the headline, so they cannot be missed", async () => {
    // Prepare: a real run's manifest; its warnings stand for what the guards (another part of issue 11) record
    const { lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c1,2024-02-05,20'));
    const manifest = await run(lake, { asOf: '2024-02-29' });
    const warnings = [
      { kind: 'jump', message: 'AOV went from 15.00 to 1,500.00 (×100) while orders stayed at 2: amounts in cents?' },
      { kind: 'rejects', message: 'inbox/orders/x.csv: 19% of rows rejected' },
    ];
    output = [];

    // (and a note an ingest left on its file, e.g. NDJSON keys not kept)
    const files = manifest.ingest.files.map((file) => ({ ...file, notes: ['120 keys outside the contract not kept (more than 100)'] }));

    // Act
    await printRunReport(lake, { ...manifest, ingest: { ...manifest.ingest, files }, warnings }, 1000);

    // Assess
    expect(output[1]).toMatch(/^OK {2}run .* — 2 WARNINGS, listed at the end$/);
    expect(output).toContain('  note    inbox/orders/orders.csv: 120 keys outside the contract not kept (more than 100)');
    expect(output.slice(-4)).toEqual([
      '!! 2 WARNINGS: numbers that may be wrong — check before you use them',
      '!!   [jump] AOV went from 15.00 to 1,500.00 (×100) while orders stayed at 2: amounts in cents?',
      '!!   [rejects] inbox/orders/x.csv: 19% of rows rejected',
      `!! (also in the run manifest under "warnings" and in the report's Data health section)`,
    ]);
  });

  it('a failed run still names the file whose every row was rejected, and ends with its warnings', async () => {
    // Neither row has an amount that parses, so both are rejected (2 of 2 = 100%)
    // and, with no completed order loaded, the run cannot tell its as-of date (exit 1).
    const { dir, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,abc', 'o2,c2,2024-01-06,xyz'));

    await main(['run', '--lake', dir]);

    const text = summary();
    expect(process.exitCode).toBe(1);
    expect(text).toMatch(/^FAILED {2}run /m);
    expect(text).toMatch(/^ {2}rejects inbox\/orders\/orders\.csv: 2 of 2 rows \(100%\) rejected/m);
    expect(text).toMatch(/^ {2}error {3}/m);

    // The warnings block closes a failed run's report too (its warning added by hand, as above)
    const failed = JSON.parse(readFileSync(join(dir, '_runs/latest.json'), 'utf8')) as RunManifest;
    output = [];
    await printRunReport(new LocalLake(dir), { ...failed, warnings: [{ kind: 'rejects', message: 'inbox/orders/orders.csv: every row rejected' }] }, 1000);
    expect(output.slice(-3, -1)).toEqual(['!! 1 WARNING: numbers that may be wrong — check before you use them', '!!   [rejects] inbox/orders/orders.csv: every row rejected']);
  });
});
