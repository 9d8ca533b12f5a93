// The demo lake's report in a real Chromium (shipped inside the @sparticuz/chromium package, driven
// by playwright-core; nothing downloaded): self-contained, no console error, every section drawn,
// numbers equal to the published tables, the heatmap switch working. Screenshots go to
// test-artifacts/report/ (git-ignored).
import chromium from '@sparticuz/chromium';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLake } from '../../src/core/lake/local-lake.js';
import { packageRoot } from '../../src/core/paths.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { writeDemoInbox } from '../../src/demo/index.js';
import { writeReport } from '../../src/report/write-report.js';
import { csv, query, run, tempLake } from '../helpers/temp-lake.js';

const ARTIFACTS = join(packageRoot(), 'test-artifacts', 'report');
const SECTIONS = ['scorecard', 'cohorts', 'retention', 'revenue', 'subscriptions', 'voice', 'predictive', 'segments', 'health'];

let lakeDir: string;
let reportUrl: string;
let browser: Browser;

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const money = (v: number, digits = 2) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const table = (model: string) => `read_parquet('${join(lakeDir, 'metrics', model, 'v1', 'data.parquet')}')`;

/** Opens the report, failing on any console error or page error and refusing (and counting) any request that is not the file itself. */
async function open(options: Parameters<Browser['newPage']>[0] = {}): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage(options);
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.route('**/*', async (route) => {
    if (route.request().url() === reportUrl) return await route.continue();
    requests.push(route.request().url());
    return await route.abort();
  });
  await page.goto(reportUrl);
  return { page, errors, requests };
}

beforeAll(async () => {
  // Built once for the whole file (tempDir() would be removed after the first test).
  lakeDir = mkdtempSync(join(tmpdir(), 'loyaltylake-report-browser-'));
  await writeDemoInbox(lakeDir);
  const manifest = await runPipeline({ lake: new LocalLake(lakeDir), threads: 2 });
  expect(manifest.status).toBe('succeeded');
  reportUrl = (await writeReport({ lake: new LocalLake(lakeDir) })).open;
  expect(reportUrl).toBe(pathToFileURL(join(lakeDir, 'report', 'index.html')).href);
  // chromium.args are made for Lambda; its --single-process ends the browser when a page's context closes.
  const args = chromium.args.filter((arg) => arg !== '--single-process');
  browser = await playwright.launch({ executablePath: await chromium.executablePath(), args });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (lakeDir) rmSync(lakeDir, { recursive: true, force: true });
});

