import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handler as ingest } from '../functions/ingest.js';
import { handler as transform } from '../functions/transform.js';
import { printRunReport } from '../src/cli/run-report.js';
import { latestManifest } from '../src/core/pipeline/run-manifest.js';
import { writeDemoInbox } from '../src/demo/index.js';
import { LocalCloud } from './local-cloud.js';

/**
 * The cloud flow on a laptop: the demo's exports are dropped into a bucket of a local
 * S3-protocol server, its S3 events go to the ingest handler as SQS messages, then the
 * transform handler runs as the schedule would trigger it. The handlers' JSON logs show.
 */
export async function cloudDemo(): Promise<boolean> {
  const started = performance.now();
  const cloud = await LocalCloud.start();
  const exportsDir = await mkdtemp(join(tmpdir(), 'loyaltylake-exports-'));
  process.env.SCRATCH_DIR = join(exportsDir, 'lambda-tmp');
  try {
    console.log(`local S3 at ${cloud.endpoint}, lake ${cloud.lakeUri}`);
    await writeDemoInbox(exportsDir);
    const files = readdirSync(join(exportsDir, 'inbox'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
    for (const file of files) await cloud.drop(file, relative(exportsDir, file));
    const event = cloud.takeEvents();
    console.log(`dropped ${files.length} files; S3 → SQS → ingest Lambda with ${event.Records.length} messages:`);
    const { batchItemFailures } = await ingest(event);
    console.log(`ingest returned ${batchItemFailures.length} batch item failures; schedule tick → transform Lambda:`);
    await transform({});
    const lake = cloud.lake();
    const manifest = await latestManifest(lake);
    if (!manifest) return false;
    await printRunReport(lake, manifest, performance.now() - started);
    return manifest.status === 'succeeded';
  } finally {
    await cloud.stop();
    await rm(exportsDir, { recursive: true, force: true });
  }
}

// `npm run cloud-demo` runs this file; the tests import it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!(await cloudDemo())) process.exitCode = 1;
}
