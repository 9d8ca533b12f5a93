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

// ---------------------------------------------------------------------------------------------
// The other datasets and three vendor exports. Each draws from a random stream of its own,
// derived from the seed, so none of them changes a byte of the files above (or of each other).

/** A seeded stream for one dataset: the demo's seed mixed with the dataset's own salt. */
function streamFor(seed: number, salt: number): Random {
  return mulberry32(Math.imul((seed >>> 0) ^ Math.imul(salt, 0x9e3779b1), 0x85ebca6b) ^ salt);
}

const utcStamp = (time: number): string => iso(time).replace('T', ' ');
const monthText = (time: number): string => isoDate(time).slice(0, 7);
const startOfDay = (time: number): number => Math.floor(time / DAY_MS) * DAY_MS;

/** Quoted when it holds a comma, a quote or a line break, the way spreadsheets and vendors write CSV. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvLines(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header.join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\n') + '\n';
}

function weightedPicker<T>(entries: readonly (readonly [T, number])[]): (random: Random) => T {
  const cumulative = runningTotals(entries.map(([, weight]) => weight));
  return (random) => entries[pickWeighted(cumulative, random)]![0];
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Vendor-style ids (`cus_…`, `ch_3…`): a prefix then random letters and digits, never the same twice. */
function idMaker(random: Random): (prefix: string, length: number) => string {
  const seen = new Set<string>();
  return (prefix, length) => {
    for (;;) {
      let id = prefix;
      for (let i = 0; i < length; i++) id += BASE62.charAt(Math.floor(random() * 62));
      if (!seen.has(id)) {
        seen.add(id);
        return id;
      }
    }
  };
}

/** The same day of the month (or the month's last day) `months` later, at the same time of day. */
function addMonths(time: number, months: number): number {
  const date = new Date(time);
  const [year, month] = [date.getUTCFullYear(), date.getUTCMonth() + months];
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay)) + (time - startOfDay(time));
}

/** Each customer's first order time, in the order of those first orders. */
function firstOrderTimes(history: readonly GeneratedOrder[]): Map<Customer, number> {
  const first = new Map<Customer, number>();
  for (const order of history) if (!first.has(order.customer)) first.set(order.customer, order.at);
  return first;
}

// --- subscriptions: a paid "club" some customers join after their first order -----------------

interface ClubPlan {
  readonly name: string;
  readonly mrrCents: number;
  readonly churnPerMonth: number;
}

const CLUB_TRIAL: ClubPlan = { name: 'trial', mrrCents: 0, churnPerMonth: 0 };
const CLUB_BASIC: ClubPlan = { name: 'basic', mrrCents: 900, churnPerMonth: 0.05 };
const CLUB_PLUS: ClubPlan = { name: 'plus', mrrCents: 1900, churnPerMonth: 0.04 };
/** 190.00 a year, normalised to a month. */
const CLUB_PLUS_ANNUAL: ClubPlan = { name: 'plus_annual', mrrCents: 1583, churnPerMonth: 0.015 };
const CLUB_PRO: ClubPlan = { name: 'pro', mrrCents: 3900, churnPerMonth: 0.035 };
const CLUB_UPGRADE = new Map([
  [CLUB_BASIC, CLUB_PLUS],
  [CLUB_PLUS, CLUB_PRO],
  [CLUB_PLUS_ANNUAL, CLUB_PRO],
]);
const CLUB_DOWNGRADE = new Map([
  [CLUB_PLUS, CLUB_BASIC],
  [CLUB_PLUS_ANNUAL, CLUB_BASIC],
  [CLUB_PRO, CLUB_PLUS],
]);
const pickClubPlan = weightedPicker([
  [CLUB_BASIC, 0.5],
  [CLUB_PLUS, 0.3],
  [CLUB_PLUS_ANNUAL, 0.08],
  [CLUB_PRO, 0.12],
]);
const SHARE_SUBSCRIBING = 0.16;
const SHARE_COMING_BACK = 0.3;

interface ClubSubscription {
  readonly customer: Customer;
  readonly plan: ClubPlan;
  readonly start: number;
  /** The day it ended; null while active. */
  readonly end: number | null;
}

/**
 * Club memberships, whole days: a free trial for some, then a plan until the member cancels.
 * A plan change ends the old subscription and starts the new one the same day; some who
 * cancelled come back later with a new subscription (a reactivation).
 */
function generateSubscriptions(history: readonly GeneratedOrder[], endDay: number, random: Random): ClubSubscription[] {
  const subscriptions: ClubSubscription[] = [];
  for (const [customer, firstOrder] of firstOrderTimes(history)) {
    if (random() >= SHARE_SUBSCRIBING) continue;
    let start = startOfDay(firstOrder) + Math.ceil(exponential(random, 40) + 0.5) * DAY_MS;
    let plan = random() < 0.2 ? CLUB_TRIAL : pickClubPlan(random);
    const add = (end: number | null): void => void subscriptions.push({ customer, plan, start, end });
    while (start <= endDay) {
      if (plan === CLUB_TRIAL) {
        const trialEnd = start + 14 * DAY_MS;
        if (trialEnd > endDay) {
          add(null);
          break;
        }
        add(trialEnd);
        if (random() < 0.35) break; // never converted
        [start, plan] = [trialEnd, pickClubPlan(random)];
        continue;
      }
      const upgrade = CLUB_UPGRADE.get(plan);
      const downgrade = CLUB_DOWNGRADE.get(plan);
      const upgradeRate = upgrade ? 0.02 : 0;
      const totalRate = plan.churnPerMonth + upgradeRate + (downgrade ? 0.012 : 0);
      const next = start + Math.max(1, Math.round(exponential(random, 30 / totalRate))) * DAY_MS;
      if (next > endDay) {
        add(null);
        break;
      }
      add(next);
      const draw = random() * totalRate;
      if (draw >= plan.churnPerMonth) {
        [start, plan] = [next, (draw < plan.churnPerMonth + upgradeRate ? upgrade : downgrade) ?? plan];
        continue;
      }
      if (random() >= SHARE_COMING_BACK) break;
      start = next + Math.round(20 + exponential(random, 120)) * DAY_MS;
      plan = pickClubPlan(random);
    }
  }
  return subscriptions.sort((a, b) => a.start - b.start);
}

