// The CDNOW sample's customer summary (test/fixtures/reference/cdnow/README.md), read for the
// repeat-purchase model tests: one row per customer, and the distinct histories with weights.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BgNbdRow } from '../../src/core/predictive/bg-nbd.js';

const CDNOW_SUMMARY = join(import.meta.dirname, '../fixtures/reference/cdnow/cdnow_customers_summary_with_transactions.csv');

export interface CdnowCustomer {
  id: number;
  x: number;
  tx: number;
  T: number;
}

export function readCdnowSummary(): CdnowCustomer[] {
  const [header, ...lines] = readFileSync(CDNOW_SUMMARY, 'utf8').trim().split(/\r?\n/);
  if (header !== 'ID,x,t_x,T,zbar') throw new Error(`unexpected CDNOW header ${header}`);
  return lines.map((line) => {
    const [id, x, tx, T] = line.split(',').map(Number);
    return { id: id!, x: x!, tx: tx!, T: T! };
  });
}

/** Distinct (x, t_x, T) with the number of customers sharing them. */
export function groupCdnow(customers: readonly CdnowCustomer[]): BgNbdRow[] {
  const rows = new Map<string, BgNbdRow>();
  for (const { x, tx, T } of customers) {
    const key = `${x}|${tx}|${T}`;
    const row = rows.get(key);
    if (row) row.weight++;
    else rows.set(key, { frequency: x, recency: tx, T, weight: 1 });
  }
  return [...rows.values()];
}
