// writeReport end to end on small hand-made lakes: what it reads (published tables and run
// manifests only), where it writes, and the data-health section.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCloud } from '../../dev/local-cloud.js';
import { DuckDBSession, sqlString } from '../../src/core/duckdb.js';
import type { RunManifest } from '../../src/core/pipeline/run-manifest.js';
import { listPublishedTables } from '../../src/report/published-tables.js';
import { embeddableJson } from '../../src/report/render-report.js';
import type { ReportData } from '../../src/report/report-data.js';
import { openCommand, writeReport } from '../../src/report/write-report.js';
import { countingDownloads } from '../helpers/counting-lake.js';
import { tempDir, tempLake } from '../helpers/temp-lake.js';

/** Writes the result of `select` as Parquet to `path`. */
async function parquet(path: string, select: string): Promise<void> {
  const db = await DuckDBSession.open({ workDir: tempDir(), threads: 1 });
  try {
    await db.run(`copy (${select}) to ${sqlString(path)} (format parquet)`);
  } finally {
    db.closeSync();
  }
}

function manifest(runId: string, overrides: Partial<RunManifest> = {}): RunManifest {
  return {
    run_id: runId,
    status: 'succeeded',
    lake: 'test',
    started_at: `${runId.slice(0, 4)}-01-01T00:00:00.000Z`,
    finished_at: `${runId.slice(0, 4)}-01-01T00:00:05.000Z`,
    as_of: '2024-02-29',
    churn_window_days: 90,
    settings: { source: null, unknown_keys: [] },
    ingest: { files: [], files_loaded: 0, files_quarantined: 0, files_already_ingested: 0, files_skipped: 0, files_withdrawn: 0, rows_in: 0, rows_loaded: 0, rows_rejected: 0 },
    inputs: [],
    missing_datasets: [],
    models: [],
    tests: { passed: 0, failed: 0 },
    published: true,
    timings_ms: {},
    ...overrides,
  };
}

/** The JSON the page embeds. */
function embedded(html: string): ReportData {
  const match = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(match![1]!) as ReportData;
}

const MRR_ROW = `select date '2024-02-01' as month, 120.00::decimal(18,2) as mrr, 4::bigint as paying_customers, 30.00::decimal(18,2) as new_mrr,
  5.00::decimal(18,2) as expansion_mrr, 2.50::decimal(18,2) as contraction_mrr, 10.00::decimal(18,2) as churned_mrr,
  0.00::decimal(18,2) as reactivation_mrr, 0.95 as net_revenue_retention, 0.9 as gross_revenue_retention, false as is_partial_period`;

describe('listPublishedTables', () => {
  it('finds metrics/<model>/v<N>/data.parquet and nothing else (staging, history, other files)', async () => {
    const { lake, put } = tempLake();
    for (const key of ['metrics/mrr_monthly/v1/data.parquet', 'metrics/mrr_monthly/v2/data.parquet', 'metrics/mrr_monthly/v1/other.parquet',
      'staging/orders/a.csv@123.parquet', 'history/mrr_monthly/v1/as_of=2024-01-31/data.parquet', 'metrics/Bad-Name/v1/data.parquet']) put(key, 'x');
    expect((await listPublishedTables(lake)).map((t) => t.table)).toEqual(['mrr_monthly_v1', 'mrr_monthly_v2']);
  });
});