function subscriptionsCsv(subscriptions: readonly ClubSubscription[]): string {
  return csvLines(
    ['subscription_id', 'customer_id', 'mrr', 'started_at', 'ended_at', 'plan'],
    subscriptions.map((s, index) => [
      `SUB${String(index + 1).padStart(6, '0')}`,
      s.customer.id,
      euros(s.plan.mrrCents),
      isoDate(s.start),
      s.end === null ? '' : isoDate(s.end),
      s.plan.name,
    ]),
  );
}

// --- survey responses: answers a few days after an order ---------------------------------------

type SurveyKind = 'nps' | 'csat' | 'ces';

interface SurveyResponse {
  readonly customerId: string | null;
  survey: SurveyKind;
  score: number;
  readonly at: number;
}

const pickSurvey = weightedPicker<SurveyKind>([
  ['nps', 0.55],
  ['csat', 0.3],
  ['ces', 0.15],
]);
/** Half promoters (9–10), a fifth detractors (0–6): NPS about +30. */
const pickNpsScore = weightedPicker([
  [10, 0.25],
  [9, 0.25],
  [8, 0.18],
  [7, 0.12],
  [6, 0.06],
  [5, 0.05],
  [4, 0.03],
  [3, 0.02],
  [2, 0.015],
  [1, 0.01],
  [0, 0.015],
]);
const pickCsatScore = weightedPicker([
  [5, 0.5],
  [4, 0.3],
  [3, 0.1],
  [2, 0.05],
  [1, 0.05],
]);
/** 7 = "it was very easy". */
const pickCesScore = weightedPicker([
  [7, 0.3],
  [6, 0.3],
  [5, 0.18],
  [4, 0.1],
  [3, 0.06],
  [2, 0.03],
  [1, 0.03],
]);
const SURVEY_MONTHS = 18;
const SURVEY_RESPONSES_PER_CUSTOMER = 0.135;

/** Answers over the last 18 months, each 1–10 days after an order; two with an out-of-range score. */
function generateSurveyResponses(
  history: readonly GeneratedOrder[],
  customerCount: number,
  endDay: number,
  random: Random,
): SurveyResponse[] {
  const end = new Date(endDay);
  const from = Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - (SURVEY_MONTHS - 1), 1);
  const endTime = endDay + DAY_MS - 1000;
  const orders = history.filter((order) => order.at >= from - 7 * DAY_MS);
  const responses: SurveyResponse[] = [];
  const count = orders.length === 0 ? 0 : Math.round(customerCount * SURVEY_RESPONSES_PER_CUSTOMER);
  for (let i = 0; i < count; i++) {
    const order = orders[Math.floor(random() * orders.length)]!;
    let at = order.at + (1 + exponential(random, 3)) * DAY_MS;
    if (at > endTime) at = Math.min(endTime, order.at + 3_600_000);
    const survey = pickSurvey(random);
    const score = survey === 'nps' ? pickNpsScore(random) : survey === 'csat' ? pickCsatScore(random) : pickCesScore(random);
    const anonymous = random() < 0.04;
    if (at >= from) responses.push({ customerId: anonymous ? null : order.customer.id, survey, score, at });
  }
  responses.sort((a, b) => a.at - b.at);
  // Typed in by hand: scores the pipeline sets aside as out of range.
  const outOfRange = [
    [1 / 3, 'nps', 11],
    [2 / 3, 'csat', 0],
  ] as const;
  for (const [position, survey, score] of outOfRange) {
    const response = responses[Math.floor(position * responses.length)];
    if (!response) continue;
    response.survey = survey;
    response.score = score;
  }
  return responses;
}

function surveysNdjson(responses: readonly SurveyResponse[]): string {
  return (
    responses
      .map(
        (r, index) =>
          `{"response_id":"R${String(index + 1).padStart(6, '0')}","customer_id":${JSON.stringify(r.customerId)},` +
          `"survey":"${r.survey}","score":${r.score},"responded_at":"${iso(r.at)}Z"}`,
      )
      .join('\n') + '\n'
  );
}

// --- events: app sessions of some recently active customers -----------------------------------

const EVENT_MONTHS = 3;
const EVENT_USERS_PER_CUSTOMER = 0.1;

const EVENT_NAMES = [
  'login',
  'search',
  'view_category',
  'view_product',
  'view_rewards',
  'add_to_cart',
  'begin_checkout',
  'redeem_points',
  'purchase',
] as const;
type EventName = (typeof EVENT_NAMES)[number];
const EVENT_NAME_INDEX = Object.fromEntries(EVENT_NAMES.map((name, index) => [name, index])) as Record<EventName, number>;

const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `hh:mm:ss` of a time of day in ms: much cheaper than a Date per event. */
function clockTime(msOfDay: number): string {
  const seconds = Math.floor(msOfDay / 1000);
  return `${twoDigits(Math.floor(seconds / 3600))}:${twoDigits(Math.floor(seconds / 60) % 60)}:${twoDigits(seconds % 60)}`;
}

