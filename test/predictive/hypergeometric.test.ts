import { describe, expect, it } from 'vitest';
import { hyp2f1 } from '../../src/core/predictive/hypergeometric.js';
import { lgamma } from '../../src/core/predictive/special-functions.js';

/** |actual − expected| ≤ tolerance · |expected| */
function expectRelativelyClose(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe('hyp2f1', () => {
  it('is 1 at z = 0', () => {
    expect(hyp2f1(2.5, -1.3, 0.7, 0)).toBe(1);
  });

  // Abramowitz & Stegun 15.1.3: 2F1(1, 1; 2; z) = −ln(1 − z) / z.
  it.each([0.5, 0.95, 0.999999, -0.5, -1, -100])('matches −ln(1 − z)/z for 2F1(1, 1; 2; z) at z = %s', (z) => {
    expectRelativelyClose(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-14);
  });

  it('gives ln 2 for 2F1(1, 1; 2; −1) (A&S 15.1.3 at z = −1)', () => {
    expectRelativelyClose(hyp2f1(1, 1, 2, -1), Math.LN2, 1e-15);
  });

  // A&S 15.1.8: 2F1(a, b; b; z) = (1 − z)^−a.
  it.each([0.3, 0.97, -3])('matches (1 − z)^−a for 2F1(a, b; b; z) at z = %s', (z) => {
    expectRelativelyClose(hyp2f1(1.7, 0.6, 0.6, z), Math.pow(1 - z, -1.7), 1e-14);
  });

  // A&S 15.1.6: 2F1(1/2, 1/2; 3/2; z²) = arcsin(z) / z.
  it.each([0.5, 0.9999])('matches arcsin(z)/z for 2F1(1/2, 1/2; 3/2; z²) at z = %s', (z) => {
    expectRelativelyClose(hyp2f1(0.5, 0.5, 1.5, z * z), Math.asin(z) / z, 1e-14);
  });

  // A&S 15.1.5: 2F1(1/2, 1; 3/2; −z²) = arctan(z) / z; z = 10 puts the argument at −100.
  it('matches arctan(z)/z for 2F1(1/2, 1; 3/2; −z²) far below −1', () => {
    expectRelativelyClose(hyp2f1(0.5, 1, 1.5, -100), Math.atan(10) / 10, 1e-14);
  });

  // From the series: 2F1(1, 1; 3; z) = Σ 2zⁿ/((n+1)(n+2)) = 2[(1 − z) ln(1 − z) + z] / z².
  // c − a − b = 1 is an integer: this is the logarithmic case near z = 1 (A&S 15.3.11).
  it.each([0.5, 0.95, 0.9999])('matches 2[(1 − z)ln(1 − z) + z]/z² for 2F1(1, 1; 3; z) at z = %s', (z) => {
    expectRelativelyClose(hyp2f1(1, 1, 3, z), (2 * ((1 - z) * Math.log1p(-z) + z)) / (z * z), 1e-13);
  });

  // c − a − b = −2 (A&S 15.3.12, via Euler's transformation): 2F1(1, 2; 1; z) = (1 − z)^−2.
  it('handles a negative integer c − a − b near z = 1', () => {
    expectRelativelyClose(hyp2f1(1, 2, 1, 0.95), 400, 1e-14);
  });

  it('sums a terminating series (a a negative integer) exactly for any z < 1', () => {
    // 2F1(−3, 2; 5; z) = 1 − (6/5)z + (36/60)z² − (144/1260)z³, written out from the definition.
    const z = -2.5;
    const polynomial = 1 - (6 / 5) * z + (36 / 60) * z ** 2 - (144 / 1260) * z ** 3;
    expectRelativelyClose(hyp2f1(-3, 2, 5, z), polynomial, 1e-15);
  });

  it("approaches Gauss's value Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) as z → 1 (A&S 15.1.20)", () => {
    const [a, b, c] = [0.5, 0.25, 2];
    const gauss = Math.exp(lgamma(c) + lgamma(c - a - b) - lgamma(c - a) - lgamma(c - b));
    // At z = 1 − 1e-6 the function is still 4.8e-7 (relative) below its limit; the direct
    // series would need ~3.5e7 terms here.
    expectRelativelyClose(hyp2f1(a, b, c, 0.999999), gauss, 1e-6);
    // mpmath 1.3.0, hyp2f1(0.5, 0.25, 2, 0.999999) at 40 digits.
    expectRelativelyClose(hyp2f1(a, b, c, 0.999999), 1.112835251776662055, 1e-14);
  });

  // Values without a closed form: mpmath 1.3.0 `hyp2f1` at 40 significant digits, on the same
  // double-precision inputs.
  it.each([
    // The BG/NBD eq. (10) hypergeometric of the CDNOW customer 1 (x = 2), rounded parameters.
    [2.243, 4.426, 5.219, 0.47, 3.2529612088321571007],
    [1.5, 2.5, 4, 0.995, 17.7567596618375925],
    // c − a − b = 1.0001: the connection formula would cancel badly; the series is used.
    [0.3, 0.7, 2.0001, 0.9995, 1.2252990607875082681],
    [-1.5, 2.3, -0.4, 0.95, -56.183804749770620734],
    [200.25, 202.5, 203.25, 0.95, 3.631639767545891696e259],
  ])('matches mpmath for 2F1(%s, %s; %s; %s)', (a, b, c, z, expected) => {
    expectRelativelyClose(hyp2f1(a, b, c, z), expected, 1e-12);
  });

  it('rejects z ≥ 1 with a clear error', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(/z must be < 1.*got z = 1/);
    expect(() => hyp2f1(1, 1, 2, 1.5)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, 2, Number.NaN)).toThrow(/finite/);
  });

  it('rejects c at a pole of Γ', () => {
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(/c must not be 0, -1, -2/);
  });

  it('throws rather than returning a truncated sum when the term budget is exhausted', () => {
    expect(() => hyp2f1(1, 1, 2, 0.5, { maxTerms: 10 })).toThrow(/did not converge within 10 terms/);
  });
});