describe('the demo report in Chromium', () => {
  it('loads from file:// with no network request and no console error, and draws every section', async () => {
    const { page, errors, requests } = await open({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' });
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    const drawn = await page.evaluate((ids) => ids.map((id) => {
      const section = document.getElementById(id);
      const svgs = section ? [...section.querySelectorAll('svg')] : [];
      const marks = svgs.reduce((n, svg) => n + svg.querySelectorAll('rect, circle, line, polyline').length, 0);
      const areas = svgs.map((svg) => svg.getBoundingClientRect()).filter((box) => box.width > 0 && box.height > 0).length;
      return { id, svgs: svgs.length, drawnSvgs: areas, marks };
    }), SECTIONS);
    for (const section of drawn) {
      expect(section.svgs, section.id).toBeGreaterThan(0);
      expect(section.drawnSvgs, section.id).toBe(section.svgs);
      expect(section.marks, section.id).toBeGreaterThan(3);
    }
    // every chart names its table and has its definitions one click away
    const charts = await page.$$eval('figure.chart', (figures) => figures.map((f) => ({
      title: f.querySelector('h3')?.textContent ?? '',
      source: f.querySelector('p.source')?.textContent ?? '',
      definitions: f.querySelector('details.defs dl, details.defs p')?.textContent ?? '',
    })));
    expect(charts.length).toBeGreaterThan(20);
    for (const chart of charts) {
      expect(chart.title).not.toBe('');
      expect(chart.source, chart.title).toMatch(/^Source: \S+/);
      expect(chart.definitions, chart.title).not.toBe('');
    }
    await page.screenshot({ path: join(ARTIFACTS, 'light.png'), fullPage: true });
    await page.close();
  });

  it("shows the latest complete month's retention and MRR as published", async () => {
    const [retention] = await query(`select retention_rate from ${table('retention_monthly')} where not is_partial_period order by month desc limit 1`);
    const [mrr] = await query(`select mrr::double as mrr from ${table('mrr_monthly')} where not is_partial_period order by month desc limit 1`);
    const { page } = await open();
    expect(await page.textContent('[data-metric-value="retention_rate"]')).toBe(pct(retention!.retention_rate as number));
    expect(await page.textContent('[data-metric-value="mrr"]')).toBe(money(mrr!.mrr as number));
    await page.close();
  });

  it("gives NPS's change in points, as the score crosses zero, with the previous month's score", async () => {
    const [latest, previous] = await query(`select nps from ${table('loyalty_scorecard_monthly')} where not is_partial_period order by month desc limit 2`);
    const diff = (latest!.nps as number) - (previous!.nps as number);
    const { page } = await open();
    const change = await page.textContent('[data-metric="nps"] .change');
    expect(change).toBe(`vs previous month: ${diff >= 0 ? '+' : '−'}${Math.abs(diff).toFixed(1)} points (${(previous!.nps as number).toFixed(1)})`);
    await page.close();
  });

  it('shows a cohort cell and the backtest totals as published, and switches the heatmap to revenue per customer', async () => {
    const [cell] = await query(`select active_customers, retention_rate, cumulative_revenue_per_customer::double as revenue
      from ${table('cohort_retention')} where cohort_month = date '2024-03-01' and period_number = 3`);
    const [all] = await query(`select customers, actual_repeat_purchases, predicted_repeat_purchases, relative_error
      from ${table('clv_backtest')} where frequency_group = 'all'`);
    const { page, errors } = await open();
    const heatmapCell = '#cohort-heatmap rect[data-cohort="2024-03"][data-period="3"]';
    expect(await page.textContent(`${heatmapCell} title`)).toContain(`share active ${pct(cell!.retention_rate as number)} (${cell!.active_customers} active)`);
    const totals = await page.$$eval('#backtest-totals tbody td', (cells) => cells.map((c) => c.textContent));
    expect(totals).toEqual([
      'all',
      Number(all!.customers).toLocaleString('en-US'),
      Number(all!.actual_repeat_purchases).toLocaleString('en-US'),
      Math.round(all!.predicted_repeat_purchases as number).toLocaleString('en-US'),
      pct(all!.relative_error as number),
    ]);

    await page.click('#cohort-heatmap button[data-mode="revenue"]');

    expect(await page.getAttribute('#cohort-heatmap button[data-mode="revenue"]', 'aria-pressed')).toBe('true');
    expect(await page.getAttribute(heatmapCell, 'data-mode')).toBe('revenue');
    expect(await page.textContent(`${heatmapCell} title`)).toContain(`revenue per customer (cumulative) ${money(cell!.revenue as number, 0)}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows each target's status on its tile and in the targets table, as published (the demo's loyaltylake.yml)", async () => {
    const [churn] = await query(`select value, threshold, is_met, strftime(month, '%Y-%m') as month from ${table('kpi_targets_monthly')}
      where target = 'loyalty_scorecard_monthly.churn_rate' and not is_partial_period order by month desc limit 1`);
    const published = await query(`select count(distinct target) as targets from ${table('kpi_targets_monthly')}`);
    const { page, errors } = await open();
    const status = churn!.is_met ? 'met' : 'missed';
    expect(await page.textContent('[data-metric="churn_rate"] .target')).toBe(`Target ≤ ${pct(churn!.threshold as number)}: ${status} (${churn!.month})`);
    expect(await page.$$eval('#targets-table tbody tr', (rows) => rows.length)).toBe(Number(published[0]!.targets));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the KPIs and a cohort heatmap per segment, switching dimension and segment', async () => {
    const [vip] = await query(`select retention_rate from ${table('cohort_retention_by_segment')}
      where dimension = 'segment' and segment_value = 'vip' and cohort_month = date '2024-03-01' and period_number = 2`);
    const { page, errors } = await open();
    expect(await page.$$eval('#segments .switch button', (buttons) => buttons.map((b) => b.textContent))).toEqual(['Acquisition channel', 'Segment', 'Country']);
    expect(await page.$$eval('#segment-kpis-table tbody tr td:first-child', (cells) => cells.map((c) => c.textContent))).toContain('paid_search');

    await page.click('#segments .switch button[data-dimension="segment"]');
    await page.selectOption('#segment-value', 'vip');

    expect(await page.$$eval('#segment-kpis-table tbody tr td:first-child', (cells) => cells.map((c) => c.textContent))).toEqual(['consumer', 'business', 'vip', '(none)']); // largest first; '(none)': buyers missing from the customers export
    const cell = '#segment-cohorts rect[data-segment="vip"][data-cohort="2024-03"][data-period="2"]';
    expect(await page.textContent(`${cell} title`)).toContain(`share active ${pct(vip!.retention_rate as number)}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reads in dark mode and fits a phone width without sideways scrolling', async () => {
    const dark = await open({ viewport: { width: 1200, height: 900 }, colorScheme: 'dark' });
    const background = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(20, 21, 25)');
    await dark.page.screenshot({ path: join(ARTIFACTS, 'dark.png'), fullPage: true });
    await dark.page.close();

    const phone = await open({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const widths = await phone.page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.window);
    await phone.page.screenshot({ path: join(ARTIFACTS, 'phone.png'), fullPage: true });
    expect(phone.errors).toEqual([]);
    await phone.page.close();
  });

  it('prints on A4 with no chart wider than the page', async () => {
    // A4 is 210 mm wide, less 2 × 12 mm margins: 186 mm = 703 CSS pixels
    const { page } = await open({ viewport: { width: 703, height: 1000 } });
    await page.emulateMedia({ media: 'print' });
    const tooWide = await page.$$eval('figure.chart, .tile, svg', (elements) =>
      elements.filter((e) => e.getBoundingClientRect().right > 703.5).map((e) => e.id || e.className.toString()));
    expect(tooWide).toEqual([]);
    await page.pdf({ path: join(ARTIFACTS, 'report.pdf'), format: 'A4', printBackground: true });
    await page.close();
  });

  it('marks a partial month in the charts and leaves it out of the scorecard', async () => {
    // Orders in January and February, as of 15 February: February is partial
    const { dir, lake, put } = tempLake();
    put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c2,2024-01-09,10', 'o3,c1,2024-02-05,20'));
    expect((await run(lake, { asOf: '2024-02-15' })).status).toBe('succeeded');
    const out = join(dir, 'partial.html');
    await writeReport({ lake, out });
    const page = await browser.newPage();
    await page.goto(pathToFileURL(out).href);

    expect(await page.textContent('#scorecard p.lead')).toMatch(/^Latest complete month: Jan 2024\..* Feb 2024 is partial/);
    expect(await page.textContent('#orders-monthly svg')).toContain('2024-02*');
    expect(await page.textContent('#orders-monthly p.note')).toMatch(/^\* partial month/);
    expect(await page.$$eval('#orders-monthly circle title', (titles) => titles.map((t) => t.textContent))).toEqual([
      'Orders · 2024-01: 2',
      'Orders · 2024-02*: 1 (partial month)',
    ]);
    await page.close();
  });

  it("puts the run's warnings first in Data health, and each file with rejects beside its top reasons", async () => {
    // A real run: a.csv has 3 rows, 2 without customer_id ("customer_id is missing" ×2, metrics.md: required)
    const { dir, lake, put } = tempLake();
    put('inbox/orders/a.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,,2024-01-06,5', 'o3,,2024-01-07,7'));
    expect((await run(lake, { asOf: '2024-01-31' })).status).toBe('succeeded');
    // The warning stands for what the guards of issue 11 record in the manifest
    const latest = join(dir, '_runs', 'latest.json');
    const manifest = JSON.parse(readFileSync(latest, 'utf8')) as Record<string, unknown>;
    writeFileSync(latest, JSON.stringify({ ...manifest, warnings: [{ kind: 'jump', message: 'AOV went from 10.00 to 1,000.00 (×100)' }] }));
    const out = join(dir, 'health.html');
    await writeReport({ lake, out });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(pathToFileURL(out).href);

    expect(errors).toEqual([]);
    const firstInHealth = await page.$eval('#health', (section) => section.querySelector('p.lead + *')?.id);
    expect(firstInHealth).toBe('run-warnings');
    expect(await page.textContent('#run-warnings h3')).toBe('1 warning: numbers that may be wrong — check before you use them');
    expect(await page.textContent('#run-warnings li')).toBe('[jump] AOV went from 10.00 to 1,000.00 (×100)');
    expect(await page.$$eval('#problem-files tbody td', (cells) => cells.map((c) => c.textContent))).toEqual([
      'inbox/orders/a.csv', 'loaded', '2', 'customer_id is missing: 2',
    ]);
    await page.close();
  });
});