function browseSession(random: Random): EventName[] {
  const names: EventName[] = [];
  if (random() < 0.45) names.push('login');
  if (random() < 0.3) names.push('search');
  const views = 1 + Math.floor(exponential(random, 1.6));
  for (let i = 0; i < views; i++) names.push(random() < 0.2 ? 'view_category' : 'view_product');
  if (random() < 0.1) names.push('view_rewards');
  if (random() < 0.2) {
    names.push('add_to_cart');
    if (random() < 0.3) names.push('begin_checkout');
  }
  return names;
}

function purchaseSession(random: Random): EventName[] {
  const names: EventName[] = random() < 0.6 ? ['login'] : [];
  const views = 1 + Math.floor(exponential(random, 1.2));
  for (let i = 0; i < views; i++) names.push('view_product');
  names.push('add_to_cart', 'begin_checkout');
  if (random() < 0.15) names.push('redeem_points');
  names.push('purchase');
  return names;
}

/**
 * Events of the last three calendar months for a sample of customers who ordered in the half
 * year before: on some days one or more browsing sessions, and a session ending in `purchase`
 * at each of their orders. Sorted by time.
 */
function eventsCsv(
  history: readonly GeneratedOrder[],
  customerCount: number,
  endDay: number,
  random: Random,
): { readonly text: string; readonly rows: number } {
  const end = new Date(endDay);
  const from = Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - (EVENT_MONTHS - 1), 1);
  const endTime = endDay + DAY_MS - 1000;
  const days = Math.round((endDay - from) / DAY_MS) + 1;

  const recent = new Set<Customer>();
  const ordersInWindow = new Map<Customer, number[]>();
  for (const order of history) {
    if (order.at < from - 180 * DAY_MS) continue;
    recent.add(order.customer);
    if (order.at < from) continue;
    const times = ordersInWindow.get(order.customer);
    if (times) times.push(order.at);
    else ordersInWindow.set(order.customer, [order.at]);
  }
  const pool = [...recent];
  const users = Math.min(pool.length, Math.round(customerCount * EVENT_USERS_PER_CUSTOMER));
  for (let i = 0; i < users; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const profiles = pool.slice(0, users).map((customer) => {
    const span = random();
    return {
      customer,
      /** Chance of a browsing day: most rarely, a few nearly every day. */
      activity: 0.01 + 0.45 * random() ** 2.5,
      firstDay: span < 0.12 ? Math.floor(random() * days) : 0, // started using the app lately
      lastDay: span > 0.8 ? Math.floor(random() * days) : days - 1, // drifted away
      orders: ordersInWindow.get(customer) ?? [],
    };
  });

  // An event is one number, (second of the day × users + user) × 16 + event name: a numeric sort
  // puts a day's events in time order, and a row repeated to the second (two overlapping
  // sessions of a customer) is the same number, written once.
  const lines = ['customer_id,event_name,occurred_at'];
  const perSecond = profiles.length * 16;
  let pending: number[] = []; // sessions run past midnight now and then
  for (let day = 0; day < days; day++) {
    const dayStart = from + day * DAY_MS;
    const keys = pending;
    const session = (user: number, names: readonly EventName[], start: number): void => {
      let at = start;
      for (const name of names) {
        if (at > endTime) return;
        keys.push((Math.floor((at - dayStart) / 1000) * profiles.length + user) * 16 + EVENT_NAME_INDEX[name]);
        at += (8 + Math.floor(random() * 150)) * 1000;
      }
    };
    profiles.forEach((profile, user) => {
      if (day >= profile.firstDay && day <= profile.lastDay && random() < profile.activity) {
        const sessions = random() < 0.3 ? 2 + Math.floor(random() * 3) : 1;
        for (let s = 0; s < sessions; s++) session(user, browseSession(random), dayStart + timeOfDayMs(random));
      }
      for (const orderAt of profile.orders) {
        if (orderAt < dayStart || orderAt >= dayStart + DAY_MS) continue;
        const names = purchaseSession(random);
        session(user, names, Math.max(dayStart, orderAt - (names.length - 1) * 80_000));
      }
    });
    const sorted = Float64Array.from(keys).sort();
    pending = [];
    const date = `${isoDate(dayStart)}T`;
    for (let i = 0; i < sorted.length; i++) {
      const key = sorted[i]!;
      if (i > 0 && key === sorted[i - 1]) continue;
      const second = Math.floor(key / perSecond);
      if (second >= 86_400) {
        pending.push(key - 86_400 * perSecond);
        continue;
      }
      const user = Math.floor((key % perSecond) / 16);
      lines.push(`${profiles[user]!.customer.id},${EVENT_NAMES[key % 16]!},${date}${clockTime(second * 1000)}Z`);
    }
  }
  return { text: lines.join('\n') + '\n', rows: lines.length - 1 };
}

// --- retention costs: what keeping customers cost, by month ------------------------------------

/**
 * Monthly spend over the whole history: loyalty points in proportion to revenue, win-back
 * e-mails, referral rewards per referred sign-up, VIP gifts from the second year (more in
 * December). Two rows give a date inside the month instead of `YYYY-MM`.
 */
