// How the demo exports write timestamps, amounts and CSV fields.

import { DAY_MS } from './calendar.js';
import type { Random } from './random.js';

export const iso = (time: number): string => new Date(time).toISOString().slice(0, 19);
export const isoDate = (time: number): string => new Date(time).toISOString().slice(0, 10);
export const euros = (cents: number): string => (cents / 100).toFixed(2);
export const utcStamp = (time: number): string => iso(time).replace('T', ' ');
export const monthText = (time: number): string => isoDate(time).slice(0, 7);

/**
 * Mostly `…Z`; some with an offset (same instant), some without a zone (read as UTC),
 * and some date-only, but only when midnight is not before `notBefore`.
 */
export function timestampText(time: number, notBefore: number, random: Random): string {
  const style = random();
  if (style < 0.86) return `${iso(time)}Z`;
  if (style < 0.93) {
    const offsetHours = random() < 0.7 ? 1 : -5;
    const sign = offsetHours < 0 ? '-' : '+';
    return `${iso(time + offsetHours * 3_600_000)}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
  }
  if (style < 0.97 || Math.floor(time / DAY_MS) <= Math.floor(notBefore / DAY_MS)) return iso(time).replace('T', ' ');
  return isoDate(time);
}

/** Quoted when it holds a comma, a quote or a line break, the way spreadsheets and vendors write CSV. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLines(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header.join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\n') + '\n';
}
