import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDemoInbox } from '../../src/cli/demo-data.js';

const root = await mkdtemp(join(tmpdir(), 'loyaltylake-demo-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function inboxFiles(lakeDir: string): Promise<string[]> {
  const entries = await readdir(join(lakeDir, 'inbox'), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(join(lakeDir, 'inbox').length + 1))
    .sort();
}

async function text(path: string): Promise<string> {
  const bytes = await readFile(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

const dataLines = (content: string): number => content.split('\n').filter((line) => line.trim() !== '').length;

describe('writeDemoInbox', () => {
  it('writes every kind of file, with the summary matching the rows written', async () => {
    const lake = join(root, 'kinds');
    const summary = await writeDemoInbox(lake, { customers: 2000 });

    const files = await inboxFiles(lake);
    expect(files).toEqual([
      'customers/customers.csv',
      'orders/2023/orders-2023.tsv',
      'orders/2024/orders-2024.csv',
      'orders/2025/orders-2025.csv.gz',
      'orders/2026/orders-2026-h1.jsonl',
      'orders/2026/orders-2026-h2.csv',
      'orders/2026/orders-broken-export.csv',
      'orders/2026/reexport-2026-09-10.csv',
    ]);
    expect(summary.files).toBe(files.length);
    expect(summary.customers).toBe(2000);

    const customers = await text(join(lake, 'inbox/customers/customers.csv'));
    expect(customers.startsWith('\uFEFFcustomer_id,created_at,acquisition_channel,referred_by\n')).toBe(true);
    expect(dataLines(customers) - 1).toBe(2000);

    let orderRows = 0;
    for (const file of files.filter((f) => f.startsWith('orders/') && !f.includes('broken'))) {
      const content = await text(join(lake, 'inbox', file));
      orderRows += dataLines(content) - (file.endsWith('.jsonl') ? 0 : 1);
    }
    expect(summary.orders).toBe(orderRows);
    expect(orderRows).toBeGreaterThan(5000);

    const broken = await text(join(lake, 'inbox/orders/2026/orders-broken-export.csv'));
    const header = broken.split('\n')[0]!.split(',');
    expect(header).toContain('total');
    expect(header).not.toContain('amount');

    const gz = await text(join(lake, 'inbox/orders/2025/orders-2025.csv.gz'));
    expect(gz.split('\r\n')[0]).toBe('order_id;customer_id;ordered_at;amount;refunded_amount;currency;status');
  });

  it('re-exports September–October with the same order ids, landing after every other file', async () => {
    const lake = join(root, 'reexport');
    await writeDemoInbox(lake, { customers: 2000 });
    const orders = join(lake, 'inbox/orders/2026');
    const ids = (content: string): string[] => content.trim().split('\n').slice(1).map((line) => line.split(',')[0]!);

    const reexport = ids(await text(join(orders, 'reexport-2026-09-10.csv')));
    const h2 = new Set(ids(await text(join(orders, 'orders-2026-h2.csv'))));
    expect(reexport.length).toBeGreaterThan(0);
    expect(reexport.every((id) => h2.has(id))).toBe(true);

    const reexportTime = (await stat(join(orders, 'reexport-2026-09-10.csv'))).mtimeMs;
    for (const file of await inboxFiles(lake)) {
      if (file.includes('reexport')) continue;
      expect((await stat(join(lake, 'inbox', file))).mtimeMs, file).toBeLessThan(reexportTime - 1000);
    }
  });

  it('is deterministic for a seed and different for another', async () => {
    const [first, second, other] = ['a', 'b', 'c'].map((name) => join(root, `seed-${name}`));
    await writeDemoInbox(first!, { customers: 2000, seed: 7 });
    await writeDemoInbox(second!, { customers: 2000, seed: 7 });
    await writeDemoInbox(other!, { customers: 2000, seed: 8 });

    const sameBytes = async (a: string, b: string, path: string): Promise<boolean> =>
      (await readFile(join(a, path))).equals(await readFile(join(b, path)));
    for (const file of await inboxFiles(first!)) {
      expect(await sameBytes(first!, second!, `inbox/${file}`), file).toBe(true);
    }
    expect(await sameBytes(first!, other!, 'inbox/customers/customers.csv')).toBe(false);
  });

  it('replaces the orders and customers folders but leaves other datasets alone', async () => {
    const lake = join(root, 'replace');
    await mkdir(join(lake, 'inbox/orders/old'), { recursive: true });
    await mkdir(join(lake, 'inbox/returns'), { recursive: true });
    await writeFile(join(lake, 'inbox/orders/old/stale.csv'), 'order_id\n1\n');
    await writeFile(join(lake, 'inbox/returns/keep.csv'), 'return_id\n1\n');

    await writeDemoInbox(lake, { customers: 500 });

    const files = await inboxFiles(lake);
    expect(files).not.toContain('orders/old/stale.csv');
    expect(files).toContain('returns/keep.csv');
  });

  it('rejects an invalid end date', async () => {
    await expect(writeDemoInbox(join(root, 'bad-date'), { endDate: '2026-02-30' })).rejects.toThrow(/endDate/);
  });
});
