import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, tempLake } from '../helpers/temp-lake.js';

describe('LocalLake', () => {
  it('lists objects under a prefix in key order, with size and MD5 etag when asked', async () => {
    // Prepare
    const { lake, put } = tempLake();
    put('inbox/orders/b.csv', 'bb');
    put('inbox/orders/2024/a.csv', 'a');
    put('inbox/customers/c.csv', 'c');

    // Act
    const objects = await lake.list('inbox/orders/', { etags: true });

    // Assess
    expect(objects.map((o) => o.key)).toEqual(['inbox/orders/2024/a.csv', 'inbox/orders/b.csv']);
    expect(objects[1]!.size).toBe(2);
    expect(objects[1]!.etag).toBe(createHash('md5').update('bb').digest('hex'));
  });

  it('lists keys without reading the files when no etags are asked for', async () => {
    const { lake, put } = tempLake();
    put('staging/orders/a.parquet', 'a');
    const [object] = await lake.list('staging/');
    expect(object).toMatchObject({ key: 'staging/orders/a.parquet', size: 1 });
    expect(object!.etag).toBeUndefined();
  });

  it('lists nothing for a prefix that does not exist', async () => {
    const { lake } = tempLake();
    expect(await lake.list('metrics/')).toEqual([]);
  });

  it('uploads by write-then-rename and downloads the same bytes', async () => {
    // Prepare
    const { dir, lake } = tempLake();
    const source = join(tempDir(), 'table.parquet');
    writeFileSync(source, 'new table');

    // Act
    await lake.upload(source, 'metrics/m/v1/data.parquet');
    const copy = join(tempDir(), 'copy');
    await lake.download('metrics/m/v1/data.parquet', copy);

    // Assess
    expect(readFileSync(copy, 'utf8')).toBe('new table');
    expect(readdirSync(join(dir, 'metrics/m/v1'))).toEqual(['data.parquet']);
  });

  it('fails to download a missing object', async () => {
    const { lake } = tempLake();
    await expect(lake.download('inbox/nothing.csv', join(tempDir(), 'x'))).rejects.toThrow(/ENOENT/);
  });

  it('fails on a key that escapes the lake folder', async () => {
    const { lake } = tempLake();
    await expect(lake.download('../outside', join(tempDir(), 'x'))).rejects.toThrow(/escapes the lake/);
  });

  it('writes its temp files under _tmp/ at the lake root, never beside the target, and never lists them', async () => {
    // Prepare: a temp file a killed upload left behind
    const { dir, lake, put } = tempLake();
    put('_tmp/0b6f.tmp-upload', 'half a table');
    const source = join(tempDir(), 'table.parquet');
    writeFileSync(source, 'new table');
    const seen: string[] = [];
    // Watch the target folder while the upload runs: only the final name may ever appear in it
    mkdirSync(join(dir, 'metrics/m/v1'), { recursive: true });
    const watcher = watch(join(dir, 'metrics/m/v1'), (_event, name) => void seen.push(String(name)));

    // Act
    await lake.upload(source, 'metrics/m/v1/data.parquet');
    await new Promise((resolve) => setTimeout(resolve, 50));
    watcher.close();

    // Assess
    expect(new Set(seen)).toEqual(new Set(['data.parquet']));
    expect((await lake.list('')).map((o) => o.key)).toEqual(['metrics/m/v1/data.parquet']);
  });

  it('lists an inbox file whose name ends in .tmp-upload like any other', async () => {
    const { lake, put } = tempLake();
    put('inbox/orders/export.tmp-upload', 'order_id');
    expect((await lake.list('inbox/')).map((o) => o.key)).toEqual(['inbox/orders/export.tmp-upload']);
  });

  it('follows symbolic links to files and folders, under the link’s name, and reports a loop instead of following it', async () => {
    // Prepare: exports kept elsewhere, linked into the inbox
    const { dir, lake } = tempLake();
    const exports = tempDir();
    mkdirSync(join(exports, 'march'));
    writeFileSync(join(exports, 'march', 'orders.csv'), 'a');
    writeFileSync(join(exports, 'april.csv'), 'bb');
    mkdirSync(join(dir, 'inbox/orders'), { recursive: true });
    symlinkSync(join(exports, 'march'), join(dir, 'inbox/orders/march'));
    symlinkSync(join(exports, 'april.csv'), join(dir, 'inbox/orders/april.csv'));
    symlinkSync(join(dir, 'inbox'), join(dir, 'inbox/orders/loop'));

    // Act
    const objects = await lake.list('inbox/', { etags: true });
    const unlisted = await lake.unlisted('inbox/');

    // Assess
    expect(objects.map((o) => [o.key, o.size])).toEqual([
      ['inbox/orders/april.csv', 2],
      ['inbox/orders/march/orders.csv', 1],
    ]);
    expect(unlisted).toEqual([{ key: 'inbox/orders/loop', reason: 'a symbolic link to a folder that contains it (a loop): not followed' }]);
    const copy = join(tempDir(), 'copy');
    await lake.download('inbox/orders/march/orders.csv', copy);
    expect(readFileSync(copy, 'utf8')).toBe('a');
  });

  it('reports FIFOs, sockets and dangling links instead of skipping them silently', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    put('inbox/orders/good.csv', 'x');
    execFileSync('mkfifo', [join(dir, 'inbox/orders/pipe.csv')]);
    symlinkSync(join(dir, 'gone.csv'), join(dir, 'inbox/orders/dangling.csv'));
    const server = createServer().listen(join(dir, 'inbox/orders/socket.csv'));
    await once(server, 'listening');

    // Act
    const unlisted = await lake.unlisted('inbox/');
    server.close();

    // Assess
    expect(unlisted.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'inbox/orders/dangling.csv', reason: 'a dangling symbolic link (its target does not exist)' },
      { key: 'inbox/orders/pipe.csv', reason: 'a named pipe (FIFO), not a regular file' },
      { key: 'inbox/orders/socket.csv', reason: 'a socket, not a regular file' },
    ]);
    expect((await lake.list('inbox/')).map((o) => o.key)).toEqual(['inbox/orders/good.csv']);
  });

  it('creates an object exclusively: once, and never over an existing one', async () => {
    // Prepare
    const { dir, lake } = tempLake();
    const first = join(tempDir(), 'first');
    const second = join(tempDir(), 'second');
    writeFileSync(first, 'first');
    writeFileSync(second, 'second');

    // Act
    const created = await Promise.all([lake.createExclusive(first, '_runs/lease.json'), lake.createExclusive(second, '_runs/lease.json')]);

    // Assess
    expect(created.sort()).toEqual([false, true]);
    expect(['first', 'second']).toContain(readFileSync(join(dir, '_runs/lease.json'), 'utf8'));
    expect(readdirSync(join(dir, '_tmp'))).toEqual([]);
  });

  it('deletes an object and the folders it leaves empty, and a missing object without error', async () => {
    const { dir, lake, put } = tempLake();
    put('history/m/v1/as_of=2024-01-31/data.parquet', 'a');
    put('history/m/v1/as_of=2024-02-29/data.parquet', 'b');
    await lake.delete('history/m/v1/as_of=2024-02-29/data.parquet');
    await lake.delete('history/m/v1/as_of=2024-03-31/data.parquet');
    expect(readdirSync(join(dir, 'history/m/v1'))).toEqual(['as_of=2024-01-31']);
  });
});
