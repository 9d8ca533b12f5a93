/**
 * Nelder–Mead minimisation of a smooth function of a few variables, restarted from the best
 * point until a restart no longer improves it (a converged simplex can be a false stop: it
 * may have collapsed before reaching the minimum).
 *
 * Unconstrained: to keep a parameter positive, minimise over its logarithm.
 */

export interface MinimizeOptions {
  /** Edge length of the initial simplex along each axis (default 0.5). */
  initialStep?: number;
  /** Budget of Nelder–Mead iterations over all restarts (default 5,000). */
  maxIterations?: number;
  /** Converged when every vertex is within this distance of the best one, per coordinate … */
  xTolerance?: number;
  /** … and the function values spread less than fTolerance · max(1, |best value|). */
  fTolerance?: number;
  /** Restarts from the best point after the first convergence (default 3). */
  maxRestarts?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  /** Nelder–Mead iterations used, over all restarts. */
  iterations: number;
  evaluations: number;
  /**
   * True when the simplex shrank below both tolerances within the budget and the last restart
   * did not improve the value by more than the tolerance.
   */
  converged: boolean;
}

export function minimize(
  objective: (x: readonly number[]) => number,
  start: readonly number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  const settings = {
    initialStep: options.initialStep ?? 0.5,
    maxIterations: options.maxIterations ?? 5_000,
    xTolerance: options.xTolerance ?? 1e-8,
    fTolerance: options.fTolerance ?? 1e-12,
    maxRestarts: options.maxRestarts ?? 3,
  };
  if (start.length === 0 || start.some((value) => !Number.isFinite(value))) {
    throw new RangeError(`minimize: the start must be a non-empty vector of finite numbers, got [${start.join(', ')}]`);
  }
  let evaluations = 0;
  // Non-finite values (overflow, NaN) are treated as +Infinity so the simplex moves away from them.
  const evaluate = (x: readonly number[]): number => {
    evaluations++;
    const value = objective(x);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };

  let best = { x: [...start], value: evaluate(start) };
  let iterations = 0;
  for (let run = 0; run <= settings.maxRestarts; run++) {
    const result = nelderMead(evaluate, best.x, settings, settings.maxIterations - iterations);
    iterations += result.iterations;
    const improvement = best.value - result.value;
    const improved = result.value < best.value;
    if (improved) best = { x: result.x, value: result.value };
    if (!result.converged) return { ...best, iterations, evaluations, converged: false };
    if (run > 0 && improvement <= settings.fTolerance * Math.max(1, Math.abs(best.value))) {
      return { ...best, iterations, evaluations, converged: true };
    }
  }
  return { ...best, iterations, evaluations, converged: false };
}

interface Vertex {
  x: number[];
  value: number;
}

/**
 * One Nelder–Mead run with the dimension-adaptive coefficients of Gao & Han (2012,
 * Comput. Optim. Appl. 51:259–277), which keep the method effective beyond 2–3 dimensions.
 */
function nelderMead(
  evaluate: (x: readonly number[]) => number,
  start: readonly number[],
  settings: Required<MinimizeOptions>,
  budget: number,
): Vertex & { iterations: number; converged: boolean } {
  const dimension = start.length;
  const reflection = 1;
  const expansion = 1 + 2 / dimension;
  const contraction = 0.75 - 1 / (2 * dimension);
  const shrinkage = 1 - 1 / dimension;

  const simplex: Vertex[] = [{ x: [...start], value: evaluate(start) }];
  for (let i = 0; i < dimension; i++) {
    const x = [...start];
    x[i]! += settings.initialStep;
    simplex.push({ x, value: evaluate(x) });
  }
  const along = (from: readonly number[], to: readonly number[], factor: number): number[] =>
    from.map((value, i) => value + factor * (to[i]! - value));
  const vertex = (x: number[]): Vertex => ({ x, value: evaluate(x) });

  let iterations = 0;
  for (;;) {
    simplex.sort((p, q) => p.value - q.value);
    const best = simplex[0]!;
    const worst = simplex[dimension]!;
    if (hasConverged(simplex, settings)) return { ...best, iterations, converged: true };
    if (iterations >= budget) return { ...best, iterations, converged: false };
    iterations++;

    const centroid = new Array<number>(dimension).fill(0);
    for (let j = 0; j < dimension; j++) {
      for (let i = 0; i < dimension; i++) centroid[i]! += simplex[j]!.x[i]! / dimension;
    }
    const reflected = vertex(along(centroid, worst.x, -reflection));
    if (reflected.value < best.value) {
      const expanded = vertex(along(centroid, reflected.x, expansion));
      simplex[dimension] = expanded.value < reflected.value ? expanded : reflected;
      continue;
    }
    if (reflected.value < simplex[dimension - 1]!.value) {
      simplex[dimension] = reflected;
      continue;
    }
    const outside = reflected.value < worst.value;
    const contracted = vertex(along(centroid, outside ? reflected.x : worst.x, contraction));
    if (contracted.value < (outside ? reflected.value : worst.value)) {
      simplex[dimension] = contracted;
      continue;
    }
    for (let i = 1; i <= dimension; i++) simplex[i] = vertex(along(best.x, simplex[i]!.x, shrinkage));
  }
}

function hasConverged(sortedSimplex: readonly Vertex[], settings: Required<MinimizeOptions>): boolean {
  const best = sortedSimplex[0]!;
  const worst = sortedSimplex[sortedSimplex.length - 1]!;
  if (!(worst.value - best.value <= settings.fTolerance * Math.max(1, Math.abs(best.value)))) return false;
  return sortedSimplex.every((vertex) => vertex.x.every((value, i) => Math.abs(value - best.x[i]!) <= settings.xTolerance));
}
