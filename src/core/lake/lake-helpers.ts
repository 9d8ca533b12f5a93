import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { FingerprintedObject, Lake, LakeObject } from './lake.js';

// Conveniences on top of the three methods of Lake, the same for every backend.

/** The object at exactly `key`, or undefined if there is none. */
export async function findObject(lake: Lake, key: string, options: { readonly etags: true }): Promise<FingerprintedObject | undefined>;
export async function findObject(lake: Lake, key: string): Promise<LakeObject | undefined>;
export async function findObject(lake: Lake, key: string, options: { readonly etags?: boolean } = {}): Promise<LakeObject | undefined> {
  // A listing by the key itself also returns longer keys that start with it ('a.csv' and 'a.csv.gz').
  return (await lake.list(key, options)).find((object) => object.key === key);
}

export async function exists(lake: Lake, key: string): Promise<boolean> {
  return (await findObject(lake, key)) !== undefined;
}

/** The parsed JSON object at `key`, or undefined if there is none. */
export async function readJson<T>(lake: Lake, key: string): Promise<T | undefined> {
  if (!(await exists(lake, key))) return undefined;
  return await withTempDir(async (dir) => {
    await lake.download(key, join(dir, 'object.json'));
    return JSON.parse(await readFile(join(dir, 'object.json'), 'utf8')) as T;
  });
}

/** Writes `value` as indented JSON to `key` (atomically, as every upload). */
export async function writeJson(lake: Lake, key: string, value: unknown): Promise<void> {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'object.json'), `${JSON.stringify(value, null, 2)}\n`);
    await lake.upload(join(dir, 'object.json'), key);
  });
}

/**
 * The local copy of `key` in a run's scratch folder, which mirrors lake keys: downloaded only
 * if the run does not have it yet (it wrote it itself, or downloaded it before). For keys whose
 * content never changes under the same key, such as staging files.
 */
export async function localCopy(lake: Lake, key: string, scratchDir: string): Promise<string> {
  const path = localMirrorPath(scratchDir, key);
  if (!existsSync(path)) {
    // Never a partial copy under the final name, should the download break off.
    await lake.download(key, `${path}.part`);
    await rename(`${path}.part`, path);
  }
  return path;
}

/** Where the scratch folder keeps its copy of `key`. */
export function localMirrorPath(scratchDir: string, key: string): string {
  const mirror = resolve(scratchDir, 'lake');
  const path = resolve(mirror, key);
  if (!path.startsWith(mirror + sep)) throw new Error(`key escapes the scratch folder: ${key}`);
  return path;
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'loyaltylake-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
