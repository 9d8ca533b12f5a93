/**
 * Standard errors of maximum-likelihood estimates from the observed information: the inverse
 * of the Hessian of the negative log-likelihood at the estimate (e.g. Pawitan, "In All
 * Likelihood", §2.7 and §3.2).
 */

/** Relative step of the central differences: truncation ~h², rounding ~1e-16/h in the gradient. */
const STEP = 1e-5;

/**
 * The standard error of each θᵢ for a fit over uᵢ = ln θᵢ, given the gradient of the *total*
 * negative log-likelihood with respect to u. The Hessian in u comes from central differences
 * of that gradient; since ∂²f/∂uᵢ∂uⱼ = θᵢθⱼ ∂²f/∂θᵢ∂θⱼ + [i = j] ∂f/∂uᵢ, the information in θ
 * is D⁻¹(H_u − diag ∇_u f)D⁻¹ with D = diag θ, so Var θᵢ = θᵢ² [(H_u − diag ∇_u f)⁻¹]ᵢᵢ.
 * Undefined when that matrix is not positive definite: the estimate is then not a strict
 * maximum (a flat ridge), and its parameters are not identified by the data.
 */
export function standardErrorsOfLogFit(gradient: (u: readonly number[]) => number[], u: readonly number[]): number[] | undefined {
  const n = u.length;
  const atEstimate = gradient(u);
  const columns = u.map((_, j) => {
    const shifted = (sign: number) => gradient(u.map((v, k) => (k === j ? v + sign * STEP : v)));
    const [plus, minus] = [shifted(1), shifted(-1)];
    return plus.map((v, i) => (v - minus[i]!) / (2 * STEP));
  });
  const information = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (columns[j]![i]! + columns[i]![j]!) / 2 - (i === j ? atEstimate[i]! : 0)),
  );
  const varianceDiagonal = inverseDiagonal(information);
  if (!varianceDiagonal || varianceDiagonal.some((v) => !(Number.isFinite(v) && v > 0))) return undefined;
  return varianceDiagonal.map((variance, i) => Math.exp(u[i]!) * Math.sqrt(variance));
}

/**
 * A Cholesky pivot below this fraction of its diagonal entry means M is singular up to rounding
 * (its inverse would be rounding noise).
 */
const SINGULAR_PIVOT = 1e-10;

/** diag(M⁻¹) of a symmetric positive definite M through its Cholesky factor L; undefined if M is not (numerically) positive definite. */
export function inverseDiagonal(matrix: readonly (readonly number[])[]): number[] | undefined {
  const n = matrix.length;
  const lower = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i]![j]!;
      for (let k = 0; k < j; k++) sum -= lower[i]![k]! * lower[j]![k]!;
      if (i === j) {
        if (!(sum > SINGULAR_PIVOT * Math.abs(matrix[i]![i]!))) return undefined;
        lower[i]![i] = Math.sqrt(sum);
      } else {
        lower[i]![j] = sum / lower[j]![j]!;
      }
    }
  }
  // M⁻¹ = L⁻ᵀL⁻¹, so (M⁻¹)ᵢᵢ is the squared norm of column i of L⁻¹.
  const diagonal = new Array<number>(n).fill(0);
  for (let column = 0; column < n; column++) {
    const solution = new Array<number>(n).fill(0);
    for (let i = column; i < n; i++) {
      let sum = i === column ? 1 : 0;
      for (let k = column; k < i; k++) sum -= lower[i]![k]! * solution[k]!;
      solution[i] = sum / lower[i]![i]!;
      diagonal[column]! += solution[i]! ** 2;
    }
  }
  return diagonal;
}
