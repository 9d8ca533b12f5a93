import { spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { tempDir } from './temp-lake.js';

/** Runs compaction-crash-child.ts in a child process on the lake at `location`; resolves to the signal that ended it. */
export async function spawnCompactionCrash(location: string, step: string): Promise<NodeJS.Signals | null> {
  const dir = tempDir();
  // The bundle imports packages by name and finds the package root by its sql/ folder: both beside it.
  for (const link of ['node_modules', 'sql']) symlinkSync(resolve(link), join(dir, link));
  const script = join(dir, 'compaction-crash-child.mjs');
  await build({
    entryPoints: [resolve('test/helpers/compaction-crash-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: script,
    logLevel: 'silent',
  });
  const child = spawn(process.execPath, ['--no-warnings', script, location, step], { stdio: ['ignore', 'ignore', 'inherit'], env: process.env });
  return await new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (_code, signal) => done(signal));
  });
}
