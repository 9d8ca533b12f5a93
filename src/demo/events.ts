// Demo app events: sessions of some recently active customers, one gzipped CSV (`events`).

import { DAY_MS, timeOfDayMs } from './calendar.js';
import type { Customer } from './customers.js';
import { isoDate } from './formats.js';
import type { GeneratedOrder } from './orders.js';
import { exponential, type Random } from './random.js';

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
export function eventsCsv(
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
