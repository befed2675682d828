import { criticalCount, scaleToDecide } from './binomial-mixture.js';
import { type ComparisonResult, capRatio, MAX_RATIO, type Verdict } from './comparison-result.js';
import { type Bucket, type Histogram, quantile, toHistogram, valueAtRank } from './histogram.js';

export interface LatencyInput {
  /** Cumulative buckets since the analysis began, one list per arm (any unit, the same for both). */
  readonly canary: readonly Bucket[];
  readonly baseline: readonly Bucket[];
  /** The quantile compared, e.g. 0.95. */
  readonly quantile: number;
  /** Acceptable relative increase of the canary's quantile: 0.25 = up to 1.25× the baseline's. */
  readonly tolerance: number;
  readonly alpha: number;
}

/**
 * Canary vs baseline latency quantile, anytime-valid, from histogram buckets.
 *
 * Each arm gets a time-uniform confidence sequence for its q-quantile Q, after Howard & Ramdas, "Sequential
 * estimation of quantiles with applications to A/B-testing and best-arm identification" (Bernoulli, 2022): the
 * count of events ≤ t is Binomial(n, F(t)), so "Q ≤ t" is confirmed once the count below t rejects F(t) ≤ q
 * (binomial-mixture.ts), and "Q ≥ t" once it rejects F(t) ≥ q. The smallest such t is an upper bound on Q, the
 * largest a lower bound, both valid at every look. Then
 *
 *   fail  when  canary_lower / baseline_upper > 1 + tolerance   (the canary's quantile is confidently too high),
 *   pass  when  canary_upper / baseline_lower < 1 + tolerance,
 *
 * each bound at alpha/2, so each verdict's error is ≤ alpha by a union bound. A platform-wide slowdown moves both
 * arms and never fails the canary. Values inside a bucket are interpolated linearly, as `histogram_quantile`
 * does: the verdicts are as fine as the buckets (the builtin provider has about ten per decade).
 */
export function compareLatency(input: LatencyInput): ComparisonResult {
  const canary = toHistogram(input.canary);
  const baseline = toHistogram(input.baseline);
  const q = input.quantile;
  const arms = {
    canary: { events: canary.total, value: finite(quantile(canary, q)) },
    baseline: { events: baseline.total, value: finite(quantile(baseline, q)) },
  };
  if (canary.total === 0 || baseline.total === 0) {
    return { verdict: 'undecided', ...arms, ratio: 1, lower: 0, upper: MAX_RATIO };
  }
  const rho0 = 1 + input.tolerance;
  const { verdict, lower, upper } = assess(canary, baseline, q, rho0, input.alpha);
  const ratio = arms.baseline.value > 0 ? capRatio(arms.canary.value / arms.baseline.value) : MAX_RATIO;
  const result = { verdict, ...arms, ratio, lower, upper };
  if (verdict !== 'undecided') return result;
  const k = scaleToDecide((f) => assess(canary, baseline, q, rho0, input.alpha, f).verdict !== 'undecided');
  return k === undefined ? result : { ...result, neededEvents: Math.ceil(canary.total * (k - 1)) };
}

/** The verdict alone (no estimate of the events needed). */
export function latencyVerdict(input: LatencyInput): Verdict {
  const canary = toHistogram(input.canary);
  const baseline = toHistogram(input.baseline);
  if (canary.total === 0 || baseline.total === 0) return 'undecided';
  return assess(canary, baseline, input.quantile, 1 + input.tolerance, input.alpha).verdict;
}

/** `scale` > 1 asks "with `scale` times as many events distributed the same way" (for neededEvents). */
function assess(
  canary: Histogram,
  baseline: Histogram,
  q: number,
  rho0: number,
  alpha: number,
  scale = 1,
): { verdict: Verdict; lower: number; upper: number } {
  const c = quantileBounds(canary, q, alpha / 2, scale);
  const b = quantileBounds(baseline, q, alpha / 2, scale);
  const lower = b.upper === Number.POSITIVE_INFINITY || b.upper === 0 ? 0 : capRatio(c.lower / b.upper);
  const upper = b.lower <= 0 ? MAX_RATIO : capRatio(c.upper / b.lower);
  const verdict: Verdict = lower > rho0 ? 'fail' : upper < rho0 ? 'pass' : 'undecided';
  return { verdict, lower, upper };
}

/**
 * Time-uniform bounds on the q-quantile: [0, Infinity] while the data cannot bound it. With `scale`, the bounds
 * the same histogram would give with `scale` times its counts (ranks scale, the shape does not).
 */
export function quantileBounds(
  h: Histogram,
  q: number,
  alpha: number,
  scale = 1,
): { lower: number; upper: number } {
  // The largest count below t that still confirms F(t) < q, and the smallest that confirms F(t) > q.
  const below = criticalCount(h.total * scale, q, 'less', alpha) / scale;
  const above = criticalCount(h.total * scale, q, 'greater', alpha) / scale;
  const lower = below === Number.NEGATIVE_INFINITY ? 0 : valueAtRank(h, below, 'finite');
  const upper =
    above === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : valueAtRank(h, above, 'infinite');
  return { lower, upper };
}

function finite(v: number): number {
  return Number.isFinite(v) ? v : 0;
}
