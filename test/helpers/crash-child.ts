// Run in a child process (bundled by spawnCrashingRun): a pipeline run on the lake at argv[2],
// SIGKILLed by itself right before it replaces the table after the first argv[3] tables.
import { openLake } from '../../src/core/lake/open-lake.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { withHooks } from './counting-lake.js';

const [location, tables, runId] = process.argv.slice(2) as [string, string, string];
let written = 0;
const lake = withHooks(openLake(location), {
  beforeWrite: (key) => {
    if (key.startsWith('metrics/') && ++written > Number(tables)) process.kill(process.pid, 'SIGKILL');
  },
});
await runPipeline({ lake, runId, threads: 1 });
// Reaching this line means the kill never came: the parent sees exit code 0 and fails.
