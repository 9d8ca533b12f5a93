/**
 * The purchase models fitted side by side: each fit not already remembered (fit-cache.ts) runs
 * on a worker thread of its own, at most one per CPU, while the main thread goes on (with a
 * Gamma-Gamma fit, say). A fit is single-threaded JavaScript, and clv_model and clv_backtest
 * fit three models on the same histories: on several cores they take about as long as the
 * slowest alone.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BgNbdRow } from './bg-nbd.js';
import { attemptFit, FIT_ITERATIONS, HISTORY_FIELDS } from './fit-attempt.js';
import { fitKey, rememberedFit, rememberFit } from './fit-cache.js';
import type { MaximumLikelihoodFit } from './maximum-likelihood.js';
import { checkedFit, fitPurchaseModel, type PurchaseFit } from './purchase-fit.js';
import { PURCHASE_MODELS, type PurchaseModel, type PurchaseModelName, type PurchaseParams } from './purchase-models.js';

/** What a worker is sent (fit-worker.ts): the model's name and the histories (see historyColumns). */
export interface FitJob {
  model: PurchaseModelName;
  histories: Float64Array;
  horizon: number;
  maxIterations: number;
}

/** What a worker posts back. */
type WorkerFit = Omit<PurchaseFit, 'model'>;

/**
 * fitPurchaseModel of every model in `models`, in their order: remembered fits (and, without a
 * fit to make, the 'not fitted' ones) on this thread, the others on worker threads, whose
 * results are remembered for the next step that asks.
 */
export async function fitPurchaseModels(
  models: readonly PurchaseModel[],
  rows: readonly BgNbdRow[],
  unfittable: string | undefined,
  horizon: number,
): Promise<PurchaseFit[]> {
  const key = unfittable ? '' : fitKey(rows, HISTORY_FIELDS, FIT_ITERATIONS);
  // A worker finds its model by name in PURCHASE_MODELS: any other model (a test's double) is fitted here.
  const onWorkers = models.filter((model) => !unfittable && PURCHASE_MODELS.includes(model) && rememberedFit(model.fit, key) === undefined);
  const queue = new WorkQueue(availableParallelism());
  const histories = onWorkers.length ? historyColumns(rows) : undefined;
  const started = new Map(
    onWorkers.map((model) => [
      model,
      queue.add(async () => {
        const fitted = await fitOnWorker({ model: model.name, histories: histories!, horizon, maxIterations: FIT_ITERATIONS });
        if (fitted.fit) rememberFit(model.fit, key, fitted.fit);
        return { model, ...fitted };
      }),
    ]),
  );
  // Marked handled: should a fit here throw, a worker's failure must not also surface as an unhandled rejection.
  for (const fitting of started.values()) fitting.catch(() => undefined);
  // A remembered fit is checked here under the key already computed (fitPurchaseModel would hash the rows again).
  const fitHere = (model: PurchaseModel): PurchaseFit => {
    const known = unfittable ? undefined : rememberedFit<MaximumLikelihoodFit<PurchaseParams>>(model.fit, key);
    return known ? checkedFit(model, attemptFit(undefined, () => known), rows, horizon) : fitPurchaseModel(model, rows, unfittable, horizon);
  };
  const here = new Map(models.filter((model) => !started.has(model)).map((model) => [model, fitHere(model)]));
  return Promise.all(models.map((model) => here.get(model) ?? started.get(model)!));
}

/** The histories as columns in one buffer every worker shares (no copy per worker): frequency, recency, T, weight. */
function historyColumns(rows: readonly BgNbdRow[]): Float64Array {
  const n = rows.length;
  const columns = new Float64Array(new SharedArrayBuffer(4 * n * Float64Array.BYTES_PER_ELEMENT));
  rows.forEach((row, i) => {
    columns[i] = row.frequency;
    columns[n + i] = row.recency;
    columns[2 * n + i] = row.T;
    columns[3 * n + i] = row.weight;
  });
  return columns;
}

/**
 * The worker's entry: LOYALTYLAKE_FIT_WORKER when set (the tests set it to a bundle of the
 * TypeScript source, which a worker cannot run), else the file beside this module: fit-worker.js
 * in the compiled package, fit-worker.mjs in a Lambda bundle (infra/lake-function.ts builds it).
 */
function workerEntry(): string | URL {
  const fromEnvironment = process.env.LOYALTYLAKE_FIT_WORKER;
  if (fromEnvironment) return fromEnvironment;
  const beside = ['./fit-worker.js', './fit-worker.mjs'].map((file) => new URL(file, import.meta.url));
  const entry = beside.find((url) => existsSync(url));
  if (!entry) throw new Error(`the fit worker is missing: none of ${beside.map(String).join(', ')} exists`);
  return entry;
}

function fitOnWorker(job: FitJob): Promise<WorkerFit> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerEntry(), { workerData: job });
    let result: WorkerFit | undefined;
    worker.once('message', (fitted: WorkerFit) => (result = fitted));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`the ${job.model} fit's worker thread exited with code ${code} before it posted a fit`));
    });
  });
}

/** Runs the tasks added, at most `limit` at a time, in the order added. */
class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async add<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((start) => this.waiting.push(start));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
