// The purchase models fitted on worker threads (parallel-fits.ts). The workers run the bundle
// test/helpers/fit-worker-bundle.ts builds of src/core/predictive/fit-worker.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attemptFit, FIT_ITERATIONS } from '../../src/core/predictive/fit-attempt.js';
import { fitPurchaseModels } from '../../src/core/predictive/parallel-fits.js';
import { checkedFit } from '../../src/core/predictive/purchase-fit.js';
import { PURCHASE_MODELS } from '../../src/core/predictive/purchase-models.js';
import { groupCdnow, readCdnowSummary } from '../helpers/cdnow-summary.js';
import { tempDir } from '../helpers/temp-lake.js';

/** CDNOW's distinct histories in weeks; the backtest's 39-week horizon for the flat-ridge check. */
const rows = groupCdnow(readCdnowSummary());
const HORIZON = 39;

describe('fitPurchaseModels', () => {
  const bundled = process.env.LOYALTYLAKE_FIT_WORKER;
  afterEach(() => {
    // (Assigning undefined would set the string 'undefined'.)
    if (bundled === undefined) delete process.env.LOYALTYLAKE_FIT_WORKER;
    else process.env.LOYALTYLAKE_FIT_WORKER = bundled;
  });

  it('fits every model on a worker thread to the same bits as on this thread, in the order asked, and remembers the fits', async () => {
    // Act
    const fits = await fitPurchaseModels(PURCHASE_MODELS, rows, undefined, HORIZON);

    // Assess: each result equals the fit made here, number for number (toEqual compares with Object.is)
    expect(fits.map((f) => f.model)).toEqual(PURCHASE_MODELS);
    for (const fitted of fits) {
      const here = checkedFit(fitted.model, attemptFit(undefined, () => fitted.model.fit(rows, { maxIterations: FIT_ITERATIONS })), rows, HORIZON);
      expect(fitted, fitted.model.label).toEqual(here);
      expect(fitted.converged, fitted.model.label).toBe(true);
    }
    // The next step asking for the same fits gets the same objects: nothing is refitted
    const again = await fitPurchaseModels(PURCHASE_MODELS, rows, undefined, HORIZON);
    again.forEach((fitted, i) => expect(fitted.fit).toBe(fits[i]!.fit));
  });

  it('fails, naming the model, when a worker ends without a fit', async () => {
    // Prepare: a worker entry that posts nothing; histories no fit has seen (one customer fewer)
    const entry = join(tempDir(), 'silent-worker.mjs');
    writeFileSync(entry, 'export {};\n');
    process.env.LOYALTYLAKE_FIT_WORKER = entry;

    // Act + Assess: the first worker to end names its model
    await expect(fitPurchaseModels(PURCHASE_MODELS, rows.slice(1), undefined, HORIZON)).rejects.toThrow(
      /^the (bg_nbd|mbg_nbd|pareto_nbd) fit's worker thread exited with code 0 before it posted a fit$/,
    );
  });

  it('starts no worker when the models cannot be fitted, and says why on each', async () => {
    // Prepare: a worker entry that would fail the call if one were started
    process.env.LOYALTYLAKE_FIT_WORKER = join(tempDir(), 'no-such-worker.mjs');

    // Act
    const fits = await fitPurchaseModels(PURCHASE_MODELS, rows, 'no customer has a repeat purchase', HORIZON);

    // Assess
    expect(fits.map((f) => [f.model.name, f.status, f.fit])).toEqual(PURCHASE_MODELS.map((m) => [m.name, 'not fitted: no customer has a repeat purchase', undefined]));
  });
});
