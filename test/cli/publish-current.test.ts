// --publish-current reaches the pipeline as `publishCurrent` (the pipeline itself decides what a backfill publishes).
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import * as pipeline from '../../src/core/pipeline/run-pipeline.js';
import { csv, tempLake } from '../helpers/temp-lake.js';

vi.mock('../../src/core/pipeline/run-pipeline.js', async (original) => {
  const real = await original<typeof pipeline>();
  return { ...real, runPipeline: vi.fn(real.runPipeline) };
});

beforeEach(() => {
  process.exitCode = undefined;
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => {
  vi.mocked(pipeline.runPipeline).mockClear();
  process.exitCode = undefined;
});

it.each([
  [['--publish-current'], true],
  [[], undefined],
])('run %j passes publishCurrent %s to the (real) pipeline', async (flags, expected) => {
  const { dir, put } = tempLake();
  put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10'));

  await main(['run', '--lake', dir, '--as-of', '2024-01-31', ...flags]);

  expect(process.exitCode).toBeUndefined();
  expect(vi.mocked(pipeline.runPipeline)).toHaveBeenCalledTimes(1);
  expect(vi.mocked(pipeline.runPipeline).mock.calls[0]![0].publishCurrent).toBe(expected);
});
