import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetContracts } from '../../src/core/contracts/datasets.js';
import { presets } from '../../src/core/contracts/presets.js';
import { type DemoSummary, writeDemoInbox } from '../../src/demo/index.js';

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

/** RFC 4180 CSV: quoted fields may hold commas and doubled quotes. */
function parseCsv(content: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < content.length; i++) {
    const char = content[i]!;
    if (quoted && char === '"' && content[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (quoted || (char !== ',' && char !== '\n')) {
      field += char;
    } else {
      row.push(field);
      field = '';
      if (char === '\n') {
        rows.push(row);
        row = [];
      }
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** The header and the rows of a CSV as records by column name; every row must have the header's width. */
function csvRecords(content: string): { header: string[]; records: Record<string, string>[] } {
  const [header = [], ...rows] = parseCsv(content);
  for (const row of rows) expect(row).toHaveLength(header.length);
  return { header, records: rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]!]))) };
}

/** Records by the value of one column, in order of first appearance (Map.groupBy needs Node 21). */
function groupBy(records: readonly Record<string, string>[], column: string): Map<string, Record<string, string>[]> {
  const groups = new Map<string, Record<string, string>[]>();
  for (const record of records) {
    const group = groups.get(record[column]!);
    if (group) group.push(record);
    else groups.set(record[column]!, [record]);
  }
  return groups;
}

const cents = (amount: string): number => Math.round(Number(amount) * 100);
const MONEY = /^\d+\.\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

