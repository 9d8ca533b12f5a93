import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, type Dirent, type Stats } from 'node:fs';
import { copyFile, link, mkdir, readdir, realpath, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { byKey, type FingerprintedObject, type Lake, type LakeObject, type UnlistedEntry } from './lake.js';
import { LakePrefix } from './lake-layout.js';

/**
 * A lake in a local folder. Atomic writes copy to a temp file under `_tmp/` at the lake root (the
 * same file system, never listed) and rename it into place, so no temp file ever sits among data.
 * Symbolic links to files and folders are followed; what is no readable file is reported by `unlisted`.
 */
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
    for (const { key, path, info } of (await this.scan(prefix)).files) {
      const object = { key, size: info.size, lastModified: info.mtime };
      // Reading every file is the costly part of a listing: only when the caller needs fingerprints.
      objects.push(options.etags ? { ...object, etag: await this.md5(path, info) } : object);
    }
    return byKey(objects);
  }

  async unlisted(prefix: string): Promise<UnlistedEntry[]> {
    return (await this.scan(prefix)).unlisted;
  }

  async download(key: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(this.pathOf(key), localPath);
  }

  async upload(localPath: string, key: string): Promise<void> {
    const target = this.pathOf(key);
    await this.withTemporaryCopy(localPath, async (temporary) => {
      await mkdir(dirname(target), { recursive: true });
      await rename(temporary, target);
    });
  }

  async createExclusive(localPath: string, key: string): Promise<boolean> {
    const target = this.pathOf(key);
    return await this.withTemporaryCopy(localPath, async (temporary) => {
      await mkdir(dirname(target), { recursive: true });
      try {
        // A hard link appears whole and fails if the name exists: an exclusive create of complete content.
        await link(temporary, target);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    });
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    // Folders emptied by the delete go too (a removed snapshot leaves no empty as_of= folder).
    for (let dir = dirname(path); dir !== this.root && dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
    }
  }

  private async withTemporaryCopy<T>(localPath: string, work: (temporary: string) => Promise<T>): Promise<T> {
    const folder = join(this.root, LakePrefix.tmp);
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `${randomUUID()}.tmp-upload`);
    try {
      await copyFile(localPath, temporary);
      return await work(temporary);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /** The readable files whose key starts with `prefix`, and the entries that are none. */
  private async scan(prefix: string): Promise<{ files: ScannedFile[]; unlisted: UnlistedEntry[] }> {
    const found: Walked = { files: [], unlisted: [] };
    // Walk only the folder that holds the prefix, then filter by the full prefix.
    const start = join(this.root, prefix.slice(0, prefix.lastIndexOf('/') + 1));
    const keyOf = (path: string) => relative(this.root, path).split(sep).join('/');
    // Below the start, only folders that can hold a key with the prefix: `_runs/currency.json` walks none of `_runs/ingested/`.
    const mayHold = (folder: string) => {
      const key = `${keyOf(folder)}/`;
      return key.startsWith(prefix) || prefix.startsWith(key);
    };
    await walk(start, [], found, mayHold);
    const wanted = (key: string) => key.startsWith(prefix) && !key.startsWith(LakePrefix.tmp);
    return {
      files: found.files.map((file) => ({ ...file, key: keyOf(file.path) })).filter((file) => wanted(file.key)),
      unlisted: found.unlisted.map(({ path, reason }) => ({ key: keyOf(path), reason })).filter((entry) => wanted(entry.key)),
    };
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

interface ScannedFile {
  readonly key: string;
  readonly path: string;
  readonly info: Stats;
}

interface Walked {
  files: { path: string; info: Stats }[];
  unlisted: { path: string; reason: string }[];
}

/** Walks `dir`, following links to files and folders, into the folders `mayHold` accepts; `ancestors` are the real paths of the folders above (a loop guard). */
async function walk(dir: string, ancestors: readonly string[], found: Walked, mayHold: (folder: string) => boolean): Promise<void> {
  let entries: Dirent[];
  let real: string;
  try {
    entries = await readdir(dir, { withFileTypes: true });
    real = await realpath(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const above = [...ancestors, real];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    let info: Stats;
    try {
      info = await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ELOOP' ? 'a symbolic link that loops' : code === 'ENOENT' ? 'a dangling symbolic link (its target does not exist)' : `unreadable (${code})`;
      found.unlisted.push({ path, reason });
      continue;
    }
    if (info.isDirectory()) {
      if (!mayHold(path)) continue;
      if (above.includes(await realpath(path))) found.unlisted.push({ path, reason: 'a symbolic link to a folder that contains it (a loop): not followed' });
      else await walk(path, above, found, mayHold);
    } else if (info.isFile()) found.files.push({ path, info });
    else found.unlisted.push({ path, reason: `${kindOf(info)}, not a regular file` });
  }
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isBlockDevice() || info.isCharacterDevice()) return 'a device';
  return 'a special file';
}
