import { describe, expect, it } from 'vitest';
import { DuckDBSession } from '../../src/core/duckdb.js';
import { ingestInbox } from '../../src/core/ingest/ingest.js';
import type { Lake } from '../../src/core/lake/lake.js';
import { csv, tempDir, tempLake } from '../helpers/temp-lake.js';

describe('ingest of many small files', () => {
  it('reads the lake currency once per run, not once per file, while no file has set it', async () => {
    // Prepare: 6 one-row order files without a currency column (so none ever sets the lake's currency)
    const { lake, put } = tempLake();
    for (let i = 1; i <= 6; i++) put(`inbox/orders/o${i}.csv`, csv('order_id,customer_id,ordered_at,amount', `o${i},c1,2024-01-0${i},10`));
    const listed: string[] = [];
    const list = (prefix: string, options?: { etags?: boolean }) => {
      listed.push(prefix);
      return lake.list(prefix, options as { etags: true });
    };
    const counting: Lake = {
      uri: lake.uri,
      list: list as Lake['list'],
      download: lake.download.bind(lake),
      upload: lake.upload.bind(lake),
      createExclusive: lake.createExclusive.bind(lake),
      delete: lake.delete.bind(lake),
      unlisted: lake.unlisted.bind(lake),
    };
    const workDir = tempDir();
    const db = await DuckDBSession.open({ workDir, threads: 1 });

    // Act
    let reports;
    try {
      reports = await ingestInbox({ lake: counting, db, workDir, runId: 'many' });
    } finally {
      db.closeSync();
    }

    // Assess: all 6 loaded; the currency looked up once (its record, then the staged orders once),
    // where it was looked up for each of the 6 files before (6 listings of staging/orders/).
    expect(reports.map((r) => r.outcome)).toEqual(Array(6).fill('loaded'));
    expect(listed.filter((prefix) => prefix === '_runs/currency.json')).toHaveLength(1);
    expect(listed.filter((prefix) => prefix === 'staging/orders/')).toHaveLength(1);
  }, 30_000);
});
