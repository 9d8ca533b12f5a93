// Fit time of each repeat-purchase model on N simulated customers' distinct histories, beside
// BG/NBD's in the same run (the models' ratio to it is what to read: the machine is shared).
// Usage: node dist/bench/purchase-models-bench.js [--customers 1000000] [--seed 1] [--repeat 3]
// Prints one JSON line; each time (wall and CPU: the machine may be shared) is the minimum over the repetitions.
import { parseArgs } from 'node:util';
import type { BgNbdRow } from '../src/core/predictive/bg-nbd.js';
import { PURCHASE_MODELS } from '../src/core/predictive/purchase-models.js';
import { CDNOW_LIKE, simulateCustomers } from './simulate-customers.js';

const { values } = parseArgs({
  options: { customers: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' }, repeat: { type: 'string', default: '3' } },
});
const customers = simulateCustomers(Number(values.customers), { ...CDNOW_LIKE, seed: Number(values.seed) });

// Distinct (frequency, recency, T) in weeks, as clv_model groups them.
const grouped = new Map<string, BgNbdRow>();
for (let i = 0; i < customers.frequency.length; i++) {
  const [x, recencyDays, tDays] = [customers.frequency[i]!, customers.recencyDays[i]!, customers.tDays[i]!];
  const key = `${x}|${recencyDays}|${tDays}`;
  const row = grouped.get(key);
  if (row) row.weight++;
  else grouped.set(key, { frequency: x, recency: recencyDays / 7, T: tDays / 7, weight: 1 });
}
const rows = [...grouped.values()];

const models = PURCHASE_MODELS.map((model) => {
  let [best, bestCpu] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  let fit: ReturnType<typeof model.fit> | undefined;
  for (let i = 0; i < Number(values.repeat); i++) {
    const [started, startedCpu] = [performance.now(), process.cpuUsage()];
    fit = model.fit(rows);
    const cpu = process.cpuUsage(startedCpu);
    best = Math.min(best, (performance.now() - started) / 1000);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
  }
  return { model: model.name, seconds: best, cpuSeconds: bestCpu, iterations: fit!.iterations, stop: fit!.stop, logLikelihood: fit!.logLikelihood, params: fit!.params, standardErrors: fit!.standardErrors };
});
const baseline = models.find((m) => m.model === 'bg_nbd')!;
console.log(
  JSON.stringify({
    customers: customers.frequency.length,
    distinctHistories: rows.length,
    models: models.map((m) => ({ ...m, ratioToBgNbd: m.seconds / baseline.seconds, cpuRatioToBgNbd: m.cpuSeconds / baseline.cpuSeconds })),
  }),
);
