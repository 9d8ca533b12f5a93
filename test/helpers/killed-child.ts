import { spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { tempDir } from './temp-lake.js';

/**
 * Runs the TypeScript file `entry` (relative to the package root) with `args` in a child process,
 * bundled with esbuild first (plain node cannot run the tests' TypeScript), and resolves with
 * the signal that ended it: the crash children kill themselves at a chosen point.
 */
export async function runChild(entry: string, args: readonly string[]): Promise<NodeJS.Signals | null> {
  const dir = tempDir();
  // The bundle imports packages by name and finds the package root by its sql/ folder: both beside it.
  for (const link of ['node_modules', 'sql']) symlinkSync(resolve(link), join(dir, link));
  const script = join(dir, basename(entry).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [resolve(entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: script,
    logLevel: 'silent',
  });
  const child = spawn(process.execPath, ['--no-warnings', script, ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: process.env });
  return await new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (_code, signal) => done(signal));
  });
}
