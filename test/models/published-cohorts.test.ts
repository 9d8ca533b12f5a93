import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/core/pipeline/run-manifest.js';
import { csv, readParquet, run, tempLake } from '../helpers/temp-lake.js';

// The UCI Online Retail invoices (test/fixtures/reference/README.md): one order per invoice
// row, amount 0 (the file has none), an empty CustomerID rejected like any order without a customer.
describe('cohort_retention on the UCI Online Retail invoices', () => {
  let manifest: RunManifest;
  let triangle: Record<string, unknown>[];
  const invoices = readFileSync(join(import.meta.dirname, '../fixtures/reference/online_cohorts.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);

  beforeAll(async () => {
    const { dir, lake, put } = tempLake();
    put('inbox/orders/invoices.csv', csv('order_id,customer_id,ordered_at,amount', ...invoices.map((line, i) => `inv${i},${line},0`)));
    manifest = await run(lake);
    triangle = await readParquet(dir, 'metrics/cohort_retention/v1/data.parquet', 'cohort_month, period_number');
  });

  it('loads every invoice with a customer and rejects those without one', () => {
    const withoutCustomer = invoices.filter((line) => line.startsWith(',')).length;
    expect(manifest.status).toBe('succeeded');
    expect(manifest.as_of).toBe('2011-12-09');
    expect(manifest.ingest).toMatchObject({ rows_in: 19_573, rows_rejected: withoutCustomer, rows_loaded: 19_573 - withoutCustomer });
  });

  it('reproduces the published cohort sizes', () => {
    const sizes = triangle.filter((r) => r.period_number === '0').map((r) => Number(r.cohort_size));
    // Published: Dec 2010 … Dec 2011
    expect(sizes).toEqual([948, 421, 380, 440, 299, 279, 235, 191, 167, 298, 352, 321, 41]);
  });

  it('reproduces the published December 2010 cohort row, the partial December 2011 included', () => {
    const december2010 = triangle.filter((r) => r.cohort_month === '2010-12-01');
    expect(december2010.map((r) => Number(r.active_customers))).toEqual([948, 362, 317, 367, 341, 376, 360, 336, 336, 374, 354, 474, 260]);
    expect(december2010.at(-1)).toMatchObject({ period_month: '2011-12-01', is_partial_period: true });
    expect(december2010[11]!.retention_rate).toBeCloseTo(474 / 948, 12);
  });
});