describe('writeDemoInbox', () => {
  it('writes every kind of file, with the summary matching the rows written', async () => {
    const lake = join(root, 'kinds');
    const summary = await writeDemoInbox(lake, { customers: 2000 });

    const files = await inboxFiles(lake);
    expect(files).toEqual([
      'customers/customers.csv',
      'events/events-2026-10.csv.gz',
      'orders/2023/orders-2023.tsv',
      'orders/2024/orders-2024.csv',
      'orders/2025/orders-2025.csv.gz',
      'orders/2026/orders-2026-h1.jsonl',
      'orders/2026/orders-2026-h2.csv',
      'orders/2026/orders-broken-export.csv',
      'orders/2026/reexport-2026-09-10.csv',
      'program_memberships/memberships.csv',
      'retention_costs/retention-spend.csv',
      'shopify_orders/orders_export_1.csv',
      'stripe_payments/unified_payments.csv',
      'stripe_subscriptions/subscriptions.csv',
      'subscriptions/subscriptions.csv',
      'support_tickets/tickets.csv',
      'survey_responses/surveys-2026.jsonl',
    ]);
    expect(summary.files).toBe(files.length);
    expect(summary.customers).toBe(2000);

    const customers = await text(join(lake, 'inbox/customers/customers.csv'));
    expect(customers.startsWith('\uFEFFcustomer_id,created_at,acquisition_channel,referred_by,segment,country\n')).toBe(true);
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

    const rowsOf = async (file: string): Promise<number> => dataLines(await text(join(lake, 'inbox', file))) - 1;
    expect(await rowsOf('subscriptions/subscriptions.csv')).toBe(summary.subscriptions);
    expect(dataLines(await text(join(lake, 'inbox/survey_responses/surveys-2026.jsonl')))).toBe(summary.surveyResponses);
    expect(await rowsOf('events/events-2026-10.csv.gz')).toBe(summary.events);
    expect(await rowsOf('retention_costs/retention-spend.csv')).toBe(summary.retentionCosts);
    expect(await rowsOf('shopify_orders/orders_export_1.csv')).toBe(summary.shopifyLineItems);
    expect(await rowsOf('stripe_payments/unified_payments.csv')).toBe(summary.stripePayments);
    expect(await rowsOf('stripe_subscriptions/subscriptions.csv')).toBe(summary.stripeSubscriptions);
    expect(await rowsOf('program_memberships/memberships.csv')).toBe(summary.programMemberships);
    expect(await rowsOf('support_tickets/tickets.csv')).toBe(summary.supportTickets);
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
    for (const file of ['subscriptions/subscriptions.csv', 'shopify_orders/orders_export_1.csv', 'stripe_payments/unified_payments.csv']) {
      expect(await sameBytes(first!, other!, `inbox/${file}`), file).toBe(false);
    }
  });

  it('writes the same bytes as the generator did before it was split, for the default seed and size', async () => {
    // Regression pin, not a specification: SHA-256 of every file the generator wrote (seed 42, 30,000
    // customers) at commit 87e2753, before src/cli/demo-data.ts was split; they equal the inbox of the
    // baseline demo lake. A gzipped file is hashed after gunzip, since zlib builds may compress differently.
    // Datasets added later (program memberships, support tickets) come from streams of their own: the
    // files pinned here must not change when one is added.
    // Prepare
    const lake = join(root, 'default');

    // Act
    const summary = await writeDemoInbox(lake);

    // Assess
    const hashes: Record<string, string> = {};
    for (const file of await inboxFiles(lake)) {
      let bytes = await readFile(join(lake, 'inbox', file));
      // segment and country were appended later, from a stream of their own: every other byte is pinned.
      if (file === 'customers/customers.csv') bytes = Buffer.from(bytes.toString('utf8').replace(/,[^,\n]*,[^,\n]*$/gm, ''));
      hashes[file] = createHash('sha256').update(file.endsWith('.gz') ? gunzipSync(bytes) : bytes).digest('hex');
    }
    expect(hashes).toMatchObject({
      'customers/customers.csv': '3230dce73b48b0c01cf7ef6a894af0559fb7c355342220099f73e8bdadaa646c',
      'events/events-2026-10.csv.gz': '95315899bff9c3a10163823d29c34ad60606036ca4b71793b1ac54c24807266f',
      'orders/2023/orders-2023.tsv': '0efeed7a95002384654a2f7d52e19e51f9e8290cb7f62e6a1b8b880db1b5e260',
      'orders/2024/orders-2024.csv': '7daab5a0e9c907819f51cc9f0bcb80737444c5eb0d090f54f0bc17d4995c33b4',
      'orders/2025/orders-2025.csv.gz': '31c7ed8bb2ff40599f3e819d1a274922b44decd5c326c54cc5f60ff073a91135',
      'orders/2026/orders-2026-h1.jsonl': 'd5798801915766dc8f3bcaf9f7710da50cac267111ec4b5acc070d119f63e7e7',
      'orders/2026/orders-2026-h2.csv': 'f9915a4b28dfffd5d6bd2828e24d5b7b4b28d6191d6b611386deca5517084e97',
      'orders/2026/orders-broken-export.csv': '4ad4a537c00f231f7a8ccfdd0a481c7115535bf564bc2ed94f0fece7b305dda6',
      'orders/2026/reexport-2026-09-10.csv': '89b48a1f1e1ff9f3932615c7a9e237265b39e5c82677dad7e2135490968c9c4a',
      'retention_costs/retention-spend.csv': '409964dfa39c5638735c3c35088e4b85db782f96cf8dffda3c20205dc099bdb2',
      'shopify_orders/orders_export_1.csv': 'c947ba02384eb7d6c3e5574f6aca9d71ee42ae0a1cfe3cd17c211254c9da4dba',
      'stripe_payments/unified_payments.csv': '3cf3f36721e984926365361eab13b44ef5a1c29b8a1476da3c3336c2add17b13',
      'stripe_subscriptions/subscriptions.csv': '8be739a24286e392322e8f40dfffd02bd05318c0cf1a51aa6f164a3ef479b368',
      'subscriptions/subscriptions.csv': '471870dae4c8475da014aa490c22669eaeab93644e234ee13941a166fee3bb76',
      'survey_responses/surveys-2026.jsonl': '13ef0f95d11bb416b55d0288c0acc4c3a2c1140756dd46c6060c1eb12439b8e0',
    });
    expect(summary).toMatchObject({
      files: 17,
      orders: 168_259,
      customers: 30_000,
      subscriptions: 6523,
      surveyResponses: 4030,
      events: 197_299,
      retentionCosts: 130,
      shopifyOrders: 1500,
      shopifyLineItems: 2726,
      stripePayments: 1131,
      stripeSubscriptions: 211,
    });
  });

  it('writes into the inbox folder of every dataset contract and of the Shopify and Stripe presets, and no other', async () => {
    // Act
    const lake = join(root, 'folders');
    await writeDemoInbox(lake, { customers: 500 });

    // Assess: the presets of issue 11 (WooCommerce, Chargebee, Typeform) have samples in
    // test/fixtures/vendors/, not in the demo's made-up shop.
    const folders = new Set((await inboxFiles(lake)).map((file) => file.split('/')[0]));
    const demoPresets = ['shopify_orders', 'stripe_payments', 'stripe_subscriptions'];
    expect(demoPresets.every((name) => presets.some((preset) => preset.preset === name))).toBe(true);
    const expected = [...datasetContracts.map((contract) => contract.name), ...demoPresets];
    expect([...folders].sort()).toEqual(expected.sort());
  });

  it('replaces the folders of the datasets and presets it writes but leaves other folders alone', async () => {
    const lake = join(root, 'replace');
    await mkdir(join(lake, 'inbox/orders/old'), { recursive: true });
    await mkdir(join(lake, 'inbox/events/old'), { recursive: true });
    await mkdir(join(lake, 'inbox/stripe_payments/old'), { recursive: true });
    await mkdir(join(lake, 'inbox/returns'), { recursive: true });
    await writeFile(join(lake, 'inbox/orders/old/stale.csv'), 'order_id\n1\n');
    await writeFile(join(lake, 'inbox/events/old/stale.csv'), 'customer_id,event_name,occurred_at\nC1,login,2020-01-01\n');
    await writeFile(join(lake, 'inbox/stripe_payments/old/stale.csv'), 'id\nch_1\n');
    await writeFile(join(lake, 'inbox/returns/keep.csv'), 'return_id\n1\n');

    await writeDemoInbox(lake, { customers: 500 });

    const files = await inboxFiles(lake);
    expect(files).not.toContain('orders/old/stale.csv');
    expect(files).not.toContain('events/old/stale.csv');
    expect(files).not.toContain('stripe_payments/old/stale.csv');
    expect(files).toContain('returns/keep.csv');
  });
});