function retentionCostRows(
  history: readonly GeneratedOrder[],
  customers: readonly Customer[],
  firstDay: number,
  endDay: number,
  random: Random,
): string[][] {
  const start = new Date(firstDay);
  const monthIndex = (time: number): number => {
    const date = new Date(time);
    return (date.getUTCFullYear() - start.getUTCFullYear()) * 12 + date.getUTCMonth() - start.getUTCMonth();
  };
  const months = monthIndex(endDay) + 1;
  const revenue = new Array<number>(months).fill(0);
  const referrals = new Array<number>(months).fill(0);
  for (const order of history) revenue[monthIndex(order.at)]! += order.amountCents;
  for (const customer of customers) if (customer.referredBy) referrals[monthIndex(customer.createdAt)]! += 1;
  const scale = customers.length / 30_000;

  const rows: string[][] = [];
  for (let i = 0; i < months; i++) {
    const month = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1);
    const label = monthText(month);
    const add = (cents: number, category: string): void => void rows.push([label, euros(Math.round(cents)), category]);
    add(revenue[i]! * 0.012 * (0.9 + 0.2 * random()), 'loyalty_points');
    if (i >= 2) add((30_000 + 20_000 * random()) * scale, 'winback_email');
    if (referrals[i]! > 0) add(referrals[i]! * 1000, 'referral_rewards');
    const december = new Date(month).getUTCMonth() === 11;
    if (i >= 12) add((60_000 + 40_000 * random()) * scale * (december ? 2.5 : 1), 'vip_gifts');
  }
  const last = (category: string, calendarMonth: string): string[] | undefined =>
    rows.filter(([month, , c]) => c === category && month!.endsWith(`-${calendarMonth}`)).at(-1);
  const november = last('vip_gifts', '11');
  if (november) november[0] = `${november[0]}-15`;
  const march = last('winback_email', '03');
  if (march) march[0] = `${march[0]}-31`;
  return rows;
}

// --- names and places for the vendor exports ----------------------------------------------------

const FIRST_NAMES = [
  'Anna', 'Lukas', 'Sophie', 'Jonas', 'Marie', 'Felix', 'Laura', 'Paul', 'Lea', 'Max', 'Emma', 'Noah',
  'Clara', 'Elias', 'Mia', 'Ben', 'Hannah', 'Finn', 'Julia', 'Leon', 'Sara', 'Tom', 'Nina', 'David',
] as const;
const LAST_NAMES = [
  'Schmidt', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Hoffmann', 'Koch', 'Richter', 'Klein',
  'Wolf', 'Neumann', 'Schwarz', 'Braun', 'Zimmermann', 'Hartmann', 'Janssen', 'de Vries', 'Dubois', 'Rossi',
] as const;

function personName(random: Random): { readonly first: string; readonly last: string } {
  return {
    first: FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)]!,
    last: LAST_NAMES[Math.floor(random() * LAST_NAMES.length)]!,
  };
}

const CITIES = [
  ['Berlin', '10115', 'DE'],
  ['Hamburg', '20095', 'DE'],
  ['München', '80331', 'DE'],
  ['Köln', '50667', 'DE'],
  ['Dresden', '01067', 'DE'],
  ['Leipzig', '04109', 'DE'],
  ['Wien', '1010', 'AT'],
  ['Graz', '8010', 'AT'],
  ['Amsterdam', '1012 AB', 'NL'],
  ['Rotterdam', '3011 AA', 'NL'],
  ['Bruxelles', '1000', 'BE'],
  ['Paris', '75001', 'FR'],
  ['Lyon', '69001', 'FR'],
  ['Milano', '20121', 'IT'],
  ['Madrid', '28001', 'ES'],
] as const;

// --- Shopify: a wholesale shop's "Export orders" CSV ---------------------------------------------

const SHOPIFY_ORDER_COLUMNS = [
  'Name', 'Email', 'Financial Status', 'Paid at', 'Fulfillment Status', 'Fulfilled at', 'Accepts Marketing',
  'Currency', 'Subtotal', 'Shipping', 'Taxes', 'Total', 'Discount Code', 'Discount Amount', 'Shipping Method',
  'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem compare at price',
  'Lineitem sku', 'Lineitem requires shipping', 'Lineitem taxable', 'Lineitem fulfillment status',
  'Billing Name', 'Billing City', 'Billing Zip', 'Billing Country', 'Shipping Name', 'Shipping City',
  'Shipping Zip', 'Shipping Country', 'Notes', 'Cancelled at', 'Payment Method', 'Refunded Amount', 'Vendor',
  'Id', 'Tags', 'Source',
] as const;
type ShopifyColumn = (typeof SHOPIFY_ORDER_COLUMNS)[number];
/** Columns of a line item, filled on every row of an order; all others only on its first row. */
const SHOPIFY_LINE_COLUMNS = new Set<ShopifyColumn>([
  'Name', 'Email', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem compare at price',
  'Lineitem sku', 'Lineitem requires shipping', 'Lineitem taxable', 'Lineitem fulfillment status', 'Vendor',
]);

