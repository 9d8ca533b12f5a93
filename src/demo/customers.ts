// Demo customers: sign-ups over the history, their channel and referrer (`customers`).

import { type Calendar, DAY_MS, timeOfDayMs } from './calendar.js';
import { timestampText } from './formats.js';
import { pickWeighted, type Random, runningTotals } from './random.js';

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

export function customersCsv(customers: readonly Customer[]): string {
  const lines = ['\uFEFFcustomer_id,created_at,acquisition_channel,referred_by'];
  for (const c of customers) lines.push(`${c.id},${c.createdAtText},"${c.channel}",${c.referredBy}`);
  return lines.join('\n') + '\n';
}
