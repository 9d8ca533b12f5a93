import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import type { Lake } from '../lake/lake.js';
import { readJson, writeJson } from '../lake/lake-helpers.js';
import { LakeKeys } from '../lake/lake-layout.js';

/** `_runs/lease.json`: the run that holds the lake, until when. */
export interface LeaseRecord {
  readonly run_id: string;
  readonly host: string;
  readonly pid: number;
  readonly expires_at: string;
}

/** A held lease: renewed in the background until released. */
export interface RunLease {
  release(): Promise<void>;
}

export type LeaseOutcome = { readonly held: true; readonly lease: RunLease } | { readonly held: false; readonly message: string };

/** How long a lease holds without renewal: a killed run blocks the lake at most this long (less on the same machine). */
export const DEFAULT_LEASE_SECONDS = 600;

/**
 * Takes the lake for one run: an exclusive create of the lease (S3: If-None-Match), or the
 * take-over of a lease that expired or whose process is gone, which one run alone wins (an
 * exclusive create of a marker named after the lease it replaces). The lease is renewed every
 * third of its duration, so a long run keeps it and a killed one loses it.
 */
export async function takeLease(lake: Lake, runId: string, leaseSeconds = DEFAULT_LEASE_SECONDS): Promise<LeaseOutcome> {
  const mine = (): LeaseRecord => ({
    run_id: runId,
    host: hostname(),
    pid: process.pid,
    expires_at: new Date(Date.now() + leaseSeconds * 1000).toISOString(),
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await readJson<LeaseRecord>(lake, LakeKeys.runLease);
    // Read first too: a server that ignores If-None-Match (s3rver) still sees a held lease.
    if (!current) {
      if (await createJson(lake, LakeKeys.runLease, mine())) return await confirm(lake, runId, leaseSeconds, mine);
      continue;
    }
    if (isLive(current)) return blocked(current);
    const marker = LakeKeys.leaseTakeover(current.run_id);
    if (await createJson(lake, marker, mine())) {
      await writeJson(lake, LakeKeys.runLease, mine());
      return await confirm(lake, runId, leaseSeconds, mine);
    }
    const taker = await readJson<LeaseRecord>(lake, marker);
    if (taker && isLive(taker)) return blocked(taker);
    // Its taker died before writing the lease: the marker goes, and the lease is looked at again.
    await lake.delete(marker);
  }
  const holder = await readJson<LeaseRecord>(lake, LakeKeys.runLease);
  return holder ? blocked(holder) : { held: false, message: `could not take ${LakeKeys.runLease} after 3 attempts` };
}

/** Reads the lease back: ours, or another writer's that won (a server ignoring conditional writes). */
async function confirm(lake: Lake, runId: string, leaseSeconds: number, mine: () => LeaseRecord): Promise<LeaseOutcome> {
  const holder = await readJson<LeaseRecord>(lake, LakeKeys.runLease);
  if (holder?.run_id !== runId) return holder ? blocked(holder) : { held: false, message: `${LakeKeys.runLease} vanished` };
  let renewing = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(async () => {
      const now = await readJson<LeaseRecord>(lake, LakeKeys.runLease).catch(() => undefined);
      if (now?.run_id === runId) await writeJson(lake, LakeKeys.runLease, mine()).catch(() => {});
    });
  }, (leaseSeconds * 1000) / 3);
  timer.unref();
  return {
    held: true,
    lease: {
      release: async () => {
        endedHere.add(runId);
        clearInterval(timer);
        await renewing;
        const now = await readJson<LeaseRecord>(lake, LakeKeys.runLease);
        if (now?.run_id === runId) await lake.delete(LakeKeys.runLease);
      },
    },
  };
}

function blocked(holder: LeaseRecord): LeaseOutcome {
  return {
    held: false,
    message: `another run (${holder.run_id} on ${holder.host}, pid ${holder.pid}) holds the lake until ${holder.expires_at}; this run stopped and changed nothing — run again when that one has finished`,
  };
}

/** Runs this process ended, whose lease may be left behind if the lake failed (a warm Lambda container's earlier run). */
const endedHere = new Set<string>();

/** Unexpired, and on this machine its process still runs (Lambda hosts share names: only expiry there). */
function isLive(lease: LeaseRecord): boolean {
  if (new Date(lease.expires_at).getTime() <= Date.now() || endedHere.has(lease.run_id)) return false;
  if (lease.host !== hostname() || process.env.AWS_LAMBDA_FUNCTION_NAME) return true;
  try {
    process.kill(lease.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function createJson(lake: Lake, key: string, value: unknown): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'loyaltylake-'));
  try {
    await writeFile(join(dir, 'object.json'), `${JSON.stringify(value, null, 2)}\n`);
    return await lake.createExclusive(join(dir, 'object.json'), key);
  } catch (error) {
    throw new Error(`could not create ${key}: ${errorMessage(error)}`, { cause: error });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
