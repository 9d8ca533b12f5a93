import { describe, expect, it } from 'vitest';
import { minimize } from '../../src/core/predictive/optimize.js';

/** Extended Rosenbrock function: minimum 0 at (1, …, 1). */
function rosenbrock(x: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < x.length - 1; i++) sum += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2;
  return sum;
}

describe('minimize (Nelder–Mead with restarts)', () => {
  it.each([
    [[-1.2, 1]],
    [[-1.2, 1, -1.2]],
    [[-1.2, 1, -1.2, 1]],
  ])('finds the minimum of the Rosenbrock function from %j', (start) => {
    const result = minimize(rosenbrock, start);
    expect(result.converged).toBe(true);
    for (const value of result.x) expect(value).toBeCloseTo(1, 6);
    expect(result.value).toBeLessThan(1e-12);
  });

  it('minimises over logarithms to keep parameters positive', () => {
    // (ln u − ln 3)² + (v − 2)²: the minimum is at u = 3.
    const result = minimize(([logU, v]) => (logU! - Math.log(3)) ** 2 + (v! - 2) ** 2, [0, 0]);
    expect(Math.exp(result.x[0]!)).toBeCloseTo(3, 6);
    expect(result.x[1]!).toBeCloseTo(2, 6);
  });

  it('moves away from points where the function is not finite', () => {
    const result = minimize(([x]) => (x! < 0 ? Number.NaN : (x! - 1) ** 2), [3]);
    expect(result.converged).toBe(true);
    expect(result.x[0]!).toBeCloseTo(1, 6);
  });

  it('reports converged = false when the iteration budget is too small', () => {
    const result = minimize(rosenbrock, [-1.2, 1], { maxIterations: 20 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(20);
    expect(result.value).toBeLessThan(rosenbrock([-1.2, 1]));
  });
});