describe('writeReport', () => {
  it('writes report/index.html into a local lake from its published tables and prints a file:// URL', async () => {
    const { dir, lake, put } = tempLake();
    put('metrics/mrr_monthly/v1/data.parquet', '');
    await parquet(join(dir, 'metrics/mrr_monthly/v1/data.parquet'), MRR_ROW);

    put('metrics/customer_summary/v1/data.parquet', 'no section reads it');
    const counted = countingDownloads(lake);

    const written = await writeReport({ lake: counted.lake });

    expect(counted.downloads).toEqual(['metrics/mrr_monthly/v1/data.parquet']);
    expect(written.location).toBe('report/index.html');
    expect(written.open).toBe(`file://${join(dir, 'report/index.html')}`);
    const html = readFileSync(join(dir, 'report/index.html'), 'utf8');
    expect(written.bytes).toBe(Buffer.byteLength(html));
    const data = embedded(html);
    expect(data.subscriptions).toEqual([{ month: '2024-02', mrr: 120, paying_customers: 4, new_mrr: 30, expansion_mrr: 5, reactivation_mrr: 0,
      contraction_mrr: -2.5, churned_mrr: -10, net_revenue_retention: 0.95, gross_revenue_retention: 0.9, partial: false }]);
    expect(data.cohorts).toBeUndefined();
    expect(data.health).toBeUndefined();
    expect(Object.keys(data.definitions)).toEqual(['mrr_monthly_v1']);
    expect(data.definitions.mrr_monthly_v1!.columns.new_mrr).toMatch(/\w/);
    // nothing is fetched: no src= or href= to anything but the page's own anchors
    expect(html).not.toMatch(/\b(src|href)=["'](?!#)/);
  });

  it('writes to --out instead, leaving the lake as it was', async () => {
    const { dir, lake } = tempLake();
    const out = join(tempDir(), 'sub', 'report.html');

    const written = await writeReport({ lake, out });

    expect(written.open).toBe(`file://${out}`);
    expect(readFileSync(out, 'utf8')).toContain('<!doctype html>');
    expect(existsSync(join(dir, 'report'))).toBe(false);
  });

  it('reports the last run: files with problems, top reject reasons, missing datasets, warnings and the run history', async () => {
    const { dir, lake, put } = tempLake();
    const rejects = (name: string) => `rejects/orders/${name}.parquet`;
    put(rejects('a'), '');
    put(rejects('b'), '');
    // a: reason x ×3, y ×1; b (other columns): x ×1, z ×2 → x 4, z 2, y 1
    await parquet(join(dir, rejects('a')), `select * from (values ('1', 'x'), ('2', 'x'), ('3', 'x'), ('4', 'y')) v(order_id, _reject_reason)`);
    await parquet(join(dir, rejects('b')), `select * from (values ('p', 1, 'x'), ('q', 2, 'z'), ('r', 3, 'z')) v(customer_id, n, _reject_reason)`);
    const files = [
      { key: 'inbox/orders/a.csv', dataset: 'orders', etag: 'e', landed_at: '', outcome: 'loaded' as const, rows_rejected: 4, rejects_key: rejects('a') },
      { key: 'inbox/orders/b.csv', dataset: 'orders', etag: 'e', landed_at: '', outcome: 'loaded' as const, rows_rejected: 3, rejects_key: rejects('b'), notes: ['key k left out'] },
      { key: 'inbox/orders/c.csv', dataset: 'orders', etag: 'e', landed_at: '', outcome: 'loaded' as const, rows_rejected: 0 },
      // d: refused whole, with the reasons its manifest entry records (no rejects file of its own)
      {
        key: 'inbox/orders/d.csv', dataset: 'orders', etag: 'e', landed_at: '', outcome: 'quarantined' as const, error: '171 of 906 rows rejected',
        top_reasons: [{ reason: 'amount is not a number', rows: 171 }],
      },
      { key: 'inbox/orders/fifo', dataset: 'orders', etag: '', landed_at: '', outcome: 'skipped' as const, error: 'not a regular file' },
    ];
    const last = manifest('2025T2', {
      status: 'failed',
      error: 'boom',
      ingest: { files, files_loaded: 3, files_quarantined: 1, files_already_ingested: 2, files_skipped: 1, files_withdrawn: 0, rows_in: 20, rows_loaded: 13, rows_rejected: 7 },
      missing_datasets: ['events'],
      models: [{ model: 'mrr_monthly', version: 1, fingerprint: 'f', status: 'built', tests: [{ name: 'unique_month', failures: 2, passed: false }, { name: 'ok', failures: 0, passed: true }] }],
      tests: { passed: 1, failed: 1 },
      as_of_source: 'data',
      as_of_basis: 'latest subscription start',
      warnings: [{ kind: 'jump', message: 'AOV went from 30.87 to 3,086.60 (×100)', details: { metric: 'avg_order_value' } }],
    });
    for (const m of [manifest('2023T1'), manifest('2024T1', { as_of: '2024-01-31' }), last]) put(`_runs/${m.run_id}.json`, JSON.stringify(m));
    put('_runs/latest.json', JSON.stringify(last));

    const health = (await writeReport({ lake, out: join(tempDir(), 'r.html') })).data.health;

    expect(health?.run).toMatchObject({ run_id: '2025T2', status: 'failed', error: 'boom', files_loaded: 3, files_quarantined: 1, files_skipped: 1, rows_rejected: 7, tests_failed: 1, as_of_basis: 'latest subscription start' });
    // each file's own reasons: from its rejects file (a: x 3, y 1; b: z 2, x 1), or as its manifest entry records them (d)
    expect(health?.files).toEqual([
      { key: 'inbox/orders/a.csv', outcome: 'loaded', rows_rejected: 4, error: null, top_reasons: [{ reason: 'x', rows: 3 }, { reason: 'y', rows: 1 }] },
      { key: 'inbox/orders/b.csv', outcome: 'loaded', rows_rejected: 3, error: null, top_reasons: [{ reason: 'z', rows: 2 }, { reason: 'x', rows: 1 }] },
      { key: 'inbox/orders/d.csv', outcome: 'quarantined', rows_rejected: 0, error: '171 of 906 rows rejected', top_reasons: [{ reason: 'amount is not a number', rows: 171 }] },
      { key: 'inbox/orders/fifo', outcome: 'skipped', rows_rejected: 0, error: 'not a regular file', top_reasons: [] },
    ]);
    expect(health?.run_warnings).toEqual([{ kind: 'jump', message: 'AOV went from 30.87 to 3,086.60 (×100)', details: { metric: 'avg_order_value' } }]);
    expect(health?.reject_reasons).toEqual([{ reason: 'x', rows: 4 }, { reason: 'z', rows: 2 }, { reason: 'y', rows: 1 }]);
    expect(health?.missing_datasets).toEqual(['events']);
    expect(health?.warnings).toEqual(['inbox/orders/b.csv: key k left out', 'mrr_monthly v1: unique_month failed']);
    expect(health?.history.map((r) => [r.run_id, r.status, r.as_of])).toEqual([
      ['2025T2', 'failed', '2024-02-29'],
      ['2024T1', 'succeeded', '2024-01-31'],
      ['2023T1', 'succeeded', '2024-02-29'],
    ]);
  });
});

describe('writeReport on S3', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });

  it('uploads report/index.html beside metrics/ and prints the presign command', async () => {
    const local = join(tempDir(), 'data.parquet');
    await parquet(local, MRR_ROW);
    const lake = cloud.lake();
    await lake.upload(local, 'metrics/mrr_monthly/v1/data.parquet');

    const written = await writeReport({ lake });

    expect(written.open).toBe(`aws s3 presign s3://${cloud.bucket}/report/index.html --expires-in 3600`);
    const copy = join(tempDir(), 'index.html');
    await lake.download('report/index.html', copy);
    expect(embedded(readFileSync(copy, 'utf8')).subscriptions).toHaveLength(1);
  });
});

describe('openCommand and embeddableJson', () => {
  it('keeps an S3 prefix in the presign command', () => {
    expect(openCommand('s3://bucket/some/prefix/')).toBe('aws s3 presign s3://bucket/some/prefix/report/index.html --expires-in 3600');
  });

  it('never lets a value close the script element it is embedded in', () => {
    const json = embeddableJson({ customer_id: '</script><script>alert(1)</script>' });
    expect(json).not.toContain('</');
    expect(JSON.parse(json)).toEqual({ customer_id: '</script><script>alert(1)</script>' });
  });
});
