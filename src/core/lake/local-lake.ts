import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { byKey, type FingerprintedObject, type Lake, type LakeObject } from './lake.js';

/** A lake in a local folder. Atomic writes are write-to-temp-then-rename in the same folder. */
export class LocalLake implements Lake {
  readonly root: string;
  private readonly md5Cache = new Map<string, string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  get uri(): string {
    return this.root;
  }

  list(prefix: string, options: { readonly etags: true }): Promise<FingerprintedObject[]>;
  list(prefix: string, options?: { readonly etags?: boolean }): Promise<LakeObject[]>;
  async list(prefix: string, options: { readonly etags?: boolean } = {}): Promise<LakeObject[]> {
    const objects: LakeObject[] = [];
    // Walk only the folder that holds the prefix, then filter by the full prefix.
    const start = join(this.root, prefix.slice(0, prefix.lastIndexOf('/') + 1));
    for (const path of await walk(start)) {
      const key = relative(this.root, path).split(sep).join('/');
      if (!key.startsWith(prefix) || isTemporary(key)) continue;
      const info = await stat(path);
      const object = { key, size: info.size, lastModified: info.mtime };
      // Reading every file is the costly part of a listing: only when the caller needs fingerprints.
      objects.push(options.etags ? { ...object, etag: await this.md5(path, info) } : object);
    }
    return byKey(objects);
  }

  async download(key: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(this.pathOf(key), localPath);
  }

  async upload(localPath: string, key: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.tmp-upload`;
    try {
      await copyFile(localPath, temporary);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`key escapes the lake: ${key}`);
    return path;
  }

  private async md5(path: string, info: { size: number; mtimeMs: number }): Promise<string> {
    const cacheKey = `${path}\0${info.size}\0${info.mtimeMs}`;
    let digest = this.md5Cache.get(cacheKey);
    if (!digest) {
      const hash = createHash('md5');
      await pipeline(createReadStream(path), hash);
      digest = hash.digest('hex');
      this.md5Cache.set(cacheKey, digest);
    }
    return digest;
  }
}

function isTemporary(key: string): boolean {
  return key.endsWith('.tmp-upload');
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}
