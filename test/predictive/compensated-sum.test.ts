import { describe, expect, it } from 'vitest';
import { CompensatedSum } from '../../src/core/predictive/compensated-sum.js';

describe('CompensatedSum', () => {
  it('keeps the small terms a plain sum rounds away', () => {
    // 1 + a million times 1e-16 is 1 + 1e-10 exactly enough for doubles (spacing near 1: 2.2e-16);
    // a plain running sum stays at 1, since each 1e-16 is below half a spacing.
    const sum = new CompensatedSum();
    let plain = 1;
    sum.add(1);
    for (let i = 0; i < 1_000_000; i++) {
      sum.add(1e-16);
      plain += 1e-16;
    }
    expect(plain).toBe(1);
    expect(sum.value).toBeCloseTo(1 + 1e-10, 15);
  });

  it('recovers a small total from large terms that cancel (Neumaier’s case)', () => {
    // 1 + 1e100 + 1 − 1e100 = 2; Kahan's original algorithm gives 0 here.
    const sum = new CompensatedSum();
    for (const term of [1, 1e100, 1, -1e100]) sum.add(term);
    expect(sum.value).toBe(2);
  });
});
