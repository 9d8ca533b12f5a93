/**
 * vitest globalSetup: the fit worker (src/core/predictive/fit-worker.ts) bundled with esbuild,
 * because a worker thread cannot run the tests' TypeScript. LOYALTYLAKE_FIT_WORKER points the
 * pipeline at the bundle, in the test processes and their children alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export default async function bundleFitWorker(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'loyaltylake-fit-worker-'));
  const outfile = join(dir, 'fit-worker.mjs');
  await build({
    entryPoints: [resolve('src/core/predictive/fit-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  process.env.LOYALTYLAKE_FIT_WORKER = outfile;
  return () => rmSync(dir, { recursive: true, force: true });
}
