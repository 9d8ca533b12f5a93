/**
 * Maximum-likelihood fitting of a model with positive parameters, shared by the models: the
 * search runs over the parameters' logarithms (so they stay positive), on the mean
 * log-likelihood per customer (so tolerances mean the same whatever the number of customers).
 */
import { minimize } from './optimize.js';
import { minimizeWithGradient } from './quasi-newton.js';
import { standardErrorsOfLogFit } from './standard-errors.js';

export interface MaximumLikelihoodFit<Params> {
  params: Params;
  logLikelihood: number;
  converged: boolean;
  /** Why the optimiser stopped (e.g. 'gradient below tolerance'). */
  stop: string;
  iterations: number;
  /**
   * From the observed information; undefined for a fit that did not converge (nothing publishes
   * those: away from the maximum they mean nothing) or where the information is not positive
   * definite (a flat ridge: parameters not identified).
   */
  standardErrors: Params | undefined;
  /** The BFGS iterate before the last and its log-likelihood: a flat-ridge check compares predictions at both. */
  previous?: { params: Params; logLikelihood: number };
}

export interface MaximumLikelihoodOptions {
  /** Iteration budget (default 200 for BFGS; Nelder–Mead's default is the caller's). */
  maxIterations?: number;
  /**
   * 'bfgs' (default): quasi-Newton on the analytic gradient, stopping when the gradient of the
   * mean log-likelihood is below GRADIENT_TOLERANCE in every log-parameter. 'nelder-mead': the gradient-free
   * search used before, kept as the benchmark's baseline (no standard errors).
   */
  optimizer?: 'bfgs' | 'nelder-mead';
}

/**
 * BFGS stops when no component of the mean log-likelihood's gradient in the log-parameters
 * exceeds this. Near the maximum the total log-likelihood is then within about
 * N·g²/(2λ) of it (λ the Hessian's smallest eigenvalue per customer, ~1e-3 on CDNOW-like data):
 * ~5e-10 for a million customers, while their gradient is still far above its rounding (~1e-15).
 */
const GRADIENT_TOLERANCE = 1e-11;

/** Σ weight · ln L at the parameters, and its gradient in the order of the parameter names. */
export type LogLikelihoodAndGradient<Params> = (params: Params) => { value: number; gradient: number[] };

export function maximizeLikelihood<Name extends string>(
  names: readonly Name[],
  logLikelihood: LogLikelihoodAndGradient<Record<Name, number>>,
  start: Record<Name, number>,
  totalWeight: number,
  options: MaximumLikelihoodOptions & { nelderMeadIterations: number },
): MaximumLikelihoodFit<Record<Name, number>> {
  const fromLog = (u: readonly number[]) => Object.fromEntries(names.map((name, i) => [name, Math.exp(u[i]!)])) as Record<Name, number>;
  // The negative log-likelihood and its gradient in u = ln θ (∂/∂uᵢ = θᵢ ∂/∂θᵢ), times `scale`.
  const negativeInLog = (u: readonly number[], scale: number) => {
    const params = fromLog(u);
    const { value, gradient } = logLikelihood(params);
    return { value: -value * scale, gradient: gradient.map((g, i) => -g * params[names[i]!] * scale) };
  };
  const perCustomer = 1 / totalWeight;
  const startLog = names.map((name) => Math.log(start[name]));
  if (options.optimizer === 'nelder-mead') {
    const result = minimize((u) => negativeInLog(u, perCustomer).value, startLog, {
      maxIterations: options.maxIterations ?? options.nelderMeadIterations,
      xTolerance: 1e-7,
      fTolerance: 1e-13,
    });
    const params = fromLog(result.x);
    return {
      params,
      logLikelihood: logLikelihood(params).value,
      converged: result.converged,
      stop: result.converged ? 'simplex converged' : 'iteration budget exhausted',
      iterations: result.iterations,
      standardErrors: undefined,
    };
  }
  const result = minimizeWithGradient((u) => negativeInLog(u, perCustomer), startLog, {
    maxIterations: options.maxIterations ?? 200,
    gradientTolerance: GRADIENT_TOLERANCE,
  });
  const params = fromLog(result.x);
  const errors = result.converged ? standardErrorsOfLogFit((u) => negativeInLog(u, 1).gradient, result.x) : undefined;
  return {
    params,
    logLikelihood: logLikelihood(params).value,
    converged: result.converged,
    stop: result.stop,
    iterations: result.iterations,
    standardErrors: errors && fromLog(errors.map(Math.log)),
    previous: result.previous && { params: fromLog(result.previous.x), logLikelihood: -result.previous.value * totalWeight },
  };
}
