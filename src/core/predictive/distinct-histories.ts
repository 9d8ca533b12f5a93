/**
 * Distinct customer histories (x, t_x, T) reduced to what a repeat-purchase likelihood needs:
 * the distinct values of x and of the times (t_x and T together), with indices into them, so
 * a likelihood computes each logarithm or special function once per distinct value rather than
 * once per row. Used by the MBG/NBD and Pareto/NBD models (BG/NBD keeps its own reduction, with DistinctValues).
 */
import type { BgNbdRow } from './purchase-history.js';

export interface DistinctHistories {
  /** Distinct x (including 0) and the customers with each. */
  frequencies: Float64Array;
  frequencyWeight: Float64Array;
  /** Distinct times: every t_x and every T. */
  times: Float64Array;
  /** Every row with weight > 0, as indices into the distinct values. */
  rows: { frequency: Float64Array; weight: Float64Array; frequencyIndex: Uint32Array; recencyIndex: Uint32Array; ageIndex: Uint32Array };
  totalWeight: number;
  meanT: number;
  /** Σ weight · x / Σ weight · T: purchases per unit of time, ignoring dropout. */
  purchaseRate: number;
}

/** Validates every row (throwing with the model's label and the row's index) and reduces them. */
export function distinctHistories(rows: readonly BgNbdRow[], model: string): DistinctHistories {
  const frequencies = new DistinctValues();
  const times = new DistinctValues();
  const frequencyWeight: number[] = [];
  rows.forEach((row, i) => {
    assertHistory(model, row.frequency, row.recency, row.T, `row ${i}: `);
    if (!(Number.isFinite(row.weight) && row.weight >= 0)) {
      throw new RangeError(`${model} row ${i}: weight must be a finite number ≥ 0, got ${row.weight}`);
    }
  });
  const kept = rows.filter((row) => row.weight > 0);
  const out = {
    frequency: new Float64Array(kept.length),
    weight: new Float64Array(kept.length),
    frequencyIndex: new Uint32Array(kept.length),
    recencyIndex: new Uint32Array(kept.length),
    ageIndex: new Uint32Array(kept.length),
  };
  let [totalWeight, weightedT, weightedX] = [0, 0, 0];
  kept.forEach((row, i) => {
    const f = frequencies.indexOf(row.frequency);
    frequencyWeight[f] = (frequencyWeight[f] ?? 0) + row.weight;
    out.frequency[i] = row.frequency;
    out.weight[i] = row.weight;
    out.frequencyIndex[i] = f;
    // A customer without repeat purchases has t_x = 0 whatever the input says.
    out.recencyIndex[i] = times.indexOf(row.frequency > 0 ? row.recency : 0);
    out.ageIndex[i] = times.indexOf(row.T);
    totalWeight += row.weight;
    weightedT += row.weight * row.T;
    weightedX += row.weight * row.frequency;
  });
  return {
    frequencies: Float64Array.from(frequencies.values),
    frequencyWeight: Float64Array.from(frequencyWeight),
    times: Float64Array.from(times.values),
    rows: out,
    totalWeight,
    meanT: totalWeight > 0 ? weightedT / totalWeight : 0,
    purchaseRate: weightedT > 0 ? weightedX / weightedT : 0,
  };
}

export class DistinctValues {
  readonly values: number[] = [];
  private readonly indices = new Map<number, number>();

  indexOf(value: number): number {
    let index = this.indices.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.indices.set(value, index);
    }
    return index;
  }
}

/** Every named parameter must be a finite number > 0. */
export function assertPositiveParams(model: string, params: Record<string, number>, names: readonly string[]): void {
  for (const name of names) {
    const value = params[name];
    if (!(value !== undefined && Number.isFinite(value) && value > 0)) {
      throw new RangeError(`${model} parameter ${name} must be a finite number > 0, got ${value}`);
    }
  }
}

export function assertHistory(model: string, x: number, tx: number, T: number, context = ''): void {
  if (!(Number.isInteger(x) && x >= 0)) {
    throw new RangeError(`${model} ${context}frequency must be an integer ≥ 0, got ${x}`);
  }
  if (!(Number.isFinite(T) && T >= 0)) throw new RangeError(`${model} ${context}T must be a finite number ≥ 0, got ${T}`);
  if (x > 0 && !(tx >= 0 && tx <= T)) {
    throw new RangeError(`${model} ${context}recency must lie in [0, T] = [0, ${T}], got ${tx}`);
  }
}

export function assertHorizon(model: string, t: number): void {
  if (!(Number.isFinite(t) && t >= 0)) throw new RangeError(`${model} horizon t must be a finite number ≥ 0, got ${t}`);
}
