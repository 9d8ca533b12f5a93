import { describe, expect, it } from 'vitest';
import { fitOnce } from '../../src/core/predictive/fit-cache.js';

type Row = { x: number; weight: number };

describe('fitOnce', () => {
  it('fits once per function, rows and iteration budget, and again when any of them differs', () => {
    const calls: string[] = [];
    const fit = (rows: readonly Row[], { maxIterations }: { maxIterations: number }) => {
      calls.push(`${rows.map((r) => `${r.x}×${r.weight}`).join(' ')} @${maxIterations}`);
      return { total: rows.reduce((n, r) => n + r.x * r.weight, 0) };
    };
    const rows: Row[] = [
      { x: 1, weight: 2 },
      { x: 3, weight: 1 },
    ];
    const first = fitOnce(fit, rows, ['x', 'weight'], 200);
    // Equal rows in new objects: the remembered result, the very same object.
    expect(fitOnce(fit, rows.map((r) => ({ ...r })), ['x', 'weight'], 200)).toBe(first);
    expect(first.total).toBe(5); // 1·2 + 3·1
    expect(fitOnce(fit, [rows[1]!, rows[0]!], ['x', 'weight'], 200).total).toBe(5); // other order: fitted again
    expect(fitOnce(fit, [{ x: 1, weight: 2 }, { x: 3, weight: 2 }], ['x', 'weight'], 200).total).toBe(8); // one weight differs
    expect(fitOnce(fit, rows, ['x', 'weight'], 50)).not.toBe(first); // other budget
    const other = (rowsOfOther: readonly Row[]) => ({ total: -rowsOfOther.length });
    expect(fitOnce(other, rows, ['x', 'weight'], 200).total).toBe(-2); // other function
    expect(calls).toEqual(['1×2 3×1 @200', '3×1 1×2 @200', '1×2 3×2 @200', '1×2 3×1 @50']);
  });

  it('keeps a few recent fits per function, forgetting the oldest', () => {
    let fits = 0;
    const fit = (rows: readonly Row[]) => ({ n: ++fits, x: rows[0]!.x });
    for (let x = 0; x < 5; x++) fitOnce(fit, [{ x, weight: 1 }], ['x', 'weight'], 1);
    expect(fits).toBe(5);
    fitOnce(fit, [{ x: 4, weight: 1 }], ['x', 'weight'], 1); // the newest: remembered
    expect(fits).toBe(5);
    fitOnce(fit, [{ x: 0, weight: 1 }], ['x', 'weight'], 1); // the oldest of five, past the four kept
    expect(fits).toBe(6);
  });
});
