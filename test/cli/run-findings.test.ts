// Console lines for files with rejects and for the as-of basis, on FileReports and manifests written by hand.
import { describe, expect, it } from 'vitest';
import type { FileReport } from '../../src/core/ingest/ingest.js';
import { rejectedFileLines } from '../../src/cli/run-findings.js';
import { asOfBasis } from '../../src/report/data-health.js';

const file = (key: string, fields: Partial<FileReport>): FileReport => ({ key, dataset: 'orders', etag: 'e', landed_at: '', outcome: 'loaded', ...fields });

describe('rejectedFileLines', () => {
  it('names each loaded file with rejects, its share and its top three reasons', () => {
    const lines = rejectedFileLines([
      // 13 of 906 = 1.43% → "1.4%"; four reasons: the top three shown, then "1 more reason"
      file('inbox/orders/a.csv', {
        rows_in: 906,
        rows_rejected: 13,
        top_reasons: [
          { reason: 'customer_id is missing', rows: 10 },
          { reason: 'amount is not a number', rows: 1 },
          { reason: 'ordered_at is not a date', rows: 1 },
          { reason: 'amount is negative', rows: 1 },
        ],
      }),
      // 1 of 31,490 = 0.003% → "<0.1%", no reasons recorded
      file('inbox/orders/b.csv', { rows_in: 31490, rows_rejected: 1 }),
      file('inbox/orders/c.csv', { rows_in: 5, rows_rejected: 0 }),
      file('inbox/orders/d.csv', { outcome: 'quarantined', error: 'missing required column amount' }),
    ]);
    expect(lines).toEqual([
      '  rejects inbox/orders/a.csv: 13 of 906 rows (1.4%) rejected — customer_id is missing: 10; amount is not a number: 1; ordered_at is not a date: 1; 1 more reason',
      '  rejects inbox/orders/b.csv: 1 of 31,490 rows (<0.1%) rejected',
    ]);
  });
});

describe('asOfBasis', () => {
  const inputs = (...withRows: string[]) =>
    ['orders', 'subscriptions', 'survey_responses', 'events'].map((dataset) => ({ dataset, files: [], rows: 0, rowsCurrent: withRows.includes(dataset) ? 1 : 0 }));

  it("takes the manifest's as_of_basis ('option' read as --as-of), else tells it from the inputs", () => {
    expect(asOfBasis({ as_of_basis: 'latest subscription start', as_of_source: 'data', inputs: inputs('orders') })).toBe('latest subscription start');
    expect(asOfBasis({ as_of_basis: 'option', as_of_source: 'option', inputs: [] })).toBe('--as-of');
    expect(asOfBasis({ as_of_source: 'option', inputs: [] })).toBe('--as-of');
    expect(asOfBasis({ as_of_source: 'data', inputs: inputs('orders', 'events') })).toBe('latest completed order');
    expect(asOfBasis({ as_of_source: 'data', inputs: inputs('survey_responses') })).toBe('latest survey response');
    expect(asOfBasis({ as_of_source: 'data', inputs: inputs('subscriptions', 'survey_responses', 'events') })).toBe('latest subscription start, survey response or event');
    expect(asOfBasis({ inputs: [] })).toBeUndefined();
  });
});
