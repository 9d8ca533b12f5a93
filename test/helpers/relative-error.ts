/** |actual / expected − 1|: how far a value is from a published or hand-calculated one, relative. */
export function relativeError(actual: number, expected: number): number {
  return Math.abs(actual / expected - 1);
}
