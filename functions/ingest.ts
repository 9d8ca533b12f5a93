// Ingest Lambda: SQS messages carrying S3 ObjectCreated notifications for the inbox → staging,
// rejects or quarantine. One DuckDB instance per message; partial batch failures reported.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBSession } from '../src/core/duckdb.js';
import { errorMessage } from '../src/core/errors.js';
import { ingestKey, ingestLimits } from '../src/core/ingest/ingest.js';
import { LakePrefix } from '../src/core/lake/lake-layout.js';
import { S3Lake } from '../src/core/lake/s3-lake.js';
import { readLakeSettings } from '../src/core/settings/lake-settings.js';
import { decodeS3EventKey, S3Notification, SqsEvent } from './common/events.js';
import { pseudonymisationKeyFromSecret } from './common/pseudonymisation-key.js';
import { cleanScratch, duckdbSettings, log, readEnvironment, requireScratchSpace, type LambdaEnvironment } from './common/lambda-runtime.js';

/** From this delivery on, a file that still fails is quarantined instead of retried (the queue's DLQ allows more). */
export const LAST_ATTEMPT = 3;

export async function handler(event: unknown): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const env = readEnvironment();
  const { Records } = SqsEvent.parse(event);
  await cleanScratch(env.SCRATCH_DIR);
  const lake = new S3Lake(env.LAKE_URI);
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const message of Records) {
    try {
      await handleMessage(lake, env, message);
    } catch (error) {
      log('error', 'message failed, it will be delivered again', { message_id: message.messageId, error: errorMessage(error) });
      batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures };
}

async function handleMessage(lake: S3Lake, env: LambdaEnvironment, message: SqsEvent['Records'][number]): Promise<void> {
  const notification = S3Notification.parse(JSON.parse(message.body));
  if ('Event' in notification) {
    log('info', 'ignored the S3 test event', { message_id: message.messageId });
    return;
  }
  for (const record of notification.Records) {
    const key = decodeS3EventKey(record.s3.object.key);
    const inLake = record.s3.bucket.name === lake.bucket && key.startsWith(`${lake.prefix}${LakePrefix.inbox}`);
    if (!record.eventName.startsWith('ObjectCreated:') || !inLake) {
      log('info', 'ignored an event outside the inbox', { bucket: record.s3.bucket.name, key, event: record.eventName });
      continue;
    }
    const size = record.s3.object.size ?? 0;
    await requireScratchSpace(env.SCRATCH_DIR, size * (key.endsWith('.gz') ? 12 : 3), `ingesting ${key}`);
    const runId = `ingest-${message.messageId}`;
    const workDir = await mkdtemp(join(env.SCRATCH_DIR, 'loyaltylake-'));
    const db = await DuckDBSession.open({ workDir, ...duckdbSettings(env) });
    try {
      const { settings } = await readLakeSettings(lake);
      // Read only when the lake asks for pseudonyms: a lake without the setting needs no secret.
      const secretKey = settings.pseudonymise ? await pseudonymisationKeyFromSecret(env.PSEUDONYMISATION_SECRET_ARN) : undefined;
      const limits = ingestLimits(settings, new Date(), secretKey);
      const report = await ingestKey({ lake, db, workDir, runId, ...limits }, key.slice(lake.prefix.length), {
        lastAttempt: message.attributes.ApproximateReceiveCount >= LAST_ATTEMPT,
      });
      log('info', report ? `ingest ${report.outcome}` : 'object is gone or not a data file', { run_id: runId, key, ...report });
    } finally {
      db.closeSync();
      await rm(workDir, { recursive: true, force: true });
    }
  }
}
