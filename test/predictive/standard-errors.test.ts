import { describe, expect, it } from 'vitest';
import { inverseDiagonal, standardErrorsOfLogFit } from '../../src/core/predictive/standard-errors.js';

describe('inverseDiagonal', () => {
  it('gives the diagonal of the inverse of a symmetric positive definite matrix', () => {
    // [[4, 2, 0], [2, 3, 1], [0, 1, 2]]: determinant 4·5 − 2·4 = 12; cofactors 5, 8, 8 → 5/12, 8/12, 8/12.
    const diagonal = inverseDiagonal([[4, 2, 0], [2, 3, 1], [0, 1, 2]])!;
    expect(diagonal[0]).toBeCloseTo(5 / 12, 14);
    expect(diagonal[1]).toBeCloseTo(8 / 12, 14);
    expect(diagonal[2]).toBeCloseTo(8 / 12, 14);
  });

  it('is undefined for a matrix that is not positive definite', () => {
    expect(inverseDiagonal([[1, 2], [2, 1]])).toBeUndefined();
    expect(inverseDiagonal([[1, 1], [1, 1]])).toBeUndefined();
  });
});

describe('standardErrorsOfLogFit', () => {
  it('gives the textbook standard error of an exponential rate fitted over its logarithm', () => {
    // n = 50 waiting times with total S = 200: λ̂ = n/S = 0.25, information n/λ², so SE = λ̂/√n.
    // Negative log-likelihood in u = ln λ: −n u + S e^u, gradient −n + S e^u.
    const [n, S] = [50, 200];
    const errors = standardErrorsOfLogFit(([u]) => [-n + S * Math.exp(u!)], [Math.log(n / S)])!;
    expect(errors[0]).toBeCloseTo(0.25 / Math.sqrt(50), 9);
  });

  it('is undefined on a flat ridge, where the parameters are not identified', () => {
    // f depends on u₁ + u₂ only: the Hessian is singular.
    expect(standardErrorsOfLogFit(([u, v]) => [2 * (u! + v!), 2 * (u! + v!)], [0, 0])).toBeUndefined();
  });
});
