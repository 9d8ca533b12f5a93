// Demo orders: every customer's order history and the yearly export files in their formats (`orders`).

import { DAY_MS, HISTORY_YEARS, type Calendar, timeOfDayMs } from './calendar.js';
import type { Customer } from './customers.js';
import { euros, timestampText } from './formats.js';
import { exponential, type Random, standardNormal } from './random.js';

const SHARE_NEVER_RETURNING = 0.6;

type Status = 'completed' | 'refunded' | 'cancelled';

/** An order as its export shows it: text fields, an empty refunded_amount meaning none. */
export interface OrderRow {
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

export interface GeneratedOrder {
  readonly customer: Customer;
  readonly at: number;
  readonly amountCents: number;
}

/** Every customer's order times and amounts: a first order soon after sign-up, then maybe repeats until they churn. */
export function generateOrderHistory(
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

export function orderRows(orders: readonly GeneratedOrder[], random: Random): OrderRow[] {
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

const COMMA: CsvStyle = { delimiter: ',', lineEnd: '\n', noRefund: '0.00' };

export interface OrderFile {
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
export function planOrderFiles(
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

/** Each customer's first order time, in the order of those first orders. */
export function firstOrderTimes(history: readonly GeneratedOrder[]): Map<Customer, number> {
  const first = new Map<Customer, number>();
  for (const order of history) if (!first.has(order.customer)) first.set(order.customer, order.at);
  return first;
}
