import { expect } from 'vitest';

export type Row = Record<string, unknown>;

/** A DECIMAL(18,2) output compared to 2 decimals (nearest cent) against an unrounded hand value. */
export class Money {
  constructor(readonly value: number) {}
}
export const money = (value: number) => new Money(value);

/**
 * Compares every column of every row, in order (every mismatch is reported). Expected values:
 *   Money  → DECIMAL read back as a string, Number(actual) within half a cent of the value
 *   number → DOUBLE, toBeCloseTo(value, 9)
 *   else   → toEqual (BIGINT/DECIMAL as strings, DATE as 'YYYY-MM-DD', booleans, null)
 * The expected rows must name every published column.
 */
export function expectRows(actual: Row[], expected: Row[], keyColumns: string[]): void {
  expect(actual.map((r) => keyColumns.map((k) => r[k]).join('|'))).toEqual(
    expected.map((r) => keyColumns.map((k) => r[k]).join('|')),
  );
  for (const [i, exp] of expected.entries()) {
    const act = actual[i]!;
    const where = keyColumns.map((k) => `${k}=${String(exp[k])}`).join(', ');
    expect(Object.keys(act).sort(), `columns of row ${where}`).toEqual(Object.keys(exp).sort());
    for (const [column, value] of Object.entries(exp)) {
      const got = act[column];
      const label = `${column} of row ${where}`;
      // expect.soft: a mismatch is recorded and the other columns and rows are still compared
      if (value instanceof Money) {
        expect.soft(typeof got, label).toBe('string');
        expect.soft(Number(got), label).toBeCloseTo(value.value, 2);
      } else if (typeof value === 'number') {
        expect.soft(typeof got, label).toBe('number');
        expect.soft(got as number, label).toBeCloseTo(value, 9);
      } else {
        expect.soft(got, label).toEqual(value);
      }
    }
  }
}
