import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCloud } from '../../dev/local-cloud.js';
import { withdrawFile } from '../../src/core/control/withdraw.js';
import { readStagingIndex } from '../../src/core/pipeline/compact-staging.js';
import { runAndRead, sameTablesAfterCompaction } from '../helpers/compaction-scenario.js';
import { s3LakeUnder } from '../helpers/s3-test-lake.js';

// The scenario's landing times cannot be set on S3: the files land in the order they are put
// (a, b, c), and a tie in time is broken by the later key (b over a, c over a), so the same rows win.
describe('staging compaction on S3 (s3rver)', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });

  it('publishes the same tables before and after compaction, then withdraws a compacted file’s rows', async () => {
    const { lake, put } = s3LakeUnder(cloud, 'compaction');
    await sameTablesAfterCompaction(lake, put);
    // Compact the two objects now staged (the compacted file and d.csv's part) into one, then withdraw b.csv.
    await put('loyaltylake.yml', 'staging:\n  compact_above_files: 1\n');
    expect(await runAndRead(lake)).toMatchObject({ status: 'succeeded', files: 1, rows: 6 });
    await withdrawFile(lake, 'inbox/orders/b.csv');
    const index = (await readStagingIndex(lake, 'orders'))!;
    // Left by hand: a.csv o1 10, o2 20; c.csv o2 25; d.csv o4 40 = 4 rows; current o1 10, o2 25, o4 40.
    expect(index.rows).toBe(4);
    expect((await lake.list('staging/orders/')).map((o) => o.key)).toEqual([index.compacted]);
    const after = await runAndRead(lake);
    expect(after).toMatchObject({
      status: 'succeeded',
      loaded: 0,
      rows: 4,
      current: [
        { order_id: 'o1', amount: 10 },
        { order_id: 'o2', amount: 25 },
        { order_id: 'o4', amount: 40 },
      ],
    });
  }, 90_000);
});