const WHOLESALE_PRODUCTS = [
  { name: 'Espresso Beans, 1 kg', sku: 'ESP-1000', cents: 2450, compareAtCents: 2790, vendor: 'Rösterei Nord' },
  { name: 'Filter Coffee, 500 g', sku: 'FIL-0500', cents: 1190, vendor: 'Rösterei Nord' },
  { name: 'Decaf Beans, 1 kg', sku: 'DEC-1000', cents: 2690, vendor: 'Rösterei Nord' },
  { name: 'Cold Brew Concentrate 6 x 1 l', sku: 'CBC-0606', cents: 3900, vendor: 'Rösterei Nord' },
  { name: 'Oat Drink Barista, 12-pack', sku: 'OAT-1212', cents: 2280, vendor: 'Haferwerk' },
  { name: 'Paper Cups 8 oz (1000)', sku: 'CUP-0800', cents: 5400, vendor: 'PackPro' },
  { name: 'Lids for 8 oz Cups (1000)', sku: 'LID-0800', cents: 2100, vendor: 'PackPro' },
  { name: 'Ceramic Mug "Classic", white', sku: 'MUG-CLW', cents: 690, compareAtCents: 890, vendor: 'Keramik Hof' },
  { name: 'Chai Syrup 750 ml', sku: 'SYR-CHAI', cents: 890, vendor: 'Sirup & Co' },
  { name: 'Vanilla Syrup 750 ml', sku: 'SYR-VAN', cents: 850, vendor: 'Sirup & Co' },
  { name: 'Grinder Burr Set', sku: 'GRD-BURR', cents: 7900, vendor: 'MahlTech' },
  { name: 'Descaler, 6 x 250 ml', sku: 'DSC-0250', cents: 3150, vendor: 'CleanBrew' },
  { name: 'Tea Sampler, 24 Bags', sku: 'TEA-0024', cents: 1290, vendor: 'Teehaus' },
] as const;
const pickQuantity = weightedPicker([
  [1, 0.2],
  [2, 0.18],
  [3, 0.1],
  [4, 0.1],
  [6, 0.14],
  [10, 0.1],
  [12, 0.1],
  [24, 0.08],
]);
type FinancialStatus = 'paid' | 'partially_refunded' | 'refunded' | 'voided';
const pickFinancialStatus = weightedPicker<FinancialStatus>([
  ['paid', 0.9],
  ['partially_refunded', 0.04],
  ['refunded', 0.03],
  ['voided', 0.03],
]);
const pickShippingMethod = weightedPicker([
  ['Standard', 0.6],
  ['DHL Express, next day', 0.25],
  ['Pickup, Warehouse Berlin', 0.15],
]);
const SHOPIFY_NOTES = [
  'Deliver to the back door, ring twice',
  'Please call before delivery, ask for "Lager"',
  'Invoice to head office',
  'Same as last order',
] as const;
const SHOPIFY_BUYERS = 300;
const SHOPIFY_ORDERS = 1500;

/** Local time of a shop in Berlin with its UTC offset, as Shopify writes it: `2025-03-04 10:15:32 +0100`. */
function berlinTime(time: number): string {
  const year = new Date(time).getUTCFullYear();
  const lastSunday = (month: number): number => {
    const lastDay = Date.UTC(year, month + 1, 0);
    return lastDay - new Date(lastDay).getUTCDay() * DAY_MS;
  };
  const summer = time >= lastSunday(2) + 3_600_000 && time < lastSunday(9) + 3_600_000;
  const offset = summer ? 2 : 1;
  return `${utcStamp(time + offset * 3_600_000)} +0${offset}00`;
}

/**
 * 1,500 orders of 300 wholesale buyers over the last two years, as Shopify exports them:
 * one row per line item, newest order first; the order's fields on its first row only.
 */
