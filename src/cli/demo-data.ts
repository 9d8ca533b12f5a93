import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

export interface DemoOptions {
  readonly seed?: number;
  /** @default 30000 */
  readonly customers?: number;
  /** last day of data, @default '2026-10-31' */
  readonly endDate?: string;
}

export interface DemoSummary {
  readonly files: number;
  /** Order rows across all order files, re-export and bad rows included; the broken file's rows are not. */
  readonly orders: number;
  readonly customers: number;
}

const DAY_MS = 86_400_000;
const HISTORY_YEARS = 3;
/** Relative acquisitions per day at the end of the history versus its start. */
const ACQUISITION_GROWTH = 2.2;
const SHARE_NEVER_RETURNING = 0.6;

const CHANNELS = [
  { name: 'organic', weight: 0.34 },
  { name: 'paid_search', weight: 0.26 },
  { name: 'social', weight: 0.15 },
  { name: 'email', weight: 0.1 },
  { name: 'referral', weight: 0.15 },
] as const;

/** Jan…Dec: Black Friday/Christmas peak, summer dip. */
const MONTH_SEASON = [0.95, 0.85, 0.95, 1, 1, 0.9, 0.75, 0.75, 0.95, 1.05, 1.4, 1.55] as const;
/** Sun…Sat. */
const WEEKDAY_SEASON = [1.1, 1.05, 1, 1, 1, 0.95, 0.9] as const;
/** Hours 0…23 (UTC): quiet nights, lunch bump, evening peak. */
const HOUR_WEIGHTS = [
  2, 1, 0.6, 0.4, 0.4, 0.6, 1.2, 2.5, 3.5, 4, 4.2, 4.5, 5, 4.8, 4.5, 4.5, 4.8, 5.2, 6, 6.5, 6.8, 6, 4.5, 3,
] as const;

type Random = () => number;

/** mulberry32: tiny, fast, good enough for sample data. */
function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function standardNormal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random());
}

/** Index into `cumulative` (ascending running totals) hit by a uniform draw. */
function pickWeighted(cumulative: readonly number[], random: Random): number {
  const target = random() * (cumulative.at(-1) ?? 0);
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((cumulative[middle] ?? 0) <= target) low = middle + 1;
    else high = middle;
  }
  return low;
}

function runningTotals(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((weight) => (total += weight));
}

const HOUR_CUMULATIVE = runningTotals(HOUR_WEIGHTS);

function timeOfDayMs(random: Random): number {
  return pickWeighted(HOUR_CUMULATIVE, random) * 3_600_000 + Math.floor(random() * 3_600) * 1000;
}

function parseEndDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text) {
    throw new Error(`demo endDate must be a date YYYY-MM-DD, got '${text}'`);
  }
  return time;
}

/** Demand multiplier of a day: month, weekday, Black Friday weekend and the run-up to Christmas. */
function daySeason(dayStart: number): number {
  const date = new Date(dayStart);
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  let season = MONTH_SEASON[month]! * WEEKDAY_SEASON[date.getUTCDay()]!;
  if (month === 10) {
    const firstWeekday = new Date(Date.UTC(date.getUTCFullYear(), 10, 1)).getUTCDay();
    const blackFriday = 1 + ((5 - firstWeekday + 7) % 7) + 21;
    const boost = [2.4, 1.7, 1.6, 1.9][day - blackFriday]; // Friday … Cyber Monday
    if (boost) season *= boost;
  }
  if (month === 11) season *= day <= 20 ? 1.15 : day <= 26 ? 0.6 : 0.9;
  return season;
}

const iso = (time: number): string => new Date(time).toISOString().slice(0, 19);
const isoDate = (time: number): string => new Date(time).toISOString().slice(0, 10);
const euros = (cents: number): string => (cents / 100).toFixed(2);

/**
 * Mostly `…Z`; some with an offset (same instant), some without a zone (read as UTC),
 * and some date-only, but only when midnight is not before `notBefore`.
 */
