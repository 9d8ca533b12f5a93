import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LakeKeys } from '../src/core/lake/lake-layout.js';
import { LocalCloud } from '../dev/local-cloud.js';

/** Cold start of the ingest handler: a new Node process, from its start to the first handled event (a 3-row CSV). */
export async function measureColdStart(runs = 3): Promise<{ importMs: number; firstEventMs: number }[]> {
  const cloud = await LocalCloud.start();
  const scratch = mkdtempSync(join(tmpdir(), 'loyaltylake-coldstart-'));
  try {
    const results = [];
    for (let run = 0; run < runs; run++) {
      const file = join(scratch, `orders-${run}.csv`);
      writeFileSync(file, `order_id,customer_id,ordered_at,amount\no${run}a,c1,2024-01-01,1\no${run}b,c2,2024-01-02,2\no${run}c,c1,2024-02-01,3\n`);
      await cloud.drop(file, LakeKeys.inboxFile('orders', `orders-${run}.csv`));
      const event = JSON.stringify(cloud.takeEvents());
      // Asynchronous on purpose: the S3 server runs in this process and must keep answering.
      const { stdout: output } = await promisify(execFile)(process.execPath, ['--no-warnings', join(dirname(fileURLToPath(import.meta.url)), 'cold-start-child.js'), event], {
        encoding: 'utf8',
        env: { ...process.env, SCRATCH_DIR: join(scratch, 'lambda-tmp') },
      });
      const timing = JSON.parse(output.trim().split('\n').at(-1)!) as { imported: number; done: number; failures: number };
      if (timing.failures > 0) throw new Error('the cold-start event failed');
      results.push({ importMs: timing.imported, firstEventMs: timing.done });
    }
    return results;
  } finally {
    await cloud.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
