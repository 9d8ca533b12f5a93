import { runChild } from './killed-child.js';

/** Runs compaction-crash-child.ts in a child process on the lake at `location`; resolves to the signal that ended it. */
export async function spawnCompactionCrash(location: string, step: string): Promise<NodeJS.Signals | null> {
  return await runChild('test/helpers/compaction-crash-child.ts', [location, step]);
}
