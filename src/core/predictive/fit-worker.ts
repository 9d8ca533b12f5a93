/**
 * A worker thread's entry (parallel-fits.ts starts it): fits one purchase model on the histories
 * it is sent, checks for a flat ridge, and posts the PurchaseFit back without its model (functions
 * do not cross threads). The same code as a fit on the main thread, on the same numbers: the
 * same bits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { attemptFit } from './fit-attempt.js';
import type { FitJob } from './parallel-fits.js';
import { checkedFit } from './purchase-fit.js';
import { PURCHASE_MODELS } from './purchase-models.js';

const { model: name, histories, horizon, maxIterations } = workerData as FitJob;
const model = PURCHASE_MODELS.find((candidate) => candidate.name === name);
if (!model) throw new Error(`fit worker: no purchase model named ${name}`);
const n = histories.length / 4;
const rows = Array.from({ length: n }, (_, i) => ({ frequency: histories[i]!, recency: histories[n + i]!, T: histories[2 * n + i]!, weight: histories[3 * n + i]! }));
const { model: _, ...fitted } = checkedFit(model, attemptFit(undefined, () => model.fit(rows, { maxIterations })), rows, horizon);
parentPort!.postMessage(fitted);
