import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ConfigError } from '../errors.js';
import { byKey, type FingerprintedObject, type Lake } from './lake.js';

const MiB = 1024 * 1024;
/** S3's smallest part (all but the last). */
const MIN_PART_SIZE = 5 * MiB;

export interface S3LakeOptions {
  /** @default - a client from the environment (s3ClientFromEnvironment) */
  readonly client?: S3Client;
  /**
   * Files at least this big are uploaded in parts: S3 allows single PUTs up to 5 GB, but a
   * failed part is retried alone. @default 64 MiB
   */
  readonly multipartThreshold?: number;
  /** Size of each part of a multipart upload, at least 5 MiB (S3's minimum). @default 16 MiB */
  readonly partSize?: number;
}

/** Parses `s3://bucket[/prefix]`. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match) throw new ConfigError(`not an S3 lake URI: '${uri}' (expected s3://bucket or s3://bucket/prefix)`);
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  return { bucket: match[1]!, prefix: prefix ? `${prefix}/` : '' };
}

/**
 * Creates an S3 client from the environment (credentials, region, AWS_ENDPOINT_URL_S3).
 * A custom endpoint (MinIO, s3rver, LocalStack) gets path-style addressing. Checksums
 * only when required: some S3-compatible servers store aws-chunked framing verbatim.
 */
export function s3ClientFromEnvironment(): S3Client {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return new S3Client({
    forcePathStyle: endpoint !== undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * A lake in an S3 bucket (optionally under a prefix). Every write is a single PUT or a
 * multipart upload completed as one object, so readers see the old object or the new one.
 */
export class S3Lake implements Lake {
  readonly bucket: string;
  readonly prefix: string;
  readonly multipartThreshold: number;
  readonly partSize: number;
  private readonly client: S3Client;

  constructor(uri: string, options: S3LakeOptions = {}) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Uri(uri));
    this.client = options.client ?? s3ClientFromEnvironment();
    this.multipartThreshold = options.multipartThreshold ?? 64 * MiB;
    this.partSize = options.partSize ?? 16 * MiB;
    if (this.partSize < MIN_PART_SIZE) throw new ConfigError(`partSize must be at least 5 MiB (S3's minimum part), got ${this.partSize} bytes`);
  }

  get uri(): string {
    return `s3://${this.bucket}${this.prefix ? `/${this.prefix.slice(0, -1)}` : ''}`;
  }

  /** Always with ETags: S3 lists them anyway. */
  async list(prefix: string): Promise<FingerprintedObject[]> {
    const objects: FingerprintedObject[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken }),
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key || item.Key.endsWith('/')) continue;
        objects.push({
          key: item.Key.slice(this.prefix.length),
          size: item.Size ?? 0,
          lastModified: item.LastModified ?? new Date(0),
          etag: (item.ETag ?? '').replaceAll('"', ''),
        });
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return byKey(objects);
  }

  async download(key: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    if (!(response.Body instanceof Readable)) throw new Error(`s3://${this.bucket}/${this.prefix + key}: no body`);
    await pipeline(response.Body, createWriteStream(localPath));
  }

  async upload(localPath: string, key: string): Promise<void> {
    const { size } = await stat(localPath);
    const target = { Bucket: this.bucket, Key: this.prefix + key };
    if (size < this.multipartThreshold) {
      // A Buffer body: its length is known, so no chunked encoding is needed.
      await this.client.send(new PutObjectCommand({ ...target, Body: await readFile(localPath) }));
      return;
    }
    const upload = new Upload({
      client: this.client,
      params: { ...target, Body: createReadStream(localPath) },
      partSize: this.partSize,
      queueSize: 4,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  /**
   * A PUT with `If-None-Match: *`: S3 refuses it (412, or 409 for a concurrent conditional write)
   * when the key exists. Servers that ignore the header (s3rver 3.7.1 does) always create.
   */
  async createExclusive(localPath: string, key: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: await readFile(localPath), IfNoneMatch: '*' }),
      );
      return true;
    } catch (error) {
      const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
      if (status === 412 || status === 409) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
  }
}
