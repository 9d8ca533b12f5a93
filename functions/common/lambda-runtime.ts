import { availableParallelism } from 'node:os';
import { mkdir, rm, statfs } from 'node:fs/promises';
import { z } from 'zod';
import { LoyaltyLakeError } from '../../src/core/errors.js';

/** Settings every handler reads from its environment (the CDK stack sets them). */
export const LambdaEnvironment = z.object({
  /** s3://bucket[/prefix] of the lake. */
  LAKE_URI: z.string().regex(/^s3:\/\/[^/]+/, 'an s3://bucket[/prefix] URI'),
  /** Set only when the deployment fixes it; otherwise the lake's settings file, else the default. */
  CHURN_WINDOW_DAYS: z.coerce.number().int().positive().optional(),
  /** Set by Lambda; absent when run elsewhere. */
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: z.coerce.number().int().positive().optional(),
  /** Scratch space: a folder of its own in Lambda's only writable one. Emptied at the start of each invocation. */
  SCRATCH_DIR: z.string().default('/tmp/loyaltylake'),
  /** The Secrets Manager secret holding the pseudonymisation key (ingest only; the construct's `pseudonymisationKey`). */
  PSEUDONYMISATION_SECRET_ARN: z.string().min(1).optional(),
});
export type LambdaEnvironment = z.infer<typeof LambdaEnvironment>;

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): LambdaEnvironment {
  const parsed = LambdaEnvironment.safeParse(env);
  if (!parsed.success) throw new LoyaltyLakeError(`bad Lambda environment: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * DuckDB's share of the function's memory: 60%, leaving the rest to Node, the AWS SDK and
 * DuckDB's own allocations outside its limit. Threads: the vCPUs Lambda gives this size.
 */
export function duckdbSettings(env: LambdaEnvironment): { memoryLimit?: string; threads: number } {
  const memoryMb = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  return { memoryLimit: memoryMb ? `${Math.floor(memoryMb * 0.6)}MB` : undefined, threads: availableParallelism() };
}

/**
 * Empties the scratch folder of whatever an earlier invocation of a warm container left
 * (a crash or a timeout skips the cleanup in `finally`), so no run sees another's files.
 */
export async function cleanScratch(scratchDir: string): Promise<void> {
  await rm(scratchDir, { recursive: true, force: true });
  await mkdir(scratchDir, { recursive: true });
}

/** Fails early, with the numbers, when the scratch folder cannot hold what a step needs. */
export async function requireScratchSpace(scratchDir: string, bytesNeeded: number, what: string): Promise<void> {
  const { bavail, bsize } = await statfs(scratchDir);
  const free = bavail * bsize;
  if (free < bytesNeeded) {
    const mb = (bytes: number) => `${Math.ceil(bytes / 1048576)} MB`;
    throw new LoyaltyLakeError(
      `${scratchDir} has ${mb(free)} free but ${what} needs about ${mb(bytesNeeded)}: raise the function's ephemeral storage`,
    );
  }
}

/** One JSON object per line, as CloudWatch Logs Insights reads them. */
export function log(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ level, message, time: new Date().toISOString(), ...fields }));
}
