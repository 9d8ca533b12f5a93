// npm run build && node dist/bench/report-bench.js [--orders N] [--memory-limit 1GB]
// The report's size and generation time (issue 14: under 1.5 MB and 2 s for the demo, under
// 5 s for a 10M-order lake): on the demo lake by default, on N generated orders with --orders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalLake } from '../src/core/lake/local-lake.js';
import { runPipeline } from '../src/core/pipeline/run-pipeline.js';
import { writeDemoInbox } from '../src/demo/index.js';
import { writeReport } from '../src/report/write-report.js';
import { generateOrders } from './generate-orders.js';

const { values } = parseArgs({ options: { orders: { type: 'string' }, 'memory-limit': { type: 'string', default: '1GB' } } });
const memoryLimit = values['memory-limit'];
const root = mkdtempSync(join(tmpdir(), 'loyaltylake-report-bench-'));
const lakeDir = join(root, 'lake');

try {
  const what = values.orders ? `${Number(values.orders).toLocaleString('en-US')} generated orders` : 'the demo lake';
  if (values.orders) await generateOrders(lakeDir, Number(values.orders));
  else await writeDemoInbox(lakeDir);
  const manifest = await runPipeline({ lake: new LocalLake(lakeDir), memoryLimit, scratchDir: root });
  if (manifest.status !== 'succeeded') throw new Error(`pipeline failed: ${manifest.error}`);
  const runs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    bytes = (await writeReport({ lake: new LocalLake(lakeDir), memoryLimit })).bytes;
    runs.push(performance.now() - started);
  }
  console.log(
    `report on ${what}: ${(bytes / 1024).toFixed(0)} KiB, written in ${runs.map((ms) => `${Math.round(ms)} ms`).join(', ')}` +
      ' (3 runs, each: copy the published tables, query, render, upload)',
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
