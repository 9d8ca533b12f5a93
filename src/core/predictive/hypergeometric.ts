/**
 * The Gaussian hypergeometric function 2F1(a, b; c; z) for real arguments and z < 1.
 *
 * The power series Σ (a)ₙ(b)ₙ / ((c)ₙ n!) zⁿ converges for |z| < 1, but slowly near z = 1 and
 * not at all for z ≤ −1. So:
 *  - z < 0 is first mapped into (0, 1) by Pfaff's transformation (A&S 15.3.4);
 *  - 0 ≤ z ≤ 0.9 is summed directly;
 *  - z > 0.9 uses the connection formula in 1 − z (A&S 15.3.6), or its limiting forms with
 *    logarithms (A&S 15.3.10–15.3.12) when c − a − b is an integer.
 * Accuracy is about 1e-14 relative, except when z > 0.9 and c − a − b lies within d of an
 * integer: the connection formula then loses digits (about 1e-16 / d relative), so for
 * d < 1e-3 the series is summed directly while that is still cheap (z ≤ 0.999), and for
 * d < 1e-9 c − a − b is taken as the integer (an error of order d).
 * A series that has not converged within the term budget throws instead of returning garbage.
 */
import { digamma, gammaSign, isNonPositiveInteger, lgamma } from './special-functions.js';

export interface Hyp2f1Options {
  /** Maximum number of terms of any one power series (default 1,000,000). */
  maxTerms?: number;
}

const RELATIVE_TOLERANCE = 1e-16;
const DEFAULT_MAX_TERMS = 1_000_000;
/** Up to here the direct series needs at most ~350 terms (plus a parameter-dependent start). */
const DIRECT_SERIES_LIMIT = 0.9;
/** c − a − b closer than this to an integer is treated as that integer (A&S 15.3.10–15.3.12). */
const INTEGER_GAP_SNAP = 1e-9;
/** c − a − b closer than this to an integer makes A&S 15.3.6 cancel badly: prefer the series. */
const NEAR_INTEGER_GAP = 1e-3;
const NEAR_INTEGER_SERIES_LIMIT = 0.999;

export function hyp2f1(a: number, b: number, c: number, z: number, options: Hyp2f1Options = {}): number {
  for (const [name, value] of [['a', a], ['b', b], ['c', c], ['z', z]] as const) {
    if (!Number.isFinite(value)) throw new RangeError(`hyp2f1: ${name} must be a finite number, got ${value}`);
  }
  if (z >= 1) {
    throw new RangeError(`hyp2f1: z must be < 1 (the series diverges and 2F1 is multivalued beyond), got z = ${z}`);
  }
  if (isNonPositiveInteger(c)) throw new RangeError(`hyp2f1: c must not be 0, -1, -2, … (got c = ${c})`);
  const maxTerms = options.maxTerms ?? DEFAULT_MAX_TERMS;

  if (z >= 0 || isNonPositiveInteger(a) || isNonPositiveInteger(b)) return onUnitInterval(a, b, c, z, maxTerms);
  // Pfaff (A&S 15.3.4): 2F1(a, b; c; z) = (1 − z)^−a 2F1(a, c − b; c; z / (z − 1)).
  return Math.pow(1 - z, -a) * onUnitInterval(a, c - b, c, z / (z - 1), maxTerms);
}

/** 2F1 for 0 ≤ z < 1 (or any z < 1 when the series terminates). */
function onUnitInterval(a: number, b: number, c: number, z: number, maxTerms: number): number {
  if (z <= DIRECT_SERIES_LIMIT || isNonPositiveInteger(a) || isNonPositiveInteger(b)) {
    return powerSeries(a, b, c, z, maxTerms);
  }
  const gap = c - a - b;
  const nearestInteger = Math.round(gap);
  const distance = Math.abs(gap - nearestInteger);
  if (distance < INTEGER_GAP_SNAP) return integerGapConnection(a, b, nearestInteger, z, maxTerms);
  if (distance < NEAR_INTEGER_GAP && z <= NEAR_INTEGER_SERIES_LIMIT) return powerSeries(a, b, c, z, maxTerms);
  return generalConnection(a, b, c, z, maxTerms);
}

/**
 * Σ (a)ₙ(b)ₙ / ((c)ₙ n!) zⁿ, stopped when a bound on the whole remaining tail (not just the
 * last term) is below the tolerance: near |z| = 1 the tail is much larger than one term.
 */
function powerSeries(a: number, b: number, c: number, z: number, maxTerms: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (term === 0) return sum;
    if (!Number.isFinite(sum)) throw overflowError(a, b, c, z);
    const ratioBound = tailRatioBound(a, b, c, z, n + 1);
    if (ratioBound < 1 && (Math.abs(term) * ratioBound) / (1 - ratioBound) <= RELATIVE_TOLERANCE * Math.abs(sum)) {
      return sum;
    }
  }
  throw new Error(
    `hyp2f1: power series did not converge within ${maxTerms} terms (a = ${a}, b = ${b}, c = ${c}, z = ${z})`,
  );
}

/**
 * An upper bound of |termₖ₊₁ / termₖ| for all k ≥ n, or Infinity if none is known yet.
 * The ratio is z · (k + a)/(k + 1) · (k + b)/(k + c); each factor is a Möbius function of k,
 * monotone beyond its pole and tending to 1, so over k ≥ n it stays between its value at n and 1.
 */
