// Demo loyalty and referral programs: who joined which, and who left (`program_memberships`).

import type { Customer } from './customers.js';
import { iso, isoDate } from './formats.js';
import type { GeneratedOrder } from './orders.js';
import { exponential, type Random } from './random.js';

const DAY_MS = 86_400_000;

/**
 * Two programs: the "gold club" (loyalty), which about a third of repeat customers join at
 * their second order and about one in five of them leaves later; and "refer-a-friend"
 * (referral), which every customer who referred someone joined at their first order. Dates are
 * a mix of timestamps and plain dates, and the program type is written in mixed case.
 */
export function programMembershipRows(
  history: readonly GeneratedOrder[],
  customers: readonly Customer[],
  endDay: number,
  random: Random,
): string[][] {
  const orderTimes = new Map<Customer, number[]>();
  for (const order of history) orderTimes.set(order.customer, [...(orderTimes.get(order.customer) ?? []), order.at]);
  const referrers = new Set(customers.map((customer) => customer.referredBy).filter(Boolean));
  const rows: string[][] = [];
  for (const customer of customers) {
    const times = orderTimes.get(customer) ?? [];
    if (times.length >= 2 && random() < 0.35) {
      const joined = times[1]!;
      const left = random() < 0.2 ? joined + Math.round(exponential(random, 200) + 30) * DAY_MS : undefined;
      rows.push([`M-${customer.id}-gold`, customer.id, 'gold club', random() < 0.5 ? 'loyalty' : 'Loyalty', iso(joined), left !== undefined && left <= endDay ? isoDate(left) : '']);
    }
    if (referrers.has(customer.id) && times.length > 0) {
      rows.push([`M-${customer.id}-raf`, customer.id, 'refer-a-friend', 'referral', isoDate(times[0]!), '']);
    }
  }
  return rows;
}

export const PROGRAM_MEMBERSHIP_COLUMNS = ['membership_id', 'customer_id', 'program', 'program_type', 'joined_at', 'left_at'] as const;
