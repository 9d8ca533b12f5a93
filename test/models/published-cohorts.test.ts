import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTable, failingTests, stageExports, type BuiltTable } from '../helpers/model-harness.js';
import type { FileReport } from '../../src/core/ingest/ingest.js';
import { csv } from '../helpers/temp-lake.js';

// The UCI Online Retail invoices (test/fixtures/reference/README.md): one order per invoice
// row, amount 0 (the file has none), an empty CustomerID rejected like any order without a customer.
describe('cohort_retention on the UCI Online Retail invoices', () => {
  let reports: FileReport[];
  let triangle: BuiltTable;
  const invoices = readFileSync(join(import.meta.dirname, '../fixtures/reference/online_cohorts.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);

  beforeAll(async () => {
    const staged = await stageExports({
      'inbox/orders/invoices.csv': csv('order_id,customer_id,ordered_at,amount', ...invoices.map((line, i) => `inv${i},${line},0`)),
    });
    reports = staged.reports;
    // the file's last invoice date, 2011-12-09, is the as-of date a run takes from it
    triangle = await buildTable('cohort_retention_v1', { asOf: '2011-12-09', staging: staged.staged });
  });

  it('loads every invoice with a customer and rejects those without one', () => {
    const withoutCustomer = invoices.filter((line) => line.startsWith(',')).length;
    expect(reports.map((r) => [r.rows_in, r.rows_rejected, r.rows_loaded])).toEqual([[19_573, withoutCustomer, 19_573 - withoutCustomer]]);
    expect(invoices.map((line) => line.split(',')[1]).sort().at(-1)).toBe('2011-12-09');
  });

  it('reproduces the published cohort sizes', () => {
    expect(failingTests(triangle)).toEqual([]);
    const sizes = triangle.rows.filter((r) => r.period_number === '0').map((r) => Number(r.cohort_size));
    // Published: Dec 2010 … Dec 2011
    expect(sizes).toEqual([948, 421, 380, 440, 299, 279, 235, 191, 167, 298, 352, 321, 41]);
  });

  it('reproduces the published December 2010 cohort row, the partial December 2011 included', () => {
    const december2010 = triangle.rows.filter((r) => r.cohort_month === '2010-12-01');
    expect(december2010.map((r) => Number(r.active_customers))).toEqual([948, 362, 317, 367, 341, 376, 360, 336, 336, 374, 354, 474, 260]);
    expect(december2010.at(-1)).toMatchObject({ period_month: '2011-12-01', is_partial_period: true });
    expect(december2010[11]!.retention_rate).toBeCloseTo(474 / 948, 12);
  });
});
