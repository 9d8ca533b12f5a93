import { ConfigError } from '../errors.js';
import type { Lake } from '../lake/lake.js';
import { takeLease } from '../pipeline/run-lease.js';
import { newRunId } from '../pipeline/run-pipeline.js';

/** Thrown when another run holds the lake: the command changed nothing (CLI exit code 3). */
export class LakeBusyError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'LakeBusyError';
  }
}

/**
 * Runs `work` under the lake's run lease, as a run does: a withdraw or a forget must not
 * interleave with a run that is reading staging or publishing tables.
 */
export async function underLease<T>(lake: Lake, command: string, work: (controlId: string) => Promise<T>): Promise<T> {
  const controlId = `${command}-${newRunId()}`;
  const taken = await takeLease(lake, controlId);
  if (!taken.held) throw new LakeBusyError(taken.message);
  try {
    return await work(controlId);
  } finally {
    await taken.lease.release();
  }
}
