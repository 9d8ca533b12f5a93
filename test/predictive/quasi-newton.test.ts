import { describe, expect, it } from 'vitest';
import { minimizeWithGradient, type ValueAndGradient } from '../../src/core/predictive/quasi-newton.js';

/** Extended Rosenbrock function and its gradient: minimum 0 at (1, …, 1). */
const rosenbrock: ValueAndGradient = (x) => {
  let value = 0;
  const gradient = new Array<number>(x.length).fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const [u, v] = [x[i]!, x[i + 1]!];
    value += 100 * (v - u * u) ** 2 + (1 - u) ** 2;
    gradient[i]! += -400 * u * (v - u * u) - 2 * (1 - u);
    gradient[i + 1]! += 200 * (v - u * u);
  }
  return { value, gradient };
};

describe('minimizeWithGradient (BFGS with a weak Wolfe line search)', () => {
  it.each([[[-1.2, 1]], [[-1.2, 1, -1.2]], [[-1.2, 1, -1.2, 1]]])('finds the minimum of the Rosenbrock function from %j', (start) => {
    const result = minimizeWithGradient(rosenbrock, start);
    expect(result).toMatchObject({ converged: true, stop: 'gradient below tolerance' });
    for (const value of result.x) expect(value).toBeCloseTo(1, 8);
    for (const g of result.gradient) expect(Math.abs(g)).toBeLessThanOrEqual(1e-9);
  });

  it('minimises over logarithms to keep parameters positive', () => {
    // (ln u − ln 3)² + (v − 2)²: the minimum is at u = 3.
    const result = minimizeWithGradient(([logU, v]) => ({
      value: (logU! - Math.log(3)) ** 2 + (v! - 2) ** 2,
      gradient: [2 * (logU! - Math.log(3)), 2 * (v! - 2)],
    }), [0, 0]);
    expect(Math.exp(result.x[0]!)).toBeCloseTo(3, 9);
    expect(result.x[1]!).toBeCloseTo(2, 9);
  });

  it('steps back from points where the function is not finite', () => {
    // Defined for x ≥ 0 only, minimum at x = 1; the first trial step from 3 lands at −1 (a full Newton-like step of −4).
    const result = minimizeWithGradient(([x]) => (x! < 0 ? { value: Number.NaN, gradient: [Number.NaN] } : { value: (x! - 1) ** 2, gradient: [2 * (x! - 1)] }), [3]);
    expect(result.converged).toBe(true);
    expect(result.x[0]!).toBeCloseTo(1, 9);
  });

  it('reports converged = false and why when the iteration budget is too small', () => {
    const result = minimizeWithGradient(rosenbrock, [-1.2, 1], { maxIterations: 5 });
    expect(result).toMatchObject({ converged: false, stop: 'iteration budget exhausted', iterations: 5 });
    expect(result.value).toBeLessThan(rosenbrock([-1.2, 1]).value);
  });

  it('reports converged = false when no step decreases the function (a gradient that does not match it)', () => {
    // The value is x², but the gradient claims the slope is −1 everywhere: every descent step goes uphill.
    const result = minimizeWithGradient(([x]) => ({ value: x! * x!, gradient: [-1] }), [1]);
    expect(result).toMatchObject({ converged: false, stop: 'line search failed' });
  });

  it('gives up a line search once the steps left to try move x by less than 1e-10, not after 60 halvings', () => {
    // Every move from 0 looks worse (rounding noise on a flat ridge does this), while the gradient
    // claims a slope of −1. The trials t = 1, 1/2, …, 2⁻³⁴ each become the bracket's top; the
    // bracket (0, 2⁻³³] is still 1.16e-10 wide, (0, 2⁻³⁴] is 5.8e-11: 35 trials after the start's
    // evaluation, 36 in all, and x stays where it was.
    const result = minimizeWithGradient(([x]) => ({ value: x === 0 ? 0 : 1e-9, gradient: [-1] }), [0]);
    expect(result).toMatchObject({ converged: false, stop: 'line search failed', x: [0], evaluations: 36 });
  });

  it('fails on a start where the objective is not finite', () => {
    expect(() => minimizeWithGradient(() => ({ value: Number.POSITIVE_INFINITY, gradient: [0] }), [0])).toThrow(/not finite at the start/);
  });

  it('returns the iterate before the last, which a flat-ridge check compares with the last', () => {
    // (x − 3)² from 0: the step t = 1 along −g = 6 lands on 6 (value 9, no decrease), so the line
    // search halves it and lands on the minimum 3: one step, and the iterate before it is the start (value 9).
    const result = minimizeWithGradient(([x]) => ({ value: (x! - 3) ** 2, gradient: [2 * (x! - 3)] }), [0]);
    expect(result.converged).toBe(true);
    expect(result.previous).toBeDefined();
    expect(result.previous).toEqual({ x: [0], value: 9 });
    expect(result.x).toEqual([3]);
    // No step, no previous iterate: the start is already the minimum
    expect(minimizeWithGradient(([x]) => ({ value: (x! - 3) ** 2, gradient: [2 * (x! - 3)] }), [3]).previous).toBeUndefined();
  });
});
