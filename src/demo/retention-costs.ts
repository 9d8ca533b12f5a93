// Demo retention spend: what keeping customers cost, by month (`retention_costs`).

import type { Customer } from './customers.js';
import { euros, monthText } from './formats.js';
import type { GeneratedOrder } from './orders.js';
import type { Random } from './random.js';

/**
 * Monthly spend over the whole history: loyalty points in proportion to revenue, win-back
 * e-mails, referral rewards per referred sign-up, VIP gifts from the second year (more in
 * December). Two rows give a date inside the month instead of `YYYY-MM`.
 */
export function retentionCostRows(
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