function shopifyOrdersCsv(
  endDay: number,
  random: Random,
): { readonly text: string; readonly rows: number; readonly orders: number } {
  const endTime = endDay + DAY_MS - 1000;
  const windowStart = endDay - 730 * DAY_MS;
  const buyers = Array.from({ length: SHOPIFY_BUYERS }, (_, index) => {
    const { first, last } = personName(random);
    const city = CITIES[Math.floor(random() * CITIES.length)]!;
    const payment = random();
    return {
      email: `buyer${index + 1}@example.com`,
      name: `${first} ${last}`,
      shippingName: random() < 0.2 ? `Café ${last}, Filiale ${city[0]}` : `${first} ${last}`,
      city,
      acceptsMarketing: random() < 0.6 ? 'yes' : 'no',
      paymentMethod: payment < 0.6 ? 'Shopify Payments' : payment < 0.75 ? 'PayPal Express Checkout' : 'Bank Deposit',
      joined: random() < 0.4 ? windowStart : windowStart + random() * (endTime - windowStart),
    };
  });
  const buyerCumulative = runningTotals(buyers.map(() => Math.exp(0.9 * standardNormal(random))));
  const orders = Array.from({ length: SHOPIFY_ORDERS }, () => {
    const day = startOfDay(windowStart + random() * (endTime - windowStart));
    const at = Math.min(endTime, day + (6 + Math.floor(random() * 12)) * 3_600_000 + Math.floor(random() * 3600) * 1000);
    let buyer = buyers[pickWeighted(buyerCumulative, random)]!;
    while (buyer.joined > at) buyer = buyers[pickWeighted(buyerCumulative, random)]!; // a buyer who had joined by then
    return { buyer, at };
  }).sort((a, b) => a.at - b.at);

  let shopifyId = 5_480_000_000_000 + Math.floor(random() * 1_000_000);
  const rowsByOrder: string[][][] = orders.map(({ buyer, at }, index) => {
    const products = [...WHOLESALE_PRODUCTS];
    const lineCount = 1 + Math.min(6, Math.floor(exponential(random, 1.3)));
    const lines = Array.from({ length: lineCount }, () => {
      const product = products.splice(Math.floor(random() * products.length), 1)[0]!;
      return { product, quantity: pickQuantity(random) };
    });
    const subtotal = lines.reduce((sum, line) => sum + line.quantity * line.product.cents, 0);
    const shipping = subtotal >= 25_000 ? 0 : buyer.city[2] === 'DE' ? 990 : 1490;
    const taxes = Math.round((subtotal + shipping) * 0.19);
    const status = pickFinancialStatus(random);
    const partialRefund = (): number => Math.max(1, Math.round(subtotal * (0.1 + 0.5 * random())));
    const refunded = status === 'refunded' ? subtotal : status === 'partially_refunded' ? partialRefund() : 0;
    // Paid by card at once; a bank transfer takes days.
    const paymentDelay =
      buyer.paymentMethod === 'Bank Deposit' ? (3 + random() * 17) * DAY_MS : (1 + random() * 20) * 60_000;
    const paidAt = status === 'voided' ? null : Math.min(endTime, at + paymentDelay);
    const shippedAt = at + (1 + random() * 2) * DAY_MS;
    const fulfilled = status !== 'voided' && !(status === 'refunded' && random() < 0.5) && shippedAt <= endTime;
    const cancelledAt =
      status === 'voided' || (status === 'refunded' && !fulfilled)
        ? Math.min(endTime, (paidAt ?? at) + (1 + random() * 47) * 3_600_000)
        : null;
    shopifyId += 1_000 + Math.floor(random() * 400_000);

    const order: Record<ShopifyColumn, string> = {
      Name: `#${1001 + index}`,
      Email: buyer.email,
      'Financial Status': status,
      'Paid at': paidAt === null ? '' : berlinTime(paidAt),
      'Fulfillment Status': fulfilled ? 'fulfilled' : 'unfulfilled',
      'Fulfilled at': fulfilled ? berlinTime(shippedAt) : '',
      'Accepts Marketing': buyer.acceptsMarketing,
      Currency: 'EUR',
      Subtotal: euros(subtotal),
      Shipping: euros(shipping),
      Taxes: euros(taxes),
      Total: euros(subtotal + shipping + taxes),
      'Discount Code': '',
      'Discount Amount': '0.00',
      'Shipping Method': pickShippingMethod(random),
      'Created at': berlinTime(at),
      'Lineitem quantity': '',
      'Lineitem name': '',
      'Lineitem price': '',
      'Lineitem compare at price': '',
      'Lineitem sku': '',
      'Lineitem requires shipping': 'true',
      'Lineitem taxable': 'true',
      'Lineitem fulfillment status': fulfilled ? 'fulfilled' : 'pending',
      'Billing Name': buyer.name,
      'Billing City': buyer.city[0],
      'Billing Zip': buyer.city[1],
      'Billing Country': buyer.city[2],
      'Shipping Name': buyer.shippingName,
      'Shipping City': buyer.city[0],
      'Shipping Zip': buyer.city[1],
      'Shipping Country': buyer.city[2],
      Notes: random() < 0.08 ? SHOPIFY_NOTES[Math.floor(random() * SHOPIFY_NOTES.length)]! : '',
      'Cancelled at': cancelledAt === null ? '' : berlinTime(cancelledAt),
      'Payment Method': buyer.paymentMethod,
      'Refunded Amount': euros(refunded),
      Vendor: '',
      Id: String(shopifyId),
      Tags: buyer.paymentMethod === 'Bank Deposit' ? 'wholesale, net30' : 'wholesale',
      Source: random() < 0.15 ? 'shopify_draft_order' : 'web',
    };
    return lines.map(({ product, quantity }, lineIndex) => {
      const row: Record<ShopifyColumn, string> = {
        ...order,
        'Lineitem quantity': String(quantity),
        'Lineitem name': product.name,
        'Lineitem price': euros(product.cents),
        'Lineitem compare at price': 'compareAtCents' in product ? euros(product.compareAtCents) : '',
        'Lineitem sku': product.sku,
        Vendor: product.vendor,
      };
      return SHOPIFY_ORDER_COLUMNS.map((column) => (lineIndex === 0 || SHOPIFY_LINE_COLUMNS.has(column) ? row[column] : ''));
    });
  });
  const rows = rowsByOrder.reverse().flat();
  return { text: csvLines(SHOPIFY_ORDER_COLUMNS, rows), rows: rows.length, orders: orders.length };
}

// --- Stripe: a subscription box sold through Stripe Billing -------------------------------------

const STRIPE_PAYMENT_COLUMNS = [
  'id', 'Created date (UTC)', 'Amount', 'Amount Refunded', 'Currency', 'Captured', 'Converted Amount',
  'Converted Amount Refunded', 'Converted Currency', 'Description', 'Fee', 'Mode', 'Status',
  'Statement Descriptor', 'Customer ID', 'Customer Description', 'Customer Email', 'Card ID', 'Invoice ID',
] as const;
const STRIPE_SUBSCRIPTION_COLUMNS = [
  'id', 'Customer ID', 'Customer Description', 'Customer Email', 'Plan', 'Product', 'Quantity', 'Interval',
  'Amount', 'Status', 'Created (UTC)', 'Start (UTC)', 'Current Period Start (UTC)', 'Current Period End (UTC)',
  'Trial Start (UTC)', 'Trial End (UTC)', 'Canceled At (UTC)', 'Ended At (UTC)', 'Cancel At Period End',
] as const;
const STRIPE_CUSTOMERS = 200;
const STRIPE_DESCRIPTOR = 'ROESTEREI NORD BOX';

interface StripeCustomer {
  readonly id: string;
  readonly description: string;
  readonly email: string;
  /** A card's id; empty for customers paying by SEPA debit (their payments are `py_…`). */
  readonly card: string;
}

interface StripePayment {
  readonly id: string;
  readonly at: number;
  readonly customer: StripeCustomer;
  readonly cents: number;
  readonly refundedCents: number;
  readonly status: 'Paid' | 'Refunded' | 'Failed';
  readonly description: string;
  readonly invoice: string;
}

interface StripeSubscription {
  readonly id: string;
  readonly customer: StripeCustomer;
  readonly plan: {
    readonly id: string;
    readonly product: string;
    readonly interval: 'month' | 'year';
    readonly cents: number;
  };
  readonly quantity: number;
  readonly created: number;
  readonly trialEnd: number | null;
  periodStart: number;
  periodEnd: number;
  status: 'active' | 'canceled' | 'past_due';
  canceledAt: number | null;
  endedAt: number | null;
  cancelAtPeriodEnd: boolean;
}

