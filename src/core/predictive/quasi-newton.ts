/**
 * BFGS minimisation of a smooth function of a few variables with its gradient (Nocedal &
 * Wright, "Numerical Optimization", 2nd ed., algorithm 6.1), with a line search that finds a
 * step satisfying the weak Wolfe conditions by bracketing and bisection (Lewis & Overton 2013):
 * every accepted step then has sᵀy > 0, so the inverse-Hessian approximation stays positive definite.
 *
 * Unconstrained: to keep a parameter positive, minimise over its logarithm.
 */

/** The value and gradient at x; a non-finite value means x is outside the domain. */
export type ValueAndGradient = (x: readonly number[]) => { value: number; gradient: number[] };

export interface QuasiNewtonOptions {
  /** Converged when every component of the gradient is at most this in absolute value (default 1e-9). */
  gradientTolerance?: number;
  /** BFGS iteration budget (default 200). */
  maxIterations?: number;
}

export type QuasiNewtonStop = 'gradient below tolerance' | 'iteration budget exhausted' | 'line search failed';

export interface QuasiNewtonResult {
  x: number[];
  value: number;
  gradient: number[];
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** Why the search stopped: converged is true only for 'gradient below tolerance'. */
  stop: QuasiNewtonStop;
  /** The iterate before the last (none before the first step): how far the last step moved and what it gained. */
  previous?: { x: number[]; value: number };
}

/** Sufficient decrease and curvature constants of the Wolfe conditions (N&W's usual choices for quasi-Newton). */
const ARMIJO = 1e-4;
const CURVATURE = 0.9;
const LINE_SEARCH_STEPS = 60;
/**
 * Near the minimum the decrease a step can make falls below the rounding error of a value
 * summed over many customers, and the Armijo test then rejects every step. So a step is also
 * accepted under Hager & Zhang's (2005) "approximate Wolfe" conditions, which rest on the
 * directional derivative (accurate far below that noise): σφ'(0) ≤ φ'(t) ≤ (2δ − 1)φ'(0) with
 * δ = ARMIJO, while the value rises by at most VALUE_NOISE relative.
 */
const VALUE_NOISE = 1e-12;
/**
 * The line search gives up once the steps it still has to try differ by less than this in every
 * coordinate. On a flat ridge the value's rounding noise (far above VALUE_NOISE when parameters
 * run off to huge values) makes every step look worse; bisecting on down to 2⁻⁶⁰ cost nearly half
 * of such a fit's evaluations without ever moving x.
 */
const SMALLEST_STEP = 1e-10;

export function minimizeWithGradient(
  objective: ValueAndGradient,
  start: readonly number[],
  options: QuasiNewtonOptions = {},
): QuasiNewtonResult {
  const gradientTolerance = options.gradientTolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 200;
  if (start.length === 0 || start.some((value) => !Number.isFinite(value))) {
    throw new RangeError(`minimizeWithGradient: the start must be a non-empty vector of finite numbers, got [${start.join(', ')}]`);
  }
  let evaluations = 0;
  const evaluate = (x: readonly number[]) => {
    evaluations++;
    return objective(x);
  };
  const n = start.length;
  let x = [...start];
  let current = evaluate(x);
  if (!isFinitePoint(current)) throw new RangeError(`minimizeWithGradient: the objective is not finite at the start [${start.join(', ')}]`);
  // Inverse Hessian approximation; scaled after the first step (N&W eq. 6.20).
  let inverseHessian = identity(n);
  let iterations = 0;
  let previous: QuasiNewtonResult['previous'];
  const result = (stop: QuasiNewtonStop): QuasiNewtonResult => ({
    x,
    value: current.value,
    gradient: current.gradient,
    iterations,
    evaluations,
    converged: stop === 'gradient below tolerance',
    stop,
    previous,
  });

  for (;;) {
    if (maxAbs(current.gradient) <= gradientTolerance) return result('gradient below tolerance');
    if (iterations >= maxIterations) return result('iteration budget exhausted');
    iterations++;
    let direction = multiply(inverseHessian, current.gradient).map((v) => -v);
    if (!(dot(direction, current.gradient) < 0)) {
      // Lost descent (rounding): restart from steepest descent.
      inverseHessian = identity(n);
      direction = current.gradient.map((v) => -v);
    }
    const step = wolfeLineSearch(evaluate, x, current, direction);
    if (!step) return result('line search failed');
    const s = step.x.map((v, i) => v - x[i]!);
    const y = step.point.gradient.map((v, i) => v - current.gradient[i]!);
    const sy = dot(s, y);
    if (iterations === 1) inverseHessian = identity(n).map((row) => row.map((v) => (v * sy) / dot(y, y)));
    inverseHessian = bfgsUpdate(inverseHessian, s, y, sy);
    previous = { x, value: current.value };
    x = step.x;
    current = step.point;
  }
}

/** A step along `direction` satisfying the weak Wolfe conditions, or undefined if none was found. */
function wolfeLineSearch(
  evaluate: ValueAndGradient,
  x: readonly number[],
  current: { value: number; gradient: number[] },
  direction: readonly number[],
): { x: number[]; point: { value: number; gradient: number[] } } | undefined {
  const slope = dot(current.gradient, direction);
  let low = 0;
  let high = Number.POSITIVE_INFINITY;
  let t = 1;
  const longest = maxAbs(direction);
  for (let i = 0; i < LINE_SEARCH_STEPS && (high - low) * longest >= SMALLEST_STEP; i++) {
    const candidate = x.map((v, j) => v + t * direction[j]!);
    const point = evaluate(candidate);
    const newSlope = dot(point.gradient, direction);
    const flatEnough = newSlope >= CURVATURE * slope;
    const decreased = point.value <= current.value + ARMIJO * t * slope;
    const approximatelyDecreased =
      point.value <= current.value + VALUE_NOISE * Math.abs(current.value) && newSlope <= (2 * ARMIJO - 1) * slope;
    if (!isFinitePoint(point)) high = t;
    else if (flatEnough && (decreased || approximatelyDecreased)) return { x: candidate, point };
    else if (!decreased) high = t;
    else low = t;
    t = Number.isFinite(high) ? (low + high) / 2 : 2 * low;
  }
  return undefined;
}

/** H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1 / sᵀy (N&W eq. 6.17). */
function bfgsUpdate(h: readonly number[][], s: readonly number[], y: readonly number[], sy: number): number[][] {
  const rho = 1 / sy;
  const hy = multiply(h, y);
  const yhy = dot(y, hy);
  return h.map((row, i) =>
    row.map((v, j) => v - rho * (hy[i]! * s[j]! + s[i]! * hy[j]!) + (rho * rho * yhy + rho) * s[i]! * s[j]!),
  );
}

function isFinitePoint(point: { value: number; gradient: number[] }): boolean {
  return Number.isFinite(point.value) && point.gradient.every(Number.isFinite);
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

function multiply(matrix: readonly number[][], vector: readonly number[]): number[] {
  return matrix.map((row) => dot(row, vector));
}

function dot(u: readonly number[], v: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < u.length; i++) sum += u[i]! * v[i]!;
  return sum;
}

function maxAbs(v: readonly number[]): number {
  return v.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
}
