// The demo's days: the three-year history, each day's demand, times of day and month arithmetic.

import { pickWeighted, type Random, runningTotals } from './random.js';

export const DAY_MS = 86_400_000;
export const HISTORY_YEARS = 3;
/** The last day of the demo's data: 2026-10-31. */
export const END_DAY = Date.UTC(2026, 9, 31);

/** Jan…Dec: Black Friday/Christmas peak, summer dip. */
const MONTH_SEASON = [0.95, 0.85, 0.95, 1, 1, 0.9, 0.75, 0.75, 0.95, 1.05, 1.4, 1.55] as const;
/** Sun…Sat. */
const WEEKDAY_SEASON = [1.1, 1.05, 1, 1, 1, 0.95, 0.9] as const;
/** Hours 0…23 (UTC): quiet nights, lunch bump, evening peak. */
const HOUR_WEIGHTS = [
  2, 1, 0.6, 0.4, 0.4, 0.6, 1.2, 2.5, 3.5, 4, 4.2, 4.5, 5, 4.8, 4.5, 4.5, 4.8, 5.2, 6, 6.5, 6.8, 6, 4.5, 3,
] as const;

const HOUR_CUMULATIVE = runningTotals(HOUR_WEIGHTS);

export function timeOfDayMs(random: Random): number {
  return pickWeighted(HOUR_CUMULATIVE, random) * 3_600_000 + Math.floor(random() * 3_600) * 1000;
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

/** The days of the history and the demand multiplier of each. */
export interface Calendar {
  readonly firstDay: number;
  readonly seasons: readonly number[];
}

/** The history: the three years up to and including `endDay`, with each day's demand. */
export function demandCalendar(endDay: number): Calendar {
  const end = new Date(endDay);
  const firstDay = Date.UTC(end.getUTCFullYear() - HISTORY_YEARS, end.getUTCMonth(), end.getUTCDate() + 1);
  const days = Math.round((endDay - firstDay) / DAY_MS) + 1;
  const seasons = Array.from({ length: days }, (_, day) => daySeason(firstDay + day * DAY_MS));
  return { firstDay, seasons };
}

export const startOfDay = (time: number): number => Math.floor(time / DAY_MS) * DAY_MS;

/** The same day of the month (or the month's last day) `months` later, at the same time of day. */
export function addMonths(time: number, months: number): number {
  const date = new Date(time);
  const [year, month] = [date.getUTCFullYear(), date.getUTCMonth() + months];
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay)) + (time - startOfDay(time));
}
