import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as ingest } from '../../functions/ingest.js';
import { clearCachedKey, pseudonymisationKeyFromSecret } from '../../functions/common/pseudonymisation-key.js';
import { LocalCloud } from '../../dev/local-cloud.js';
import { runControlCommand } from '../../src/cli/control-commands.js';
import { readText } from '../../src/core/lake/lake-helpers.js';
import { S3Lake } from '../../src/core/lake/s3-lake.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { transformNeeded } from '../../src/core/pipeline/transform-needed.js';
import { csv, query, tempDir } from '../helpers/temp-lake.js';

const KEY = 'an-s3-test-key-of-enough-bytes-42';
const ENV = 'LOYALTYLAKE_PSEUDONYMISATION_KEY';
const hmac = (id: string) => createHmac('sha256', KEY).update(id, 'utf8').digest('hex');
const ORDERS = csv('order_id,customer_id,ordered_at,amount', 'o1,ann@example.com,2024-01-05,10', 'o2,bob@example.com,2024-01-06,20', 'o3,ann@example.com,2024-01-07,15');
const WRONG = csv('order_id,customer_id,ordered_at,amount', 'x1,zed@example.com,2024-01-07,1000');

describe('withdraw, forget and pseudonymisation on an S3 lake', () => {
  let cloud: LocalCloud;
  let logs: string[];
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });
  beforeEach(() => {
    // Each test its own lake under a prefix of the one bucket.
    process.env.LAKE_URI = `s3://${cloud.bucket}/t${Math.random().toString(36).slice(2, 8)}`;
    process.env.SCRATCH_DIR = join(tempDir(), 'lambda-tmp');
    cloud.takeEvents();
    logs = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.env.LAKE_URI = cloud.lakeUri;
    delete process.env[ENV];
  });

  const lake = () => new S3Lake(process.env.LAKE_URI!);
  const prefix = () => process.env.LAKE_URI!.slice(`s3://${cloud.bucket}/`.length);
  async function drop(key: string, content: string): Promise<void> {
    const path = join(tempDir(), 'upload');
    writeFileSync(path, content);
    await cloud.drop(path, `${prefix()}/${key}`);
  }
  const keys = async (under: string) => (await lake().list(under)).map((o) => o.key);
  const stagedRows = async (dataset: string) => {
    const dir = tempDir();
    const files = [];
    for (const [i, key] of (await keys(`staging/${dataset}/`)).entries()) {
      files.push(join(dir, `${i}.parquet`));
      await lake().download(key, files.at(-1)!);
    }
    return await query(`select * from read_parquet([${files.map((f) => `'${f}'`).join(', ')}]) order by order_id`);
  };

  it('withdraws a file: its rows leave the next run, and neither a run nor the ingest function loads it again', async () => {
    // Prepare: the ingest function loads both files, a run publishes
    await drop('inbox/orders/good.csv', ORDERS);
    await drop('inbox/orders/wrong.csv', WRONG);
    await ingest(cloud.takeEvents());
    expect((await runPipeline({ lake: lake(), ingest: false, asOf: '2024-01-31', threads: 2 })).status).toBe('succeeded');

    // Act
    const code = await runControlCommand('withdraw', ['inbox/orders/wrong.csv', '--lake', process.env.LAKE_URI!]);

    // Assess
    expect(code).toBe(0);
    expect((await keys('staging/orders/')).map((k) => k.split('@')[0])).toEqual(['staging/orders/good.csv']);
    expect((await transformNeeded(lake())).needed).toBe(true);
    // A new version dropped under the withdrawn key: the ingest function leaves it alone.
    await drop('inbox/orders/wrong.csv', csv('order_id,customer_id,ordered_at,amount', 'x1,zed@example.com,2024-01-07,1001'));
    await ingest(cloud.takeEvents());
    expect(logs.some((line) => line.includes('"outcome":"withdrawn"'))).toBe(true);
    expect(await keys('staging/orders/')).toHaveLength(1);
    // The next run: 3 orders of good.csv, 45.00 (10 + 20 + 15); zed is in no table.
    const manifest = await runPipeline({ lake: lake(), ingest: false, asOf: '2024-01-31', threads: 2 });
    expect(manifest.inputs.find((i) => i.dataset === 'orders')).toMatchObject({ rows: 3 });
  });

  it('pseudonymises in the ingest function, and forgets a customer by their raw id', async () => {
    // Prepare
    await drop('loyaltylake.yml', 'pseudonymise:\n  key_env: LOYALTYLAKE_PSEUDONYMISATION_KEY\n');
    process.env[ENV] = KEY;
    await drop('inbox/orders/orders.csv', ORDERS);
    await ingest(cloud.takeEvents());
    expect((await stagedRows('orders')).map((r) => r.customer_id)).toEqual([hmac('ann@example.com'), hmac('bob@example.com'), hmac('ann@example.com')]);
    expect((await runPipeline({ lake: lake(), ingest: false, asOf: '2024-01-31', threads: 2 })).status).toBe('succeeded');

    // Act
    const code = await runControlCommand('forget', ['--customer', 'ann@example.com', '--lake', process.env.LAKE_URI!]);

    // Assess: the inbox file and staging without Ann; the rewritten file's event finds it already ingested.
    expect(code).toBe(0);
    expect(await readText(lake(), 'inbox/orders/orders.csv')).toBe(csv('order_id,customer_id,ordered_at,amount', 'o2,bob@example.com,2024-01-06,20'));
    expect((await stagedRows('orders')).map((r) => [r.order_id, r.customer_id, Number(r._source_line)])).toEqual([['o2', hmac('bob@example.com'), 2]]);
    await ingest(cloud.takeEvents());
    expect(logs.some((line) => line.includes('"outcome":"already_ingested"'))).toBe(true);
    expect(await keys('staging/orders/')).toHaveLength(1);
    // The published customer table no longer holds Ann's pseudonym.
    const dir = tempDir();
    await lake().download('metrics/customer_summary/v1/data.parquet', join(dir, 's.parquet'));
    expect((await query(`select customer_id from '${join(dir, 's.parquet')}'`)).map((r) => r.customer_id)).toEqual([hmac('bob@example.com')]);
  });

  it('fails the ingest function clearly when the lake asks for pseudonyms and no key is there', async () => {
    // Prepare
    await drop('loyaltylake.yml', 'pseudonymise: true\n');
    await drop('inbox/orders/orders.csv', ORDERS);

    // Act
    const result = await ingest(cloud.takeEvents());

    // Assess: the message is retried (then dead-lettered), nothing is staged or quarantined
    expect(result.batchItemFailures).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/sets pseudonymise, but no key was found in the environment variable LOYALTYLAKE_PSEUDONYMISATION_KEY/);
    expect([...(await keys('staging/')), ...(await keys('quarantine/'))]).toEqual([]);
  });
});

describe('the key from Secrets Manager', () => {
  afterEach(() => clearCachedKey());

  it('reads the secret string once per container', async () => {
    const send = vi.fn().mockResolvedValue({ SecretString: KEY });
    const first = await pseudonymisationKeyFromSecret('arn:secret', { send } as never);
    const second = await pseudonymisationKeyFromSecret('arn:secret', { send } as never);
    expect([first?.key, second?.key]).toEqual([KEY, KEY]);
    expect(first?.source).toBe('the Secrets Manager secret arn:secret');
    expect(send).toHaveBeenCalledTimes(1);
    expect(await pseudonymisationKeyFromSecret(undefined, { send } as never)).toBeUndefined();
  });

  it('fails naming the secret when it cannot be read', async () => {
    const send = vi.fn().mockRejectedValue(new Error('AccessDeniedException'));
    await expect(pseudonymisationKeyFromSecret('arn:secret', { send } as never)).rejects.toThrow(/cannot read the pseudonymisation key from the Secrets Manager secret arn:secret: AccessDeniedException/);
  });
});
