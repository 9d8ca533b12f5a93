/** One object (file) in a lake. Keys use '/' and never start with it. */
export interface LakeObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
  /**
   * Content fingerprint: S3's ETag, or the MD5 of a local file (which is what S3 uses for simple
   * uploads). Always set when the list asked for `etags`; a backend that has it for free may set it anyway.
   */
  readonly etag?: string;
}

/** A lake object listed with its content fingerprint. */
export interface FingerprintedObject extends LakeObject {
  readonly etag: string;
}

/** An entry `list` left out because it is no readable file (a FIFO, a socket, a dangling link, a link loop). */
export interface UnlistedEntry {
  readonly key: string;
  readonly reason: string;
}

/**
 * Where the data lives: a local folder or an S3 bucket with the same layout.
 * The pipeline needs nothing more than this, so a new backend is one class;
 * conveniences built on these methods live in lake-helpers.ts.
 */
export interface Lake {
  /** Printable location, e.g. '/home/me/lake' or 's3://bucket/prefix'. */
  readonly uri: string;
  /** Every object whose key starts with `prefix`, in lexical key order; with `etags`, each with its fingerprint. */
  list(prefix: string, options: { readonly etags: true }): Promise<FingerprintedObject[]>;
  list(prefix: string, options?: { readonly etags?: boolean }): Promise<LakeObject[]>;
  /** Copies an object to a local file; throws if it does not exist. */
  download(key: string, localPath: string): Promise<void>;
  /** Writes a local file to `key` atomically: readers see the old object or the new one, never a part. */
  upload(localPath: string, key: string): Promise<void>;
  /**
   * Writes a local file to `key` only if no object is there: true if this call created it, false
   * if one existed. Atomic against another writer where the backend can be (a local exclusive
   * link; S3's If-None-Match) — the run lease relies on it.
   */
  createExclusive(localPath: string, key: string): Promise<boolean>;
  /** Removes the object at `key`; no error if there is none. */
  delete(key: string): Promise<void>;
  /** Entries under `prefix` that `list` leaves out and a caller should report; a backend that has none omits it. */
  unlisted?(prefix: string): Promise<UnlistedEntry[]>;
}

/** Sorts objects by key, as every `list` returns them. */
export function byKey<T extends LakeObject>(objects: T[]): T[] {
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
