// Bad input a real inbox has: rows broken by export glitches and a file from another tool.

import { euros } from './formats.js';
import type { OrderRow } from './orders.js';
import type { Random } from './random.js';

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
export function addDefects(rows: readonly OrderRow[], before: number, random: Random): void {
  const candidates = rows.filter((row) => row.at < before);
  DEFECTS.forEach((defect, index) => {
    const row = candidates[Math.floor(((index + random()) / DEFECTS.length) * candidates.length)];
    if (row) defect(row);
  });
}

/** An export from another tool: `total` where `amount` belongs, so the whole file is rejected. */
export function brokenExportCsv(rows: readonly OrderRow[]): string {
  const lines = ['order_id,customer_id,ordered_at,total,currency,status'];
  for (const row of rows) {
    lines.push([row.order_id, row.customer_id, row.ordered_at, row.amount, 'EUR', row.status].join(','));
  }
  return lines.join('\n') + '\n';
}
