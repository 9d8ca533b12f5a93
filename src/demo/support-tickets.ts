// Demo support desk: tickets after orders, most of them complaints (`support_tickets`).

import { iso } from './formats.js';
import type { GeneratedOrder } from './orders.js';
import { exponential, type Random } from './random.js';

const HOUR_MS = 3_600_000;
const CATEGORIES = ['delivery', 'product', 'billing', 'question'] as const;

/**
 * About 3% of orders lead to a ticket within a few days: deliveries and products are mostly
 * complaints, questions never are. About one customer in ten who complains once complains again
 * within weeks. Most tickets are resolved within a day or two; some are still open at the end.
 */
export function supportTicketRows(history: readonly GeneratedOrder[], endDay: number, random: Random): string[][] {
  const rows: string[][] = [];
  const add = (order: GeneratedOrder, openedAt: number): void => {
    if (openedAt > endDay) return;
    const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)]!;
    const isComplaint = category === 'question' ? false : category === 'billing' ? random() < 0.5 : random() < 0.9;
    const resolvedAt = openedAt + Math.round(exponential(random, 20) * HOUR_MS);
    const resolved = random() < 0.95 && resolvedAt <= endDay;
    rows.push([`T${String(rows.length + 1).padStart(6, '0')}`, order.customer.id, iso(openedAt), isComplaint ? (random() < 0.5 ? 'true' : 'yes') : 'false', category, resolved ? iso(resolvedAt) : '']);
  };
  for (const order of history) {
    if (random() >= 0.03) continue;
    const openedAt = order.at + Math.round(exponential(random, 48) * HOUR_MS);
    add(order, openedAt);
    if (random() < 0.1) add(order, openedAt + Math.round((7 + 30 * random()) * 24 * HOUR_MS));
  }
  return rows;
}

export const SUPPORT_TICKET_COLUMNS = ['ticket_id', 'customer_id', 'opened_at', 'is_complaint', 'category', 'resolved_at'] as const;
