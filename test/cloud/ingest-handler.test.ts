import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeS3EventKey } from '../../functions/common/events.js';
import { handler as ingest } from '../../functions/ingest.js';
import { S3Lake } from '../../src/core/lake/s3-lake.js';
import { LocalCloud } from '../../dev/local-cloud.js';
import { csv, query, tempDir } from '../helpers/temp-lake.js';

const MiB = 1024 * 1024;
const ORDERS = csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10', 'o2,c2,2024-01-20,20');

describe('ingest handler', () => {
  let cloud: LocalCloud;
  let logs: Record<string, unknown>[];
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });
  beforeEach(async () => {
    // a fresh bucket state per test: the lake lives under its own prefix
    process.env.LAKE_URI = `s3://${cloud.bucket}/t${Math.random().toString(36).slice(2, 8)}`;
    process.env.SCRATCH_DIR = join(tempDir(), 'lambda-tmp');
    cloud.takeEvents(); // forget the events of earlier tests' writes
    logs = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(JSON.parse(line)));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.env.LAKE_URI = cloud.lakeUri;
  });

  const lake = () => new S3Lake(process.env.LAKE_URI!);
  const prefix = () => process.env.LAKE_URI!.slice(`s3://${cloud.bucket}/`.length);
  async function drop(key: string, content: string | Buffer): Promise<void> {
    const path = join(tempDir(), 'upload');
    writeFileSync(path, content);
    await cloud.drop(path, `${prefix()}/${key}`);
  }
  const keys = async (under: string) => (await lake().list(under)).map((o) => o.key);

  it('loads a file once when its message is delivered twice', async () => {
    // Prepare
    await drop('inbox/orders/orders.csv', ORDERS);
    const event = cloud.takeEvents();

    // Act
    const first = await ingest(event);
    const second = await ingest(event);

    // Assess
    expect([first, second]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(logs.filter((l) => l.key === 'inbox/orders/orders.csv').map((l) => l.outcome)).toEqual(['loaded', 'already_ingested']);
    expect(await keys('staging/')).toHaveLength(1);
  });

  it('loads a file once when the same file is dropped twice', async () => {
    await drop('inbox/orders/orders.csv', ORDERS);
    await drop('inbox/orders/orders.csv', ORDERS);
    const event = cloud.takeEvents();
    expect(event.Records).toHaveLength(2);
    expect(await ingest(event)).toEqual({ batchItemFailures: [] });
    expect(logs.map((l) => l.outcome).filter(Boolean)).toEqual(['loaded', 'already_ingested']);
    expect(await keys('staging/')).toHaveLength(1);
  });

  it('loads two files dropped at once, and decodes keys with spaces, + and non-ASCII as S3 encodes them', async () => {
    // Prepare
    const odd = 'inbox/orders/Export 2024+Q1 – Zürich (2).csv';
    await drop(odd, ORDERS);
    await drop('inbox/customers/customers.csv', csv('customer_id,created_at', 'c1,2024-01-01'));
    const event = cloud.takeEvents();

    // Act
    const result = await ingest(event);

    // Assess
    expect(JSON.parse(event.Records[0]!.body).Records[0].s3.object.key).toBe(encodeS3EventKey(`${prefix()}/${odd}`));
    expect(encodeS3EventKey(odd)).toBe('inbox/orders/Export+2024%2BQ1+%E2%80%93+Z%C3%BCrich+(2).csv');
    expect(result).toEqual({ batchItemFailures: [] });
    const staged = await keys('staging/');
    expect(staged).toHaveLength(2);
    expect(staged.some((key) => key.startsWith('staging/orders/Export 2024+Q1 – Zürich (2).csv@'))).toBe(true);
  });

  it('quarantines a corrupt file in a batch without failing its message, and loads the others', async () => {
    // Prepare
    await drop('inbox/orders/good.csv', ORDERS);
    await drop('inbox/orders/corrupt.csv.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]));
    await drop('inbox/invoices/somewhere.csv', ORDERS);

    // Act
    const result = await ingest(cloud.takeEvents());

    // Assess: nothing to redeliver — the bad files are parked, with their reports
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await keys('staging/')).toHaveLength(1);
    const reports = (await keys('quarantine/')).filter((key) => key.endsWith('.error.json'));
    expect(reports.map((key) => key.replace(/@\w+\.error\.json$/, ''))).toEqual(['quarantine/_unknown/invoices/somewhere.csv', 'quarantine/orders/corrupt.csv.gz']);
  });

  it('reports only the failed message of a batch for redelivery', async () => {
    // Prepare: a message that is not an S3 notification between two good ones
    await drop('inbox/orders/a.csv', ORDERS);
    const event = cloud.takeEvents();
    event.Records.push({ messageId: 'garbled', body: '{"not": "s3"}', attributes: { ApproximateReceiveCount: 1 } });
    await drop('inbox/orders/b.csv', csv('order_id,customer_id,ordered_at,amount', 'o3,c3,2024-02-01,5'));
    event.Records.push(...cloud.takeEvents().Records);

    // Act
    const result = await ingest(event);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'garbled' }] });
    expect(await keys('staging/')).toHaveLength(2);
  });

  it('ignores the S3 test event and objects outside the inbox', async () => {
    await drop('metrics/elsewhere.csv', ORDERS);
    const event = cloud.takeEvents(() => true);
    event.Records.push({ messageId: 'test', body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: cloud.bucket }), attributes: { ApproximateReceiveCount: 1 } });
    expect(await ingest(event)).toEqual({ batchItemFailures: [] });
    expect(logs.map((l) => l.message)).toEqual(['ignored an event outside the inbox', 'ignored the S3 test event']);
    expect(await keys('staging/')).toEqual([]);
  });

  it('loads a file uploaded in parts', async () => {
    // Prepare: 200,000 orders, about 17 MB of CSV, uploaded in parts of 5 MiB (S3's smallest)
    const path = join(tempDir(), 'big.csv');
    await query(`copy (select 'o' || i as order_id, 'c' || (i % 50000) as customer_id,
                       '2024-01-01T10:00:00Z' as ordered_at, 12.5 as amount, 'a fairly long note to make the file bigger' as note
                from range(200000) as t(i)) to '${path}' (header true)`);
    const uploader = new S3Lake(process.env.LAKE_URI!, { multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    expect(statSync(path).size).toBeGreaterThan(3 * uploader.partSize);
    await uploader.upload(path, 'inbox/orders/big.csv');
    const event = cloud.takeEvents();
    // s3rver names the event of a completed multipart upload 'Post' (a single PUT is 'Put')
    expect(event.Records.map((r) => JSON.parse(r.body).Records[0].eventName)).toEqual(['ObjectCreated:Post']);

    // Act
    const result = await ingest(event);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(logs.find((l) => l.outcome === 'loaded')).toMatchObject({ rows_in: 200_000, rows_loaded: 200_000, rows_rejected: 0 });
  });
});
