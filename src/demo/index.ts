import { existsSync } from 'node:fs';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { datasetContracts } from '../core/contracts/datasets.js';
import { presets } from '../core/contracts/presets.js';
import { LakeKeys, LakePrefix } from '../core/lake/lake-layout.js';
import { addDefects, brokenExportCsv } from './bad-input.js';
import { DAY_MS, demandCalendar, END_DAY } from './calendar.js';
import { customersCsv, generateCustomerAttributes, generateCustomers } from './customers.js';
import { DEMO_SETTINGS } from './demo-settings.js';
import { eventsCsv } from './events.js';
import { csvLines, monthText } from './formats.js';
import { generateOrderHistory, orderRows, planOrderFiles } from './orders.js';
import { PROGRAM_MEMBERSHIP_COLUMNS, programMembershipRows } from './program-memberships.js';
import { mulberry32, streamFor } from './random.js';
import { retentionCostRows } from './retention-costs.js';
import { shopifyOrdersCsv } from './shopify-orders.js';
import { generateStripe, stripePaymentsCsv, stripeSubscriptionsCsv } from './stripe-billing.js';
import { generateSubscriptions, subscriptionsCsv } from './subscriptions.js';
import { SUPPORT_TICKET_COLUMNS, supportTicketRows } from './support-tickets.js';
import { generateSurveyResponses, surveysNdjson } from './survey-responses.js';

const gzipAsync = promisify(gzip);

export interface DemoOptions {
  readonly seed?: number;
  /** @default 30000 */
  readonly customers?: number;
}

export interface DemoSummary {
  readonly files: number;
  /** Order rows across all order files, re-export and bad rows included; the broken file's rows are not. */
  readonly orders: number;
  readonly customers: number;
  /** Rows of subscriptions.csv (a plan change is two rows). */
  readonly subscriptions: number;
  /** Survey answers, the two out-of-range ones included. */
  readonly surveyResponses: number;
  readonly events: number;
  readonly retentionCosts: number;
  /** Orders in the Shopify export, and its rows: one per line item. */
  readonly shopifyOrders: number;
  readonly shopifyLineItems: number;
  readonly stripePayments: number;
  readonly stripeSubscriptions: number;
  readonly programMemberships: number;
  readonly supportTickets: number;
}

/**
 * Customers and orders share the seed's own stream. Every other dataset draws from a stream
 * of its own, derived from the seed with this salt, so none of them changes a byte of the
 * customers, the orders or each other.
 */
const STREAM_SALT = {
  subscriptions: 1,
  surveyResponses: 2,
  events: 3,
  retentionCosts: 4,
  shopifyOrders: 5,
  stripe: 6,
  programMemberships: 7,
  supportTickets: 8,
  customerAttributes: 9,
} as const;

/** The inbox folders the demo replaces whole: one per dataset contract and one per vendor preset. */
function demoInboxFolders(): string[] {
  return [...datasetContracts.map((contract) => contract.name), ...presets.map((preset) => preset.preset)];
}

/**
 * Writes a seeded sample inbox under `<lakeDir>/inbox/`: customers and about three years
 * of orders in several formats, a re-export overlapping the last two months (landing
 * last), a few bad rows and one file missing a required column; the club subscriptions,
 * survey answers, app events and retention spend of the same customers; and three vendor
 * exports in their own layouts with customers of their own (a Shopify wholesale shop, a
 * Stripe subscription box). The same seed gives the same bytes.
 */