/**
 * 200 Stripe customers with their subscriptions (monthly or yearly, some with a trial; some
 * cancel, at once or at the period's end, and some come back) and the payments of the last
 * year: each period's invoice, a few failed (most retried three days later), a few refunded,
 * plus some one-off purchases.
 */
function generateStripe(
  endDay: number,
  random: Random,
): { readonly subscriptions: StripeSubscription[]; readonly payments: StripePayment[] } {
  const endTime = endDay + DAY_MS - 1000;
  const paymentsFrom = endTime - 365 * DAY_MS;
  const newId = idMaker(random);
  const products = { box: newId('prod_', 14), starter: newId('prod_', 14) };
  const pickPlan = weightedPicker([
    [{ id: newId('price_1', 23), product: products.box, interval: 'month', cents: 4900 }, 0.55],
    [{ id: newId('price_1', 23), product: products.box, interval: 'year', cents: 49_000 }, 0.2],
    [{ id: newId('price_1', 23), product: products.starter, interval: 'month', cents: 1900 }, 0.25],
  ] as const);
  const pickQuantityOfBoxes = weightedPicker([
    [1, 0.8],
    [2, 0.15],
    [3, 0.05],
  ]);

  const subscriptions: StripeSubscription[] = [];
  const payments: StripePayment[] = [];
  const pay = (
    customer: StripeCustomer,
    at: number,
    cents: number,
    description: string,
    invoice: string,
    declined = false,
  ): StripePayment['status'] => {
    const draw = random();
    const status = declined || draw < 0.04 ? 'Failed' : draw < 0.06 ? 'Refunded' : 'Paid';
    const refundedCents = status === 'Refunded' ? cents : status === 'Paid' && draw > 0.99 ? Math.round(cents * 0.3) : 0;
    const id = customer.card ? newId('ch_3', 23) : newId('py_3', 23);
    if (at >= paymentsFrom) payments.push({ id, at, customer, cents, refundedCents, status, description, invoice });
    return status;
  };

  for (let index = 0; index < STRIPE_CUSTOMERS; index++) {
    const { first, last } = personName(random);
    const style = random();
    const customer: StripeCustomer = {
      id: newId('cus_', 14),
      description: style < 0.75 ? `${first} ${last}` : style < 0.85 ? `${last}, ${first}` : '',
      email: `${first}.${last.replace(' ', '')}${index + 1}@example.com`.toLowerCase(),
      card: random() < 0.85 ? newId('card_1', 23) : '',
    };
    let created = startOfDay(endTime - (7 + random() * 720) * DAY_MS) + timeOfDayMs(random);
    while (created < endTime - DAY_MS) {
      const plan = pickPlan(random);
      const trialEnd = random() < 0.25 && created + 15 * DAY_MS < endTime ? created + 14 * DAY_MS : null;
      const subscription: StripeSubscription = {
        id: newId('sub_1', 23),
        customer,
        plan,
        quantity: pickQuantityOfBoxes(random),
        created,
        trialEnd,
        periodStart: created,
        periodEnd: trialEnd ?? created,
        status: 'active',
        canceledAt: null,
        endedAt: null,
        cancelAtPeriodEnd: false,
      };
      subscriptions.push(subscription);
      const cents = plan.cents * subscription.quantity;
      /** Cancelled by the customer: at once, or (more often) at the end of the period. */
      const cancel = (at: number, periodEnd: number): void => {
        subscription.canceledAt = at;
        subscription.cancelAtPeriodEnd = random() < 0.6;
        const endedAt = subscription.cancelAtPeriodEnd ? periodEnd : at;
        if (endedAt <= endTime) {
          subscription.endedAt = endedAt;
          subscription.status = 'canceled';
        }
      };

      if (trialEnd !== null && random() < 0.25) {
        cancel(created + random() * 13 * DAY_MS, trialEnd); // never paid
      } else {
        const billingStart = trialEnd ?? created;
        const months = plan.interval === 'month' ? 1 : 12;
        const hazard = plan.interval === 'month' ? 0.055 : 0.3;
        for (let period = 0; ; period++) {
          const periodStart = addMonths(billingStart, period * months);
          const periodEnd = addMonths(billingStart, (period + 1) * months);
          subscription.periodStart = periodStart;
          subscription.periodEnd = periodEnd;
          const current = periodEnd > endTime;
          // Each period's invoice is paid at once; a failed payment is retried 3 days later. For a
          // few, the current period's card keeps being declined: past due at the end.
          const invoice = newId('in_1', 23);
          const description = period === 0 ? 'Subscription creation' : 'Subscription update';
          const declined = current && random() < 0.06;
          const firstTry = periodStart + (period === 0 ? 5_000 : 3_600_000);
          if (firstTry > endTime) break;
          if (pay(customer, firstTry, cents, description, invoice, declined) === 'Failed') {
            const retry = firstTry + 3 * DAY_MS;
            if (retry > endTime || pay(customer, retry, cents, description, invoice, declined) === 'Failed') {
              if (current) {
                subscription.status = 'past_due';
              } else {
                // Retries exhausted: Stripe cancels the subscription.
                subscription.canceledAt = subscription.endedAt = retry + DAY_MS;
                subscription.status = 'canceled';
              }
              break;
            }
          }
          if (random() < hazard) {
            const at = periodStart + random() * (periodEnd - periodStart);
            if (at <= endTime) {
              cancel(at, periodEnd);
              break;
            }
          }
          if (current) break;
        }
      }
      if (subscription.endedAt === null || random() >= 0.2) break;
      created = startOfDay(subscription.endedAt + (20 + exponential(random, 90)) * DAY_MS) + timeOfDayMs(random);
    }
    // One-off purchases: a workshop, a gift card.
    const extras = random() < 0.3 ? 1 + Math.floor(random() * 3) : 0;
    for (let i = 0; i < extras; i++) {
      const at = paymentsFrom + random() * (endTime - paymentsFrom);
      const [description, cents] =
        random() < 0.5 ? ['Barista workshop', 6500] : ['Gift card', [2500, 5000, 10_000][Math.floor(random() * 3)]!];
      pay(customer, at, cents, description, '');
    }
  }
  return {
    subscriptions: subscriptions.sort((a, b) => b.created - a.created),
    payments: payments.sort((a, b) => b.at - a.at),
  };
}

