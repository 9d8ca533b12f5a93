import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csv, run, tempDir, tempLake } from '../helpers/temp-lake.js';

describe('inbox entries that are links or no files', () => {
  it('ingests linked files and folders, refuses a name ending in .tmp-upload with its reason, and reports a FIFO and a dangling link in the manifest', async () => {
    // Prepare
    const { dir, lake, put } = tempLake();
    const exports = tempDir();
    mkdirSync(join(exports, 'march'));
    writeFileSync(join(exports, 'march', 'orders.csv'), csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-03-05,10'));
    writeFileSync(join(exports, 'april.csv'), csv('order_id,customer_id,ordered_at,amount', 'o2,c1,2024-04-05,20'));
    put('inbox/orders/may.tmp-upload', csv('order_id,customer_id,ordered_at,amount', 'o3,c2,2024-05-05,30'));
    symlinkSync(join(exports, 'march'), join(dir, 'inbox/orders/march'));
    symlinkSync(join(exports, 'april.csv'), join(dir, 'inbox/orders/april.csv'));
    symlinkSync(join(exports, 'gone.csv'), join(dir, 'inbox/orders/june.csv'));
    execFileSync('mkfifo', [join(dir, 'inbox/orders/july.csv')]);

    // Act
    const manifest = await run(lake);

    // Assess: the 2 linked files × 1 row loaded; .tmp-upload is no supported type (no longer hidden); the other two named with their reason
    expect(manifest.status).toBe('succeeded');
    expect(manifest.ingest).toMatchObject({ files_loaded: 2, rows_loaded: 2, files_quarantined: 1, files_skipped: 2 });
    expect(manifest.ingest.files.find((f) => f.key === 'inbox/orders/may.tmp-upload')!.error).toMatch(/^unsupported file type/);
    expect(manifest.ingest.files.filter((f) => f.outcome === 'skipped').map((f) => [f.key, f.dataset, f.error])).toEqual([
      ['inbox/orders/july.csv', 'orders', 'a named pipe (FIFO), not a regular file'],
      ['inbox/orders/june.csv', 'orders', 'a dangling symbolic link (its target does not exist)'],
    ]);
  });
});