interface SurveyLine {
  response_id: string;
  customer_id: string | null;
  survey: string;
  score: number;
  responded_at: string;
}

describe('writeDemoInbox: the other datasets and the vendor exports', () => {
  const lake = join(root, 'datasets');
  let summary: DemoSummary;
  let customerIds: Set<string>;
  const read = (file: string): Promise<string> => text(join(lake, 'inbox', file));

  beforeAll(async () => {
    summary = await writeDemoInbox(lake, { customers: 2000 });
    const customers = csvRecords((await read('customers/customers.csv')).replace(/^\uFEFF/, ''));
    customerIds = new Set(customers.records.map((c) => c['customer_id']!));
  });

  it('gives every customer a segment and a country, in the shares the generator declares', async () => {
    const { records } = csvRecords((await read('customers/customers.csv')).replace(/^\uFEFF/, ''));
    const share = (column: string, value: string) => records.filter((r) => r[column] === value).length / records.length;
    expect(new Set(records.map((r) => r['segment']))).toEqual(new Set(['consumer', 'business', 'vip']));
    expect(new Set(records.map((r) => r['country']))).toEqual(new Set(['DE', 'FR', 'NL', 'AT', 'BE', 'ES', 'IT']));
    // 2,000 draws: a share p is within 3 standard deviations (3 × sqrt(p(1 − p) / 2000) ≤ 0.034) of its weight
    expect(Math.abs(share('segment', 'consumer') - 0.72)).toBeLessThan(0.034);
    expect(Math.abs(share('segment', 'vip') - 0.08)).toBeLessThan(0.034);
    expect(Math.abs(share('country', 'DE') - 0.4)).toBeLessThan(0.034);
  });

  it('writes the lake settings file, and keeps one the lake already has', async () => {
    expect(await text(join(lake, 'loyaltylake.yml'))).toContain('key_features: [search, view_rewards, redeem_points]');
    const own = join(root, 'own-settings');
    await mkdir(own, { recursive: true });
    await writeFile(join(own, 'loyaltylake.yml'), 'churn_window_days: 60\n');
    await writeDemoInbox(own, { customers: 100 });
    expect(await text(join(own, 'loyaltylake.yml'))).toBe('churn_window_days: 60\n');
  });

  it('writes club subscriptions of the demo customers, with plan changes, cancellations and comebacks', async () => {
    // Act
    const { header, records } = csvRecords(await read('subscriptions/subscriptions.csv'));

    // Assess
    expect(header).toEqual(['subscription_id', 'customer_id', 'mrr', 'started_at', 'ended_at', 'plan']);
    expect(records).toHaveLength(summary.subscriptions);
    expect(new Set(records.map((r) => r['subscription_id'])).size).toBe(records.length);
    for (const r of records) {
      expect(customerIds.has(r['customer_id']!), r['customer_id']).toBe(true);
      expect(r['mrr']).toMatch(MONEY);
      expect(r['started_at']).toMatch(DATE);
      if (r['ended_at'] !== '') {
        expect(r['ended_at']).toMatch(DATE);
        expect(r['ended_at']! >= r['started_at']!, r['subscription_id']).toBe(true);
      }
    }
    const byCustomer = groupBy(records, 'customer_id');
    expect(byCustomer.size / customerIds.size).toBeGreaterThan(0.1);
    expect(byCustomer.size / customerIds.size).toBeLessThan(0.2);
    let planChanges = 0;
    let comebacks = 0;
    for (const subscriptions of byCustomer.values()) {
      subscriptions.forEach((previous, i) => {
        const next = subscriptions[i + 1];
        if (!next) return;
        if (previous['ended_at'] === next['started_at'] && previous['plan'] !== next['plan']) planChanges++;
        else if (previous['ended_at'] !== '' && previous['ended_at']! < next['started_at']!) comebacks++;
        else throw new Error(`overlapping subscriptions ${previous['subscription_id']} and ${next['subscription_id']}`);
      });
    }
    expect(planChanges).toBeGreaterThan(10);
    expect(comebacks).toBeGreaterThan(5);
    expect(records.filter((r) => r['ended_at'] === '').length).toBeGreaterThan(50);
    expect(new Set(records.map((r) => r['plan']))).toEqual(new Set(['trial', 'basic', 'plus', 'plus_annual', 'pro']));
  });

  it('writes survey answers of the last 18 months, NPS about +30, with exactly two scores out of range', async () => {
    // Act
    const responses = (await read('survey_responses/surveys-2026.jsonl'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SurveyLine);

    // Assess
    expect(responses).toHaveLength(summary.surveyResponses);
    expect(responses.length).toBeGreaterThan(200);
    expect(Object.keys(responses[0]!)).toEqual(['response_id', 'customer_id', 'survey', 'score', 'responded_at']);
    for (const r of responses) {
      if (r.customer_id !== null) expect(customerIds.has(r.customer_id), r.customer_id).toBe(true);
      expect(r.responded_at >= '2025-05-01T00:00:00Z' && r.responded_at <= '2026-10-31T23:59:59Z', r.responded_at).toBe(true);
    }
    const range = { nps: [0, 10], csat: [1, 5], ces: [1, 7] } as const;
    const outOfRange = responses.filter((r) => {
      const [low, high] = range[r.survey as keyof typeof range];
      return !Number.isInteger(r.score) || r.score < low || r.score > high;
    });
    expect(outOfRange.map((r) => [r.survey, r.score])).toEqual([
      ['nps', 11],
      ['csat', 0],
    ]);
    const valid = responses.filter((r) => !outOfRange.includes(r));
    const nps = valid.filter((r) => r.survey === 'nps').map((r) => r.score);
    const share = (scores: number[], keep: (score: number) => boolean): number => scores.filter(keep).length / scores.length;
    const npsValue = 100 * (share(nps, (s) => s >= 9) - share(nps, (s) => s <= 6));
    expect(npsValue).toBeGreaterThan(15);
    expect(npsValue).toBeLessThan(45);
    const csat = valid.filter((r) => r.survey === 'csat').map((r) => r.score);
    expect(share(csat, (s) => s >= 4)).toBeGreaterThan(0.7);
    expect(valid.some((r) => r.survey === 'ces')).toBe(true);
  });

  it('writes three months of app events in time order, several sessions a day for some', async () => {
    // Act
    const { header, records } = csvRecords(await read('events/events-2026-10.csv.gz'));

    // Assess
    expect(header).toEqual(['customer_id', 'event_name', 'occurred_at']);
    expect(records).toHaveLength(summary.events);
    expect(records.length).toBeGreaterThan(5000);
    expect(records.length).toBeLessThanOrEqual(300_000);
    expect(records[0]!['occurred_at']! >= '2026-08-01T00:00:00Z').toBe(true);
    expect(records.at(-1)!['occurred_at']! <= '2026-10-31T23:59:59Z').toBe(true);
    expect(records.every((r, i) => i === 0 || records[i - 1]!['occurred_at']! <= r['occurred_at']!)).toBe(true);
    expect(records.every((r) => customerIds.has(r['customer_id']!))).toBe(true);
    expect(new Set(records.map((r) => r['event_name']))).toContain('purchase');
    const perCustomerDay = new Map<string, number>();
    for (const r of records) {
      const key = `${r['customer_id']} ${r['occurred_at']!.slice(0, 10)}`;
      perCustomerDay.set(key, (perCustomerDay.get(key) ?? 0) + 1);
    }
    expect(Math.max(...perCustomerDay.values())).toBeGreaterThanOrEqual(10);
  });

  it('writes retention spend for every month of the history, two rows dated inside their month', async () => {
    // Act
    const { header, records } = csvRecords(await read('retention_costs/retention-spend.csv'));

    // Assess
    expect(header).toEqual(['month', 'amount', 'category']);
    expect(records).toHaveLength(summary.retentionCosts);
    expect(records.every((r) => /^\d{4}-\d{2}(-\d{2})?$/.test(r['month']!) && MONEY.test(r['amount']!))).toBe(true);
    expect(records.filter((r) => DATE.test(r['month']!)).map((r) => r['month'])).toEqual(['2025-11-15', '2026-03-31']);
    const months = new Set(records.map((r) => r['month']!.slice(0, 7)));
    expect(months.size).toBe(36);
    expect([...months].sort()[0]).toBe('2023-11');
    expect(new Set(records.map((r) => r['category']))).toEqual(
      new Set(['loyalty_points', 'winback_email', 'referral_rewards', 'vip_gifts']),
    );
  });

  it('writes a Shopify orders export: a row per line item, the order fields on its first row only', async () => {
    // Act
    const content = await read('shopify_orders/orders_export_1.csv');
    const { header, records } = csvRecords(content);

    // Assess
    expect(content.split('\n')[0]).toBe(
      'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,' +
        'Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,' +
        'Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,' +
        'Billing Name,Billing City,Billing Zip,Billing Country,Shipping Name,Shipping City,Shipping Zip,Shipping Country,' +
        'Notes,Cancelled at,Payment Method,Refunded Amount,Vendor,Id,Tags,Source',
    );
    expect(header).toHaveLength(40);
    expect(records).toHaveLength(summary.shopifyLineItems);
    const orders = groupBy(records, 'Name');
    expect(orders.size).toBe(summary.shopifyOrders);
    expect(orders.size).toBe(1500);
    expect(new Set(records.map((r) => r['Email'])).size).toBeLessThanOrEqual(300);
    expect(records.every((r) => /^#\d{4,}$/.test(r['Name']!) && /^buyer\d+@example\.com$/.test(r['Email']!))).toBe(true);
    expect(records.some((r) => r['Lineitem name']!.includes(',')) && records.some((r) => r['Lineitem name']!.includes('"'))).toBe(true);

    const orderFields = ['Financial Status', 'Currency', 'Subtotal', 'Total', 'Created at', 'Billing Name', 'Refunded Amount', 'Id'];
    const multiLine = [...orders.values()].filter((rows) => rows.length > 1);
    expect(multiLine.length).toBeGreaterThan(100);
    for (const [first, ...later] of multiLine) {
      for (const row of later) {
        expect([row['Name'], row['Email']]).toEqual([first!['Name'], first!['Email']]);
        expect(row['Lineitem name']).not.toBe('');
        expect(orderFields.map((field) => row[field])).toEqual(orderFields.map(() => ''));
      }
    }
    const statuses = new Set<string>();
    for (const [first, ...later] of orders.values()) {
      const subtotal = cents(first!['Subtotal']!);
      const lineSum = [first!, ...later].reduce((sum, r) => sum + Number(r['Lineitem quantity']) * cents(r['Lineitem price']!), 0);
      expect(lineSum, first!['Name']).toBe(subtotal);
      expect(first!['Currency']).toBe('EUR');
      expect(first!['Created at']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0[12]00$/);
      const status = first!['Financial Status']!;
      const refunded = cents(first!['Refunded Amount']!);
      statuses.add(status);
      if (status === 'refunded') expect(refunded).toBe(subtotal);
      else if (status === 'partially_refunded') expect(refunded > 0 && refunded < subtotal).toBe(true);
      else expect(refunded).toBe(0);
    }
    expect(statuses).toEqual(new Set(['paid', 'refunded', 'partially_refunded', 'voided']));
    expect([...orders.values()].filter(([first]) => first!['Cancelled at'] !== '').length).toBeGreaterThan(10);
  });

  it('writes Stripe payments and subscriptions exports of the same 200 Stripe customers', async () => {
    // Act
    const payments = csvRecords(await read('stripe_payments/unified_payments.csv'));
    const subscriptions = csvRecords(await read('stripe_subscriptions/subscriptions.csv'));

    // Assess
    expect(payments.header.join(',')).toBe(
      'id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Converted Amount Refunded,' +
        'Converted Currency,Description,Fee,Mode,Status,Statement Descriptor,Customer ID,Customer Description,' +
        'Customer Email,Card ID,Invoice ID',
    );
    expect(subscriptions.header.join(',')).toBe(
      'id,Customer ID,Customer Description,Customer Email,Plan,Product,Quantity,Interval,Amount,Status,Created (UTC),' +
        'Start (UTC),Current Period Start (UTC),Current Period End (UTC),Trial Start (UTC),Trial End (UTC),' +
        'Canceled At (UTC),Ended At (UTC),Cancel At Period End',
    );
    expect(payments.records).toHaveLength(summary.stripePayments);
    expect(subscriptions.records).toHaveLength(summary.stripeSubscriptions);
    expect(payments.records.length).toBeGreaterThan(700);
    expect(payments.records.length).toBeLessThan(1400);

    const stamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
    for (const p of payments.records) {
      expect(p['id']).toMatch(/^(ch|py)_[0-9A-Za-z]{24}$/);
      expect(p['Created date (UTC)']).toMatch(stamp);
      expect(p['Created date (UTC)']! >= '2025-10-31').toBe(true);
      expect([p['Currency'], p['Converted Currency']]).toEqual(['eur', 'eur']);
      expect(p['Amount']).toMatch(MONEY);
      expect(cents(p['Amount Refunded']!)).toBeLessThanOrEqual(cents(p['Amount']!));
      if (p['Status'] === 'Refunded') expect(p['Amount Refunded']).toBe(p['Amount']);
    }
    expect(new Set(payments.records.map((p) => p['Status']))).toEqual(new Set(['Paid', 'Refunded', 'Failed']));

    const customers = new Set(subscriptions.records.map((s) => s['Customer ID']!));
    expect(customers.size).toBe(200);
    expect([...customers].every((id) => /^cus_[0-9A-Za-z]{14}$/.test(id))).toBe(true);
    expect(payments.records.every((p) => customers.has(p['Customer ID']!))).toBe(true);
    for (const s of subscriptions.records) {
      expect(s['id']).toMatch(/^sub_[0-9A-Za-z]{24}$/);
      expect(s['Interval']).toMatch(/^(month|year)$/);
      expect(['1', '2', '3']).toContain(s['Quantity']);
      expect(s['Amount']).toMatch(MONEY);
      expect(s['Start (UTC)']).toMatch(stamp);
      if (s['Status'] === 'canceled') expect(s['Canceled At (UTC)'] !== '' && s['Ended At (UTC)'] !== '').toBe(true);
      else expect(s['Ended At (UTC)']).toBe('');
      if (s['Ended At (UTC)'] !== '') expect(s['Ended At (UTC)']! >= s['Start (UTC)']!).toBe(true);
    }
    expect(new Set(subscriptions.records.map((s) => s['Status']))).toEqual(new Set(['active', 'canceled', 'past_due']));
    // Cancelled at the end of a period that has not ended yet: still active, no Ended At.
    expect(
      subscriptions.records.some((s) => s['Status'] === 'active' && s['Cancel At Period End'] === 'true' && s['Canceled At (UTC)'] !== ''),
    ).toBe(true);
  });
});
