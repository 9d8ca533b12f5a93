import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCloud } from '../../dev/local-cloud.js';
import { runPipeline } from '../../src/core/pipeline/run-pipeline.js';
import { withHooks } from '../helpers/counting-lake.js';
import { hashObjects } from '../helpers/lake-state.js';
import { killedPublishIsRepaired } from '../helpers/publish-crash.js';
import { s3LakeUnder } from '../helpers/s3-test-lake.js';
import { csv } from '../helpers/temp-lake.js';

describe('publish journal on S3 (s3rver)', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await LocalCloud.start();
  });
  afterAll(async () => {
    await cloud.stop();
  });

  it('rolls back a run killed after 5 tables, before anything else, and the next run publishes one run’s tables', async () => {
    // The child process reaches s3rver through the environment LocalCloud set
    const { lake, put } = s3LakeUnder(cloud, 'killed');
    await killedPublishIsRepaired(lake, lake.uri, put);
  }, 60_000);

  it('an I/O error on the third history snapshot changes no object under metrics/ or history/', async () => {
    // Prepare
    const { lake, put } = s3LakeUnder(cloud, 'snapshot-error');
    await put('inbox/orders/orders.csv', csv('order_id,customer_id,ordered_at,amount', 'o1,c1,2024-01-05,10'));
    expect((await runPipeline({ lake, threads: 2 })).status).toBe('succeeded');
    const before = await hashObjects(lake);
    await put('inbox/orders/more.csv', csv('order_id,customer_id,ordered_at,amount', 'o2,c2,2024-02-05,20'));
    let snapshots = 0;
    const failing = withHooks(lake, {
      beforeWrite: (key) => {
        if (key.startsWith('history/') && ++snapshots === 3) throw new Error('injected: connection reset');
      },
    });

    // Act
    const failed = await runPipeline({ lake: failing, threads: 2 });

    // Assess
    expect(failed).toMatchObject({ status: 'failed', published: false });
    expect(failed.error).toMatch(/^injected: connection reset \(while publishing; put back the previous content of all \d+ objects\)$/);
    expect(await hashObjects(lake)).toEqual(before);
    expect(await lake.list('_runs/publish')).toEqual([]);
  });
});