function stripePaymentsCsv(payments: readonly StripePayment[]): string {
  return csvLines(
    STRIPE_PAYMENT_COLUMNS,
    payments.map((p) => {
      const failed = p.status === 'Failed';
      const fee = failed ? 0 : p.customer.card ? Math.round(p.cents * 0.015) + 25 : 35;
      return [
        p.id,
        utcStamp(p.at),
        euros(p.cents),
        euros(p.refundedCents),
        'eur',
        failed ? 'false' : 'true',
        euros(p.cents),
        euros(p.refundedCents),
        'eur',
        p.description,
        euros(fee),
        'Live',
        p.status,
        STRIPE_DESCRIPTOR,
        p.customer.id,
        p.customer.description,
        p.customer.email,
        p.customer.card,
        p.invoice,
      ];
    }),
  );
}

function stripeSubscriptionsCsv(subscriptions: readonly StripeSubscription[]): string {
  const stamp = (time: number | null): string => (time === null ? '' : utcStamp(time));
  return csvLines(
    STRIPE_SUBSCRIPTION_COLUMNS,
    subscriptions.map((s) => [
      s.id,
      s.customer.id,
      s.customer.description,
      s.customer.email,
      s.plan.id,
      s.plan.product,
      String(s.quantity),
      s.plan.interval,
      euros(s.plan.cents),
      s.status,
      stamp(s.created),
      stamp(s.created),
      stamp(s.periodStart),
      stamp(s.periodEnd),
      s.trialEnd === null ? '' : stamp(s.created),
      stamp(s.trialEnd),
      stamp(s.canceledAt),
      stamp(s.endedAt),
      String(s.cancelAtPeriodEnd),
    ]),
  );
}

/** The inbox folders the demo writes; each is replaced whole by a new demo. */
const DEMO_DATASETS = [
  'customers',
  'orders',
  'subscriptions',
  'survey_responses',
  'events',
  'retention_costs',
  'shopify_orders',
  'stripe_payments',
  'stripe_subscriptions',
] as const;

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
  const endDay = parseEndDate(options.endDate ?? '2026-10-31');
  const end = new Date(endDay);
  const endYear = end.getUTCFullYear();
  const firstDay = Date.UTC(endYear - HISTORY_YEARS, end.getUTCMonth(), end.getUTCDate() + 1);
  const days = Math.round((endDay - firstDay) / DAY_MS) + 1;
  const seasons = Array.from({ length: days }, (_, day) => daySeason(firstDay + day * DAY_MS));
  const calendar: Calendar = { firstDay, seasons };

  const customers = generateCustomers(customerCount, calendar, random);
  const history = generateOrderHistory(customers, calendar, endDay + DAY_MS - 1000, random);
  const rows = orderRows(history, random);
  const reexportStart = Date.UTC(endYear, end.getUTCMonth() - 1, 1);
  addDefects(rows, reexportStart, random);
  const orderFiles = planOrderFiles(rows, endDay, reexportStart, random);

  // Compressing the events runs on the thread pool while the other files are generated.
  const events = eventsCsv(history, customerCount, endDay, streamFor(seed, 3));
  const eventsGzip = gzipAsync(events.text);

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

  // An empty file would be refused, so a dataset without rows gets no file.
  const subscriptions = generateSubscriptions(history, endDay, streamFor(seed, 1));
  if (subscriptions.length > 0) files.set('subscriptions/subscriptions.csv', subscriptionsCsv(subscriptions));
  const surveys = generateSurveyResponses(history, customerCount, endDay, streamFor(seed, 2));
  if (surveys.length > 0) files.set(`survey_responses/surveys-${endYear}.jsonl`, surveysNdjson(surveys));
  const costs = retentionCostRows(history, customers, firstDay, endDay, streamFor(seed, 4));
  files.set('retention_costs/retention-spend.csv', csvLines(['month', 'amount', 'category'], costs));
  const shopify = shopifyOrdersCsv(endDay, streamFor(seed, 5));
  files.set('shopify_orders/orders_export_1.csv', shopify.text);
  const stripe = generateStripe(endDay, streamFor(seed, 6));
  if (stripe.payments.length > 0) files.set('stripe_payments/unified_payments.csv', stripePaymentsCsv(stripe.payments));
  files.set('stripe_subscriptions/subscriptions.csv', stripeSubscriptionsCsv(stripe.subscriptions));
  if (events.rows > 0) files.set(`events/events-${monthText(endDay)}.csv.gz`, await eventsGzip);

  const inbox = join(lakeDir, 'inbox');
  for (const dataset of DEMO_DATASETS) await rm(join(inbox, dataset), { recursive: true, force: true });
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
  };
}