function timestampText(time: number, notBefore: number, random: Random): string {
  const style = random();
  if (style < 0.86) return `${iso(time)}Z`;
  if (style < 0.93) {
    const offsetHours = random() < 0.7 ? 1 : -5;
    const sign = offsetHours < 0 ? '-' : '+';
    return `${iso(time + offsetHours * 3_600_000)}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
  }
  if (style < 0.97 || Math.floor(time / DAY_MS) <= Math.floor(notBefore / DAY_MS)) return iso(time).replace('T', ' ');
  return isoDate(time);
}

interface Customer {
  readonly id: string;
  readonly createdAt: number;
  readonly createdAtText: string;
  readonly channel: string;
  readonly referredBy: string;
}

type Status = 'completed' | 'refunded' | 'cancelled';

/** An order as its export shows it: text fields, an empty refunded_amount meaning none. */
interface OrderRow {
  readonly at: number;
  order_id: string;
  customer_id: string;
  ordered_at: string;
  amount: string;
  refunded_amount: string;
  status: string;
}

const ORDER_COLUMNS = [
  'order_id',
  'customer_id',
  'ordered_at',
  'amount',
  'refunded_amount',
  'currency',
  'status',
] as const;

/** The days of the history and the demand multiplier of each. */
interface Calendar {
  readonly firstDay: number;
  readonly seasons: readonly number[];
}

const customerId = (index: number): string => `C${String(index + 1).padStart(6, '0')}`;

function generateCustomers(count: number, calendar: Calendar, random: Random): Customer[] {
  const { firstDay, seasons } = calendar;
  const acquisitionWeights = seasons.map((season, day) => season * ACQUISITION_GROWTH ** (day / seasons.length));
  const acquisitionCumulative = runningTotals(acquisitionWeights);
  const channelCumulative = runningTotals(CHANNELS.map((c) => c.weight));
  const createdTimes = Array.from(
    { length: count },
    () => firstDay + pickWeighted(acquisitionCumulative, random) * DAY_MS + timeOfDayMs(random),
  ).sort((a, b) => a - b);

  return createdTimes.map((createdAt, index) => {
    let channel: string = CHANNELS[pickWeighted(channelCumulative, random)]!.name;
    if (channel === 'referral' && index === 0) channel = 'organic';
    const referrer = channel === 'referral' ? Math.floor(random() * index) : -1;
    return {
      id: customerId(index),
      createdAt,
      createdAtText: timestampText(createdAt, Number.NEGATIVE_INFINITY, random),
      channel,
      referredBy: referrer >= 0 ? customerId(referrer) : '',
    };
  });
}

interface GeneratedOrder {
  readonly customer: Customer;
  readonly at: number;
  readonly amountCents: number;
}

/** Every customer's order times and amounts: a first order soon after sign-up, then maybe repeats until they churn. */
function generateOrderHistory(
  customers: readonly Customer[],
  calendar: Calendar,
  endTime: number,
  random: Random,
): GeneratedOrder[] {
  const season = (time: number): number => calendar.seasons[Math.floor((time - calendar.firstDay) / DAY_MS)] ?? 0;
  const maxSeason = Math.max(...calendar.seasons);

  const orders: GeneratedOrder[] = [];
  for (const customer of customers) {
    const basketFactor = Math.exp(0.25 * standardNormal(random));
    const amountCents = (): number => {
      const value = Math.exp(Math.log(52) + 0.55 * standardNormal(random)) * basketFactor;
      return Math.round(Math.min(900, Math.max(4.9, value)) * 100);
    };

    let at =
      random() < 0.75
        ? customer.createdAt + (2 + Math.floor(random() * 88)) * 60_000
        : Math.floor((customer.createdAt + exponential(random, 6 * DAY_MS)) / DAY_MS) * DAY_MS + timeOfDayMs(random);
    at = Math.max(at, customer.createdAt + 60_000);
    if (at > endTime) continue;
    orders.push({ customer, at, amountCents: amountCents() });
    if (random() < SHARE_NEVER_RETURNING) continue;

    // Returners differ: a loyal few buy every few weeks for years, most a handful of times.
    const gapAtPeakDays = 7.5 * Math.exp(0.8 * standardNormal(random));
    const churnPerOrder = 0.01 + 0.5 * random() ** 3;
    let candidate = at;
    for (;;) {
      // Thinning: candidates come at the peak-season rate; each is kept in proportion to its day's season.
      candidate += exponential(random, gapAtPeakDays * DAY_MS);
      if (candidate > endTime) break;
      if (random() * maxSeason > season(candidate)) continue;
      const next = Math.max(Math.floor(candidate / DAY_MS) * DAY_MS + timeOfDayMs(random), at + 3_600_000);
      if (next > endTime) break;
      at = next;
      candidate = next;
      orders.push({ customer, at, amountCents: amountCents() });
      if (random() < churnPerOrder) break;
    }
  }
  return orders.sort((a, b) => a.at - b.at);
}

function orderRows(orders: readonly GeneratedOrder[], random: Random): OrderRow[] {
  return orders.map((order, index) => {
    const outcome = random();
    let status: Status = 'completed';
    let refundedCents = 0;
    if (outcome < 0.03) [status, refundedCents] = ['refunded', order.amountCents];
    else if (outcome < 0.05) refundedCents = Math.max(1, Math.round(order.amountCents * (0.1 + 0.8 * random())));
    else if (outcome < 0.07) status = 'cancelled';

    const casing = random();
    const statusText =
      casing < 0.04 ? status[0]!.toUpperCase() + status.slice(1) : casing < 0.05 ? status.toUpperCase() : status;
    return {
      at: order.at,
      order_id: `O${String(index + 1).padStart(7, '0')}`,
      customer_id: order.customer.id,
      ordered_at: timestampText(order.at, order.customer.createdAt, random),
      amount: euros(order.amountCents),
      refunded_amount: refundedCents > 0 ? euros(refundedCents) : '',
      status: statusText,
    };
  });
}

/** Export glitches a real inbox has; each breaks one row that the pipeline should reject. */
const DEFECTS: readonly ((row: OrderRow) => void)[] = [
  (row) => (row.customer_id = ''),
  (row) => (row.amount = `-${row.amount}`),
  (row) => (row.ordered_at = `${new Date(row.at).getUTCFullYear()}-02-30`),
  (row) => (row.status = 'shipped'),
  (row) => (row.refunded_amount = euros(Math.round(Number(row.amount) * 100) + 1000)),
  (row) => (row.customer_id = ''),
  (row) => (row.ordered_at = 'yesterday'),
  (row) => (row.status = 'shipped'),
];

/** Breaks a few rows spread evenly over the orders placed before `before`. */
function addDefects(rows: readonly OrderRow[], before: number, random: Random): void {
  const candidates = rows.filter((row) => row.at < before);
  DEFECTS.forEach((defect, index) => {
    const row = candidates[Math.floor(((index + random()) / DEFECTS.length) * candidates.length)];
    if (row) defect(row);
  });
}

/** The same orders exported again later: about 1% were refunded since. */
function reexportRows(rows: readonly OrderRow[], random: Random): OrderRow[] {
  return rows.map((row) => {
    const status = row.status.toLowerCase();
    const refundedSince = random() < 0.01 && status === 'completed' && row.refunded_amount === '';
    if (!refundedSince) return { ...row, status };
    const cents = Math.round(Number(row.amount) * 100);
    return random() < 0.65
      ? { ...row, status: 'refunded', refunded_amount: row.amount }
      : { ...row, status, refunded_amount: euros(Math.max(1, Math.round(cents * (0.2 + 0.6 * random())))) };
  });
}

interface CsvStyle {
  readonly delimiter: string;
  readonly lineEnd: string;
  /** How a zero refunded_amount is written. */
  readonly noRefund: '' | '0.00';
}

function ordersCsv(rows: readonly OrderRow[], style: CsvStyle): string {
  const lines = [ORDER_COLUMNS.join(style.delimiter)];
  for (const row of rows) {
    lines.push(
      [
        row.order_id,
        row.customer_id,
        row.ordered_at,
        row.amount,
        row.refunded_amount || style.noRefund,
        'EUR',
        row.status,
      ].join(style.delimiter),
    );
  }
  return lines.join(style.lineEnd) + style.lineEnd;
}

/** NDJSON: ids as strings, amounts as JSON numbers, refunded_amount left out when there is none. */
function ordersNdjson(rows: readonly OrderRow[]): string {
  const lines: string[] = [];
  for (const row of rows) {
    const refund = row.refunded_amount ? `,"refunded_amount":${row.refunded_amount}` : '';
    lines.push(
      `{"order_id":${JSON.stringify(row.order_id)},"customer_id":${JSON.stringify(row.customer_id)},` +
        `"ordered_at":${JSON.stringify(row.ordered_at)},"amount":${row.amount}${refund},` +
        `"currency":"EUR","status":${JSON.stringify(row.status)}}`,
    );
  }
  return lines.join('\n') + '\n';
}

function customersCsv(customers: readonly Customer[]): string {
  const lines = ['\uFEFFcustomer_id,created_at,acquisition_channel,referred_by'];
  for (const c of customers) lines.push(`${c.id},${c.createdAtText},"${c.channel}",${c.referredBy}`);
  return lines.join('\n') + '\n';
}

/** An export from another tool: `total` where `amount` belongs, so the whole file is rejected. */
function brokenExportCsv(rows: readonly OrderRow[]): string {
  const lines = ['order_id,customer_id,ordered_at,total,currency,status'];
  for (const row of rows) {
    lines.push([row.order_id, row.customer_id, row.ordered_at, row.amount, 'EUR', row.status].join(','));
  }
  return lines.join('\n') + '\n';
}

const COMMA: CsvStyle = { delimiter: ',', lineEnd: '\n', noRefund: '0.00' };

interface OrderFile {
  readonly path: string;
  readonly rows: readonly OrderRow[];
  /** Rendered text; gzipped when the path ends in `.gz`. */
  readonly render: (rows: readonly OrderRow[]) => string;
}

/**
 * One export per calendar year, a different format each: tab-separated for the oldest,
 * comma CSV, then a spreadsheet-style semicolon/CRLF CSV gzipped, and the last year as
 * NDJSON (January–June) plus CSV (July on). Then the re-export of the last two months.
 */
function planOrderFiles(
  rows: readonly OrderRow[],
  endDay: number,
  reexportStart: number,
  random: Random,
): OrderFile[] {
  const end = new Date(endDay);
  const endYear = end.getUTCFullYear();
  const between = (from: number, to: number): OrderRow[] => rows.filter((row) => row.at >= from && row.at < to);
  const inYear = (year: number): OrderRow[] => between(Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1));

  const files: OrderFile[] = [];
  for (let year = endYear - HISTORY_YEARS; year < endYear - 2; year++) {
    const render = (r: readonly OrderRow[]): string => ordersCsv(r, { ...COMMA, delimiter: '\t' });
    files.push({ path: `${year}/orders-${year}.tsv`, rows: inYear(year), render });
  }
  const [twoYearsAgo, lastYear] = [endYear - 2, endYear - 1];
  files.push(
    {
      path: `${twoYearsAgo}/orders-${twoYearsAgo}.csv`,
      rows: inYear(twoYearsAgo),
      render: (r) => ordersCsv(r, { ...COMMA, noRefund: '' }),
    },
    {
      path: `${lastYear}/orders-${lastYear}.csv.gz`,
      rows: inYear(lastYear),
      render: (r) => ordersCsv(r, { delimiter: ';', lineEnd: '\r\n', noRefund: '' }),
    },
  );
  const midYear = Date.UTC(endYear, 6, 1);
  files.push(
    {
      path: `${endYear}/orders-${endYear}-h1.jsonl`,
      rows: between(Date.UTC(endYear, 0, 1), midYear),
      render: ordersNdjson,
    },
    {
      path: `${endYear}/orders-${endYear}-h2.csv`,
      rows: between(midYear, endDay + DAY_MS),
      render: (r) => ordersCsv(r, COMMA),
    },
  );

  const from = new Date(reexportStart);
  const month = (date: Date): string => String(date.getUTCMonth() + 1).padStart(2, '0');
  files.push({
    path: `${endYear}/reexport-${from.getUTCFullYear()}-${month(from)}-${month(end)}.csv`,
    rows: reexportRows(between(reexportStart, endDay + DAY_MS), random),
    render: (r) => ordersCsv(r, COMMA),
  });
  return files.map((file) => ({ ...file, path: `orders/${file.path}` }));
}

/**
 * Writes a seeded sample inbox under `<lakeDir>/inbox/`: customers and about three years
 * of orders in several formats, a re-export overlapping the last two months (landing
 * last), a few bad rows and one file missing a required column.
 */
export async function writeDemoInbox(lakeDir: string, options: DemoOptions = {}): Promise<DemoSummary> {
  const random = mulberry32(options.seed ?? 42);
  const customerCount = options.customers ?? 30_000;
  const endDay = parseEndDate(options.endDate ?? '2026-10-31');
  const end = new Date(endDay);
  const endYear = end.getUTCFullYear();
  const firstDay = Date.UTC(endYear - HISTORY_YEARS, end.getUTCMonth(), end.getUTCDate() + 1);
  const days = Math.round((endDay - firstDay) / DAY_MS) + 1;
  const seasons = Array.from({ length: days }, (_, day) => daySeason(firstDay + day * DAY_MS));
  const calendar: Calendar = { firstDay, seasons };

  const customers = generateCustomers(customerCount, calendar, random);
  const rows = orderRows(generateOrderHistory(customers, calendar, endDay + DAY_MS - 1000, random), random);
  const reexportStart = Date.UTC(endYear, end.getUTCMonth() - 1, 1);
  addDefects(rows, reexportStart, random);
  const orderFiles = planOrderFiles(rows, endDay, reexportStart, random);

  const files = new Map<string, string | Buffer>([['customers/customers.csv', customersCsv(customers)]]);
  let orderCount = 0; // the broken export's rows are not counted: the pipeline refuses that file whole
  for (const { path, rows: fileRows, render } of orderFiles) {
    if (fileRows.length === 0) continue;
    const text = render(fileRows);
    files.set(path, path.endsWith('.gz') ? await gzipAsync(text) : text);
    orderCount += fileRows.length;
  }
  const brokenSample = rows.filter((row) => row.at >= Date.UTC(endYear, 0, 1)).slice(0, 5);
  if (brokenSample.length > 0) files.set(`orders/${endYear}/orders-broken-export.csv`, brokenExportCsv(brokenSample));

  const inbox = join(lakeDir, 'inbox');
  await rm(join(inbox, 'orders'), { recursive: true, force: true });
  await rm(join(inbox, 'customers'), { recursive: true, force: true });
  for (const [path, content] of files) {
    const target = join(inbox, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  // The pipeline resolves duplicate order_ids by landing time (file mtime): the re-export must win.
  const reexport = orderFiles.at(-1);
  if (reexport && files.has(reexport.path)) {
    const landsLast = new Date(Date.now() + 5_000);
    await utimes(join(inbox, reexport.path), landsLast, landsLast);
  }

  return { files: files.size, orders: orderCount, customers: customers.length };
}
