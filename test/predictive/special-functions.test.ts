import { describe, expect, it } from 'vitest';
import { digamma, gammaSign, lgamma } from '../../src/core/predictive/special-functions.js';

describe('lgamma', () => {
  it('gives ln((n − 1)!) at the positive integers', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 30; n++) {
      expect(Math.abs(lgamma(n) - logFactorial)).toBeLessThanOrEqual(1e-14 * Math.max(1, logFactorial));
      logFactorial += Math.log(n);
    }
  });

  it('gives ln √π at 1/2 and ln(√π/2) at 3/2 (Γ(1/2) = √π)', () => {
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(lgamma(1.5)).toBeCloseTo(0.5 * Math.log(Math.PI) - Math.LN2, 14);
  });

  it('uses the reflection formula below 1/2: ln|Γ(−1/2)| = ln(2√π), Γ(−1/2) < 0', () => {
    expect(lgamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 14);
    expect(gammaSign(-0.5)).toBe(-1);
    expect(gammaSign(-1.5)).toBe(1);
  });

  it('matches mpmath at large and tiny arguments', () => {
    // mpmath 1.3.0: loggamma(1e6) = 12815504.569147611..., loggamma(1e-8) = 18.420680738180209...
    expect(Math.abs(lgamma(1e6) / 12815504.569147611 - 1)).toBeLessThan(1e-15);
    expect(Math.abs(lgamma(1e-8) / 18.420680738180209 - 1)).toBeLessThan(1e-15);
  });

  it('is +Infinity at the poles', () => {
    expect(lgamma(0)).toBe(Number.POSITIVE_INFINITY);
    expect(lgamma(-3)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('digamma', () => {
  it('gives −γ at 1 and −γ − 2 ln 2 at 1/2 (A&S 6.3.2, 6.3.3)', () => {
    const eulerGamma = 0.5772156649015329;
    expect(digamma(1)).toBeCloseTo(-eulerGamma, 14);
    expect(digamma(0.5)).toBeCloseTo(-eulerGamma - 2 * Math.LN2, 14);
  });

  it('satisfies ψ(x + 1) = ψ(x) + 1/x, also for negative x', () => {
    for (const x of [-2.7, -0.3, 0.2, 3.3, 17.9]) {
      expect(digamma(x + 1)).toBeCloseTo(digamma(x) + 1 / x, 12);
    }
  });
});
