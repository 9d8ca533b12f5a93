// Run in a child process (bundled by spawnCompactionCrash): a pipeline run on the lake at argv[2]
// that compacts staging, SIGKILLed by itself at the step argv[3] names:
// before-index (the compacted file is written, the staging index not), before-first-delete
// (the index names it, no part deleted), before-last-delete (all parts but one deleted).
import { openLake } from '../../src/core/lake/open-lake.js';
import type { Lake } from '../../src/core/lake/lake.js';
import { LakeKeys } from '../../src/core/lake/lake-layout.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';

const [location, step] = process.argv.slice(2) as [string, string];
const inner = openLake(location);
const kill = () => process.kill(process.pid, 'SIGKILL');
let stagingDeletes = 0;
const lake: Lake = {
  uri: inner.uri,
  list: inner.list.bind(inner),
  download: inner.download.bind(inner),
  createExclusive: inner.createExclusive.bind(inner),
  upload: async (path, key) => {
    if (step === 'before-index' && key === LakeKeys.stagingIndex('orders')) kill();
    await inner.upload(path, key);
  },
  delete: async (key) => {
    if (key.startsWith('staging/')) {
      stagingDeletes += 1;
      if (step === 'before-first-delete' && stagingDeletes === 1) kill();
      // The scenario compacts 3 parts: the third delete is the last.
      if (step === 'before-last-delete' && stagingDeletes === 3) kill();
    }
    await inner.delete(key);
  },
  ...(inner.unlisted ? { unlisted: inner.unlisted.bind(inner) } : {}),
};
await runPipeline({ lake, threads: 1, asOf: '2024-02-29' });
// Reaching this line means the kill never came: the parent sees no signal and fails.
