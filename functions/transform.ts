// Transform Lambda: on a schedule (and never two at once: reserved concurrency 1), builds
// every model from staging and publishes — only when something changed since the last
// successful run, so a burst of dropped files leads to one run. A failed run throws, so
// Lambda counts the error; the next tick sees the failed manifest and runs again.
import { z } from 'zod';
import { join } from 'node:path';
import { errorMessage, LoyaltyLakeError } from '../src/core/errors.js';
import { LakePrefix } from '../src/core/lake/lake-layout.js';
import { S3Lake } from '../src/core/lake/s3-lake.js';
import { newRunId, runPipeline } from '../src/core/pipeline/run-pipeline.js';
import { transformNeeded } from '../src/core/pipeline/transform-needed.js';
import { eventBridgeSender, sendTargetEvents } from '../src/core/targets/target-events.js';
import { writeReport } from '../src/report/write-report.js';
import { athenaOption } from './common/athena-option.js';
import { cleanScratch, duckdbSettings, log, readEnvironment, requireScratchSpace } from './common/lambda-runtime.js';

/** A scheduled EventBridge event, or a manual invocation with `{ "force": true }` to run regardless. */
const TransformRequest = z.object({ force: z.boolean().default(false) }).loose();

export async function handler(event: unknown): Promise<Record<string, unknown>> {
  const env = readEnvironment();
  const { force } = TransformRequest.parse(event ?? {});
  // ENGINE=athena (the construct's -c engine=athena): the models build on Athena's DuckDB engine.
  const athena = await athenaOption();
  await cleanScratch(env.SCRATCH_DIR);
  const lake = new S3Lake(env.LAKE_URI);
  const plan = await transformNeeded(lake);
  if (!plan.needed && !force) {
    log('info', 'transform skipped', { reason: plan.reason });
    return { status: 'skipped', reason: plan.reason };
  }
  const stagedBytes = (await lake.list(LakePrefix.staging)).reduce((total, o) => total + o.size, 0);
  await requireScratchSpace(env.SCRATCH_DIR, stagedBytes * 4, 'the staging data with room for DuckDB to spill');

  const runId = newRunId();
  log('info', 'transform started', { run_id: runId, reason: force ? 'forced' : plan.reason });
  const manifest = await runPipeline({
    lake,
    runId,
    ingest: false,
    churnWindowDays: env.CHURN_WINDOW_DAYS,
    scratchDir: env.SCRATCH_DIR,
    ...duckdbSettings(env),
    onProgress: (message) => log('info', message, { run_id: runId }),
    ...(athena ? { athena } : {}),
  });
  const summary = { run_id: runId, status: manifest.status, as_of: manifest.as_of, tests: manifest.tests, timings_ms: manifest.timings_ms };
  if (manifest.status === 'blocked') {
    // Another run (a CLI run on the same bucket) holds the lake: the next tick tries again.
    log('warn', 'transform blocked', { ...summary, reason: manifest.error });
    return { ...summary, reason: manifest.error };
  }
  if (manifest.status !== 'succeeded') {
    const hint = /out of memory/i.test(manifest.error ?? '') ? ' (DuckDB ran out of memory: raise the function memory size)' : '';
    log('error', 'transform failed, nothing published', { ...summary, error: manifest.error });
    throw new LoyaltyLakeError(`run ${runId} failed: ${manifest.error}${hint}`);
  }
  log('info', 'transform published', summary);
  // Numbers that may be wrong (a jump since the previous run, a dataset with every row rejected): published, and loud.
  for (const warning of manifest.warnings ?? []) log('warn', `run warning (${warning.kind}): ${warning.message}`, { run_id: runId, details: warning.details });
  if (manifest.alerts?.length) {
    // One event per missed KPI target to the default bus (source loyaltylake, detail-type KPI target missed).
    log('warn', 'KPI targets missed', { run_id: runId, alerts: manifest.alerts });
    try {
      const { sent, failed } = await sendTargetEvents(eventBridgeSender(), manifest);
      log(failed ? 'warn' : 'info', 'KPI target events sent', { run_id: runId, sent, failed });
    } catch (error) {
      // The tables are published; the alerts stay in the manifest.
      log('warn', 'KPI target events not sent', { run_id: runId, error: errorMessage(error) });
    }
  }
  try {
    const report = await writeReport({ lake, scratchDir: join(env.SCRATCH_DIR, 'report'), ...duckdbSettings(env) });
    log('info', 'report written', { run_id: runId, key: report.location, bytes: report.bytes });
  } catch (error) {
    // The tables are published; the next successful run writes the report again.
    log('warn', 'report not written', { run_id: runId, error: errorMessage(error) });
  }
  return summary;
}