function tailRatioBound(a: number, b: number, c: number, z: number, n: number): number {
  if (n + c <= 0) return Number.POSITIVE_INFINITY;
  return Math.abs(z) * Math.max(Math.abs((n + a) / (n + 1)), 1) * Math.max(Math.abs((n + b) / (n + c)), 1);
}

function overflowError(a: number, b: number, c: number, z: number): Error {
  return new RangeError(`hyp2f1: the value overflows a double (a = ${a}, b = ${b}, c = ${c}, z = ${z})`);
}

/** Γ(n₁)…Γ(nₖ) / (Γ(d₁)…Γ(dₘ)) as sign and log of the absolute value; zero if a dᵢ is a pole. */
function gammaRatio(numerators: number[], denominators: number[]): { sign: number; log: number } {
  if (denominators.some(isNonPositiveInteger)) return { sign: 0, log: Number.NEGATIVE_INFINITY };
  let sign = 1;
  let log = 0;
  for (const x of numerators) {
    sign *= gammaSign(x);
    log += lgamma(x);
  }
  for (const x of denominators) {
    sign *= gammaSign(x);
    log -= lgamma(x);
  }
  return { sign, log };
}

/**
 * A&S 15.3.6, c − a − b = s not an integer:
 * 2F1(a,b;c;z) = Γ(c)Γ(s)/(Γ(c−a)Γ(c−b)) 2F1(a,b;1−s;1−z)
 *              + (1−z)^s Γ(c)Γ(−s)/(Γ(a)Γ(b)) 2F1(c−a,c−b;1+s;1−z).
 */
function generalConnection(a: number, b: number, c: number, z: number, maxTerms: number): number {
  const gap = c - a - b;
  const y = 1 - z;
  let value = 0;
  const first = gammaRatio([c, gap], [c - a, c - b]);
  if (first.sign !== 0) value += first.sign * Math.exp(first.log) * powerSeries(a, b, 1 - gap, y, maxTerms);
  const second = gammaRatio([c, -gap], [a, b]);
  if (second.sign !== 0) {
    value += second.sign * Math.exp(gap * Math.log(y) + second.log) * powerSeries(c - a, c - b, 1 + gap, y, maxTerms);
  }
  if (!Number.isFinite(value)) throw overflowError(a, b, c, z);
  return value;
}

/**
 * 2F1(a, b; a + b + m; z) for an integer m, A&S 15.3.10 (m = 0) and 15.3.11 (m > 0):
 *   Γ(m)Γ(c)/(Γ(a+m)Γ(b+m)) Σₙ₌₀^{m−1} (a)ₙ(b)ₙ/(n!(1−m)ₙ) (1−z)ⁿ
 *   − (z−1)^m Γ(c)/(Γ(a)Γ(b)) Σₙ≥₀ (a+m)ₙ(b+m)ₙ/(n!(n+m)!) (1−z)ⁿ
 *       × [ln(1−z) − ψ(n+1) − ψ(n+m+1) + ψ(a+n+m) + ψ(b+n+m)].
 * m < 0 (A&S 15.3.12) is reduced to −m > 0 by Euler's transformation (A&S 15.3.3).
 */
function integerGapConnection(a: number, b: number, m: number, z: number, maxTerms: number): number {
  const c = a + b + m;
  const y = 1 - z;
  if (m < 0) return Math.pow(y, m) * onUnitInterval(c - a, c - b, c, z, maxTerms);

  let finiteSum = 0;
  const finiteScale = gammaRatio([m, c], [a + m, b + m]);
  if (m > 0 && finiteScale.sign !== 0) {
    let term = 1;
    finiteSum = 1;
    for (let n = 0; n < m - 1; n++) {
      term *= (((a + n) * (b + n)) / ((n + 1) * (1 - m + n))) * y;
      finiteSum += term;
    }
    finiteSum *= finiteScale.sign * Math.exp(finiteScale.log);
  }

  const logY = Math.log(y);
  let psiN1 = digamma(1);
  let psiNM1 = digamma(m + 1);
  let psiANM = digamma(a + m);
  let psiBNM = digamma(b + m);
  let term = 1; // (a+m)ₙ(b+m)ₙ/(n!(n+m)!) yⁿ without the 1/m! taken out into the scale
  let logSum = 0;
  let converged = false;
  for (let n = 0; n < maxTerms; n++) {
    const contribution = term * (logY - psiN1 - psiNM1 + psiANM + psiBNM);
    logSum += contribution;
    if (!Number.isFinite(logSum)) throw overflowError(a, b, c, z);
    const ratioBound = tailRatioBound(a + m, b + m, m + 1, y, n + 1);
    // The bracket grows only logarithmically; a factor 2 covers it.
    if (ratioBound < 1 && (2 * Math.abs(contribution) * ratioBound) / (1 - ratioBound) <= RELATIVE_TOLERANCE * Math.abs(logSum)) {
      converged = true;
      break;
    }
    term *= (((a + m + n) * (b + m + n)) / ((n + 1) * (n + m + 1))) * y;
    psiN1 += 1 / (n + 1);
    psiNM1 += 1 / (n + m + 1);
    psiANM += 1 / (a + n + m);
    psiBNM += 1 / (b + n + m);
  }
  if (!converged) {
    throw new Error(
      `hyp2f1: logarithmic series did not converge within ${maxTerms} terms (a = ${a}, b = ${b}, c = ${c}, z = ${z})`,
    );
  }
  const logScale = gammaRatio([c], [a, b, m + 1]);
  const logPart = (m % 2 === 0 ? 1 : -1) * logScale.sign * Math.exp(m * logY + logScale.log) * logSum;
  return finiteSum - logPart;
}
