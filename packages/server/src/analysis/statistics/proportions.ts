import { logEValue, proportionBound, scaleToReject } from './binomial-mixture.js';
import { type ComparisonResult, capRatio, MAX_RATIO, type Verdict } from './comparison-result.js';

/** Beyond this many times the data seen so far, "no verdict in sight" rather than a number. */
const MAX_SCALE = 10_000;

export interface ArmCounts {
  /** Events (requests, deposits) in the arm since the analysis began. */
  readonly events: number;
  readonly failures: number;
}

export interface ProportionsInput {
  readonly canary: ArmCounts;
  readonly baseline: ArmCounts;
  /** Acceptable relative increase of the canary's failure rate: 0.25 = up to 1.25× the baseline's. */
  readonly tolerance: number;
  /** False-alarm probability over the whole run, however often it is checked. */
  readonly alpha: number;
}

/**
 * Canary vs baseline failure rates, anytime-valid (checked every few seconds without inflating false alarms).
 *
 * Method: condition on the total number of failures. With failures rare and each arm's failures a thinned
 * Poisson process, given X = x_c + x_b failures the canary's share x_c is Binomial(X, θ) with
 * θ = n_c·ρ / (n_c·ρ + n_b), ρ = the rate ratio p_c / p_b. "The canary is within tolerance" (ρ ≤ 1 + tolerance)
 * is then a one-sided null on a binomial proportion, tested with the mixture e-value of binomial-mixture.ts; the
 * opposite one-sided test gives `pass`. This is the construction of Lindon & Malek, "Anytime-valid inference for
 * multinomial count data" (NeurIPS 2022), for two Poisson counting processes, with a one-sided mixture instead of
 * their Dirichlet one so that it tests a tolerance rather than equality. Two approximations, both conservative or
 * negligible here: the exact conditional law is hypergeometric (less spread than the binomial), and θ0 uses the
 * exposures observed so far, which is exact when the traffic split is constant during the run (a step's analysis).
 *
 * @example
 * compareProportions({ canary: { events: 300, failures: 9 }, baseline: { events: 5700, failures: 28 },
 *   tolerance: 0.25, alpha: 0.01 }).verdict; // 'fail'
 */
export function compareProportions(input: ProportionsInput): ComparisonResult {
  const { canary, baseline, tolerance, alpha } = input;
  const nc = Math.max(0, canary.events);
  const nb = Math.max(0, baseline.events);
  const xc = clampCount(canary.failures, nc);
  const xb = clampCount(baseline.failures, nb);
  const arms = {
    canary: { events: nc, value: nc > 0 ? xc / nc : 0 },
    baseline: { events: nb, value: nb > 0 ? xb / nb : 0 },
  };
  if (nc === 0 || nb === 0) return { verdict: 'undecided', ...arms, ratio: 1, lower: 0, upper: MAX_RATIO };

  const rho0 = 1 + tolerance;
  const verdict = decide(xc, xb, nc, nb, rho0, alpha);
  const total = xc + xb;
  // θ ↔ ρ: odds(θ) = ρ · n_c / n_b.
  const toRatio = (theta: number) => capRatio((theta / (1 - theta)) * (nb / nc));
  const lower = total > 0 ? toRatio(proportionBound(xc, total, 'greater', alpha)) : 0;
  const upper = total > 0 ? toRatio(proportionBound(xc, total, 'less', alpha)) : MAX_RATIO;
  // Half a failure added to each arm keeps the estimate finite when one arm has none yet.
  const ratio = capRatio((xc + 0.5) / nc / ((xb + 0.5) / nb));
  const result = { verdict, ...arms, ratio, lower, upper };
  if (verdict !== 'undecided' || total === 0) return result;

  // "If the current rates persist": more of the same data until either one-sided test decides (the share θ0
  // does not change when every count grows by the same factor).
  const theta0 = (nc * rho0) / (nc * rho0 + nb);
  const k = Math.min(
    scaleToReject(xc, total, theta0, 'greater', alpha),
    scaleToReject(xc, total, theta0, 'less', alpha),
  );
  return Number.isFinite(k) && k <= MAX_SCALE ? { ...result, neededEvents: Math.ceil(nc * (k - 1)) } : result;
}

/** The verdict alone (no bounds, no estimate of the events needed): cheap enough to call at every event. */
export function proportionsVerdict(input: ProportionsInput): Verdict {
  const { canary, baseline } = input;
  if (!(canary.events > 0) || !(baseline.events > 0)) return 'undecided';
  const xc = clampCount(canary.failures, canary.events);
  const xb = clampCount(baseline.failures, baseline.events);
  return decide(xc, xb, canary.events, baseline.events, 1 + input.tolerance, input.alpha);
}

function decide(xc: number, xb: number, nc: number, nb: number, rho0: number, alpha: number): Verdict {
  const total = xc + xb;
  if (total <= 0) return 'undecided';
  const theta0 = (nc * rho0) / (nc * rho0 + nb);
  const threshold = Math.log(1 / alpha);
  if (logEValue(xc, total, theta0, 'greater') >= threshold) return 'fail';
  if (logEValue(xc, total, theta0, 'less') >= threshold) return 'pass';
  return 'undecided';
}

function clampCount(x: number, n: number): number {
  return Math.min(Math.max(0, Number.isFinite(x) ? x : 0), n);
}
