// Demo customers: sign-ups over the history, their channel, referrer, segment and country (`customers`).

import { type Calendar, DAY_MS, timeOfDayMs } from './calendar.js';
import { timestampText } from './formats.js';
import { pickWeighted, type Random, runningTotals, weightedPicker } from './random.js';

/** Relative acquisitions per day at the end of the history versus its start. */
const ACQUISITION_GROWTH = 2.2;

const CHANNELS = [
  { name: 'organic', weight: 0.34 },
  { name: 'paid_search', weight: 0.26 },
  { name: 'social', weight: 0.15 },
  { name: 'email', weight: 0.1 },
  { name: 'referral', weight: 0.15 },
] as const;

export interface Customer {
  readonly id: string;
  readonly createdAt: number;
  readonly createdAtText: string;
  readonly channel: string;
  readonly referredBy: string;
}

const customerId = (index: number): string => `C${String(index + 1).padStart(6, '0')}`;

export function generateCustomers(count: number, calendar: Calendar, random: Random): Customer[] {
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

const SEGMENTS = weightedPicker([
  ['consumer', 0.72],
  ['business', 0.2],
  ['vip', 0.08],
] as const);

const COUNTRIES = weightedPicker([
  ['DE', 0.4],
  ['FR', 0.15],
  ['NL', 0.12],
  ['AT', 0.1],
  ['BE', 0.08],
  ['ES', 0.08],
  ['IT', 0.07],
] as const);

/** Each customer's segment and country, from a stream of their own (drawing them changes no other column). */
export interface CustomerAttributes {
  readonly segment: string;
  readonly country: string;
}

export function generateCustomerAttributes(count: number, random: Random): CustomerAttributes[] {
  return Array.from({ length: count }, () => ({ segment: SEGMENTS(random), country: COUNTRIES(random) }));
}

export function customersCsv(customers: readonly Customer[], attributes: readonly CustomerAttributes[]): string {
  const lines = ['\uFEFFcustomer_id,created_at,acquisition_channel,referred_by,segment,country'];
  customers.forEach((c, i) => lines.push(`${c.id},${c.createdAtText},"${c.channel}",${c.referredBy},${attributes[i]!.segment},${attributes[i]!.country}`));
  return lines.join('\n') + '\n';
}
