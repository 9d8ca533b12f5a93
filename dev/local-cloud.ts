import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { decodeS3EventKey, encodeS3EventKey, type S3EventRecord, type SqsEvent } from '../functions/common/events.js';
import { S3Lake } from '../src/core/lake/s3-lake.js';

/**
 * The cloud flow on a laptop: an S3-protocol server (s3rver) on a free local port with the
 * lake bucket, the environment the Lambda handlers read, and the server's own S3 events
 * collected so they can be handed to the ingest handler as SQS records — keys URL-encoded
 * the way real S3 writes them. Lambda and SQS themselves are played by the caller.
 */
export class LocalCloud {
  private readonly pending: S3EventRecord[] = [];
  private stopOn?: (key: string) => boolean;

  private constructor(
    private server: S3rver,
    private readonly directory: string,
    readonly endpoint: string,
    readonly bucket: string,
    private readonly previousEnv: Record<string, string | undefined>,
  ) {
    this.listen(server);
  }

  private listen(server: S3rver): void {
    // S3rver is a Koa app, an EventEmitter, though its type declarations do not say so.
    (server as unknown as EventEmitter).on('event', (event: { Records: S3EventRecord[] }) => {
      for (const record of event.Records) {
        if (this.stopOn?.(record.s3.object.key)) {
          this.stopOn = undefined;
          void this.kill(server);
        }
        // s3rver puts the raw key in its events; real S3 URL-encodes it.
        this.pending.push({ ...record, s3: { ...record.s3, object: { ...record.s3.object, key: encodeS3EventKey(record.s3.object.key) } } });
      }
    });
  }

  private static serverOn(directory: string, bucket: string, port: number): S3rver {
    return new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  }

  static async start(bucket = 'loyaltylake-local'): Promise<LocalCloud> {
    const directory = await mkdtemp(join(tmpdir(), 'loyaltylake-s3rver-'));
    const server = LocalCloud.serverOn(directory, bucket, 0);
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const settings = {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      LAKE_URI: `s3://${bucket}`,
    };
    const previousEnv = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
    Object.assign(process.env, settings);
    return new LocalCloud(server, directory, endpoint, bucket, previousEnv);
  }

  get lakeUri(): string {
    return `s3://${this.bucket}`;
  }

  /** A client for the lake bucket, as a user would have. */
  lake(): S3Lake {
    return new S3Lake(this.lakeUri);
  }

  /** Uploads a local file into the bucket (s3rver sends the event, also for a multipart upload: 'ObjectCreated:Post'). */
  async drop(localPath: string, key: string): Promise<void> {
    await this.lake().upload(localPath, key);
  }

  /**
   * The S3 events since the last call, as the SQS event the ingest Lambda would receive (one
   * record per message). Like the stack's notification, only objects created under an inbox/.
   */
  takeEvents(notify = (key: string) => /(^|\/)inbox\//.test(key)): SqsEvent {
    const records = this.pending
      .splice(0)
      .filter((r) => r.eventName.startsWith('ObjectCreated:') && notify(decodeS3EventKey(r.s3.object.key)));
    return {
      Records: records.map((record) => ({
        messageId: randomUUID(),
        body: JSON.stringify({ Records: [record] }),
        attributes: { ApproximateReceiveCount: 1 },
      })),
    };
  }

  /** Stops the server (keeping its data) right after it stores the first object whose key matches: a fault at that point. */
  stopAfterWriting(matches: (key: string) => boolean): void {
    this.stopOn = matches;
  }

  /** Stops accepting requests at once, dropping kept-alive connections too (close() alone lets them go on). */
  private async kill(server: S3rver): Promise<void> {
    const closing = server.close();
    (server as unknown as { httpServer: Server }).httpServer.closeAllConnections();
    await closing;
  }

  /** Starts the server again on the same port, with the data it had. */
  async restartServer(): Promise<void> {
    this.server = LocalCloud.serverOn(this.directory, this.bucket, Number(new URL(this.endpoint).port));
    this.listen(this.server);
    await this.server.run();
  }

  async stop(): Promise<void> {
    await this.server.close().catch(() => {});
    await rm(this.directory, { recursive: true, force: true });
    for (const [name, value] of Object.entries(this.previousEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