export async function writeDemoInbox(lakeDir: string, options: DemoOptions = {}): Promise<DemoSummary> {
  const seed = options.seed ?? 42;
  const random = mulberry32(seed);
  const customerCount = options.customers ?? 30_000;
  const endDay = END_DAY;
  const end = new Date(endDay);
  const endYear = end.getUTCFullYear();
  const calendar = demandCalendar(endDay);

  const customers = generateCustomers(customerCount, calendar, random);
  const history = generateOrderHistory(customers, calendar, endDay + DAY_MS - 1000, random);
  const rows = orderRows(history, random);
  const reexportStart = Date.UTC(endYear, end.getUTCMonth() - 1, 1);
  addDefects(rows, reexportStart, random);
  const orderFiles = planOrderFiles(rows, endDay, reexportStart, random);

  // Compressing the events runs on the thread pool while the other files are generated.
  const events = eventsCsv(history, customerCount, endDay, streamFor(seed, STREAM_SALT.events));
  const eventsGzip = gzipAsync(events.text);

  const attributes = generateCustomerAttributes(customers.length, streamFor(seed, STREAM_SALT.customerAttributes));
  const files = new Map<string, string | Buffer>([['customers/customers.csv', customersCsv(customers, attributes)]]);
  let orderCount = 0; // the broken export's rows are not counted: the pipeline refuses that file whole
  for (const { path, rows: fileRows, render } of orderFiles) {
    if (fileRows.length === 0) continue;
    const text = render(fileRows);
    files.set(path, path.endsWith('.gz') ? await gzipAsync(text) : text);
    orderCount += fileRows.length;
  }
  const brokenSample = rows.filter((row) => row.at >= Date.UTC(endYear, 0, 1)).slice(0, 5);
  if (brokenSample.length > 0) files.set(`orders/${endYear}/orders-broken-export.csv`, brokenExportCsv(brokenSample));

  // An empty file would be refused, so a dataset without rows gets no file.
  const subscriptions = generateSubscriptions(history, endDay, streamFor(seed, STREAM_SALT.subscriptions));
  if (subscriptions.length > 0) files.set('subscriptions/subscriptions.csv', subscriptionsCsv(subscriptions));
  const surveys = generateSurveyResponses(history, customerCount, endDay, streamFor(seed, STREAM_SALT.surveyResponses));
  if (surveys.length > 0) files.set(`survey_responses/surveys-${endYear}.jsonl`, surveysNdjson(surveys));
  const costs = retentionCostRows(history, customers, calendar.firstDay, endDay, streamFor(seed, STREAM_SALT.retentionCosts));
  files.set('retention_costs/retention-spend.csv', csvLines(['month', 'amount', 'category'], costs));
  const shopify = shopifyOrdersCsv(endDay, streamFor(seed, STREAM_SALT.shopifyOrders));
  files.set('shopify_orders/orders_export_1.csv', shopify.text);
  const stripe = generateStripe(endDay, streamFor(seed, STREAM_SALT.stripe));
  if (stripe.payments.length > 0) files.set('stripe_payments/unified_payments.csv', stripePaymentsCsv(stripe.payments));
  files.set('stripe_subscriptions/subscriptions.csv', stripeSubscriptionsCsv(stripe.subscriptions));
  const memberships = programMembershipRows(history, customers, endDay, streamFor(seed, STREAM_SALT.programMemberships));
  if (memberships.length > 0) files.set('program_memberships/memberships.csv', csvLines(PROGRAM_MEMBERSHIP_COLUMNS, memberships));
  const tickets = supportTicketRows(history, endDay, streamFor(seed, STREAM_SALT.supportTickets));
  if (tickets.length > 0) files.set('support_tickets/tickets.csv', csvLines(SUPPORT_TICKET_COLUMNS, tickets));
  if (events.rows > 0) files.set(`events/events-${monthText(endDay)}.csv.gz`, await eventsGzip);

  const inbox = join(lakeDir, LakePrefix.inbox);
  for (const folder of demoInboxFolders()) await rm(join(lakeDir, LakeKeys.inboxFolder(folder)), { recursive: true, force: true });
  for (const [path, content] of files) {
    const target = join(inbox, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  // The lake's settings show the settings-driven metrics (key features, margin, targets); a lake's own file is kept.
  const settings = join(lakeDir, LakeKeys.settings);
  if (!existsSync(settings)) await writeFile(settings, DEMO_SETTINGS);
  // The pipeline resolves duplicate order_ids by landing time (file mtime): the re-export must win.
  const reexport = orderFiles.at(-1);
  if (reexport && files.has(reexport.path)) {
    const landsLast = new Date(Date.now() + 5_000);
    await utimes(join(inbox, reexport.path), landsLast, landsLast);
  }

  return {
    files: files.size,
    orders: orderCount,
    customers: customers.length,
    subscriptions: subscriptions.length,
    surveyResponses: surveys.length,
    events: events.rows,
    retentionCosts: costs.length,
    shopifyOrders: shopify.orders,
    shopifyLineItems: shopify.rows,
    stripePayments: stripe.payments.length,
    stripeSubscriptions: stripe.subscriptions.length,
    programMemberships: memberships.length,
    supportTickets: tickets.length,
  };
}
