// Demo subscriptions: a paid "club" some customers join after their first order (`subscriptions`).

import { DAY_MS, startOfDay } from './calendar.js';
import type { Customer } from './customers.js';
import { csvLines, euros, isoDate } from './formats.js';
import { firstOrderTimes, type GeneratedOrder } from './orders.js';
import { exponential, type Random, weightedPicker } from './random.js';

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
export function generateSubscriptions(history: readonly GeneratedOrder[], endDay: number, random: Random): ClubSubscription[] {
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

export function subscriptionsCsv(subscriptions: readonly ClubSubscription[]): string {
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
