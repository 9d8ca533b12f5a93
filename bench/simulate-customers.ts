import type { DuckDBSession } from '../src/core/duckdb.js';
import { writeTable } from '../src/core/models/step-io.js';
import type { BgNbdParams } from '../src/core/predictive/bg-nbd.js';
import type { GammaGammaParams } from '../src/core/predictive/gamma-gamma.js';
import { gammaSampler, seededUniform } from '../test/helpers/random.js';

/** int_customer_rfm's columns for simulated customers, column by column. */
export interface SimulatedCustomers {
  frequency: Int32Array;
  recencyDays: Int32Array;
  tDays: Int32Array;
  monetaryValue: Float64Array;
}

export interface SimulationSettings {
  /** BG/NBD parameters in weeks (α is per week). */
  bgNbd: BgNbdParams;
  gammaGamma: GammaGammaParams;
  /** Each customer's first purchase is uniformly 0 … maxAgeDays days before the as-of date. */
  maxAgeDays: number;
  seed: number;
}

/** CDNOW's published estimates (Fader, Hardie & Lee 2005; Fader & Hardie 2013), in weeks. */
export const CDNOW_LIKE: Omit<SimulationSettings, 'seed'> = {
  bgNbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
  maxAgeDays: 730,
};

/**
 * Customers drawn from the BG/NBD and Gamma-Gamma stories: λ ~ Gamma(r, α), p ~ Beta(a, b);
 * Poisson purchases at rate λ, after each of which the customer drops out with probability p;
 * each repeat purchase's value ~ Gamma(p, ν) with ν ~ Gamma(q, γ). Times are whole days, as
 * int_customer_rfm has them (two purchases on one day count once, as there).
 */
export function simulateCustomers(count: number, settings: SimulationSettings): SimulatedCustomers {
  const uniform = seededUniform(settings.seed);
  const gamma = gammaSampler(uniform);
  const { bgNbd, gammaGamma } = settings;
  const customers: SimulatedCustomers = {
    frequency: new Int32Array(count),
    recencyDays: new Int32Array(count),
    tDays: new Int32Array(count),
    monetaryValue: new Float64Array(count),
  };
  for (let i = 0; i < count; i++) {
    const tDays = Math.floor(uniform() * (settings.maxAgeDays + 1));
    const lambdaPerDay = gamma(bgNbd.r, bgNbd.alpha) / 7;
    const shapeA = gamma(bgNbd.a, 1);
    const dropout = shapeA / (shapeA + gamma(bgNbd.b, 1));
    let [time, frequency, recencyDays] = [0, 0, 0];
    for (;;) {
      time += -Math.log(uniform()) / lambdaPerDay;
      const day = Math.floor(time);
      if (day > tDays) break;
      if (day > recencyDays) {
        frequency++;
        recencyDays = day;
      }
      if (uniform() < dropout) break;
    }
    let spend = 0;
    if (frequency > 0) {
      const nu = gamma(gammaGamma.q, gammaGamma.gamma);
      for (let k = 0; k < frequency; k++) spend += gamma(gammaGamma.p, nu);
    }
    customers.frequency[i] = frequency;
    customers.recencyDays[i] = recencyDays;
    customers.tDays[i] = tDays;
    customers.monetaryValue[i] = frequency > 0 ? spend / frequency : 0;
  }
  return customers;
}

/** Creates `table` with int_customer_rfm's columns (customer_id c0, c1, …) from simulated customers. */
export async function writeCustomers(db: DuckDBSession, table: string, customers: SimulatedCustomers): Promise<void> {
  function* rows() {
    for (let i = 0; i < customers.frequency.length; i++) {
      yield [`c${i}`, customers.frequency[i]!, customers.recencyDays[i]!, customers.tDays[i]!, customers.monetaryValue[i]!];
    }
  }
  await writeTable(
    db,
    table,
    [
      { name: 'customer_id', type: 'VARCHAR' },
      { name: 'frequency', type: 'BIGINT' },
      { name: 'recency_days', type: 'BIGINT' },
      { name: 't_days', type: 'BIGINT' },
      { name: 'monetary_value', type: 'DOUBLE' },
    ],
    rows(),
  );
}
