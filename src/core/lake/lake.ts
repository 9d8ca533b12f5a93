/** One object (file) in a lake. Keys use '/' and never start with it. */
export interface LakeObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
  /** Content fingerprint: S3's ETag, or the MD5 of a local file (which is what S3 uses for simple uploads). */
  readonly etag: string;
}

/**
 * Where the data lives: a local folder or an S3 bucket with the same layout.
 * The pipeline needs nothing more than this, so a new backend is one class.
 */
export interface Lake {
  /** Printable location, e.g. '/home/me/lake' or 's3://bucket/prefix'. */
  readonly uri: string;
  /** Every object whose key starts with `prefix`, in lexical key order. */
  list(prefix: string): Promise<LakeObject[]>;
  /** Copies an object to a local file; throws if it does not exist. */
  download(key: string, localPath: string): Promise<void>;
  /** Writes a local file to `key` atomically: readers see the old object or the new one, never a part. */
  upload(localPath: string, key: string): Promise<void>;
}
