// Seeded random streams and draws for the demo data: the same seed gives the same bytes.

/** A uniform draw on [0, 1) from a seeded stream. */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough for sample data. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function standardNormal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random());
}

/** Index into `cumulative` (ascending running totals) hit by a uniform draw. */
export function pickWeighted(cumulative: readonly number[], random: Random): number {
  const target = random() * (cumulative.at(-1) ?? 0);
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((cumulative[middle] ?? 0) <= target) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function runningTotals(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((weight) => (total += weight));
}

/** A seeded stream for one dataset: the demo's seed mixed with the dataset's own salt. */
export function streamFor(seed: number, salt: number): Random {
  return mulberry32(Math.imul((seed >>> 0) ^ Math.imul(salt, 0x9e3779b1), 0x85ebca6b) ^ salt);
}

export function weightedPicker<T>(entries: readonly (readonly [T, number])[]): (random: Random) => T {
  const cumulative = runningTotals(entries.map(([, weight]) => weight));
  return (random) => entries[pickWeighted(cumulative, random)]![0];
}
