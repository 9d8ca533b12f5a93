import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as ingest } from '../../functions/ingest.js';
import { LocalCloud } from '../../dev/local-cloud.js';
import { S3Lake } from '../../src/core/lake/s3-lake.js';
import { csv, readParquet, tempDir } from '../helpers/temp-lake.js';

/** A preset the lake declares in its bucket's loyaltylake.yml: a till's sales export, in cents. */
const SETTINGS = `
presets:
  - preset: till_sales
    dataset: orders
    description: A till's sales export, amounts in cents.
    amount_unit: minor
    columns:
      order_id: '"Receipt"'
      customer_id: lower(trim("Member Email"))
      ordered_at: '"Sold At"'
      amount: '"Net Cents"'
`;

describe('a preset declared in the bucket', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });

  it('is used by the ingest Lambda, which reads the settings from the bucket', async () => {
    // Prepare
    process.env.SCRATCH_DIR = join(tempDir(), 'lambda-tmp');
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const drop = async (key: string, content: string) => {
      const path = join(tempDir(), 'upload');
      writeFileSync(path, content);
      await cloud.drop(path, key);
    };
    await drop('loyaltylake.yml', SETTINGS);
    await drop('inbox/till_sales/2024-06.csv', csv('Receipt,Member Email,Sold At,Net Cents', 'R-1,Ann@Example.com,2024-06-01 09:30:00,1250', 'R-2,bob@example.com,2024-06-02 17:05:00,899'));

    // Act
    const result = await ingest(cloud.takeEvents());
    vi.restoreAllMocks();

    // Assess: staged as orders, under the preset's name, cents divided by 100
    expect(result).toEqual({ batchItemFailures: [] });
    const staged = (await new S3Lake(cloud.lakeUri).list('staging/')).map((o) => o.key);
    expect(staged).toHaveLength(1);
    expect(staged[0]).toMatch(/^staging\/orders\/till_sales\/2024-06\.csv@\w+\.parquet$/);
    const local = join(tempDir(), 'staged.parquet');
    await new S3Lake(cloud.lakeUri).download(staged[0]!, local);
    const rows = await readParquet(local, '', 'order_id');
    expect(rows.map((r) => [r.order_id, r.customer_id, String(r.amount)])).toEqual([
      ['R-1', 'ann@example.com', '12.50'], // 1250 cents
      ['R-2', 'bob@example.com', '8.99'], // 899 cents
    ]);
  });
});
