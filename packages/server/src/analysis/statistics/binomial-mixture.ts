/**
 * The one primitive every Pitboss comparison reduces to: an anytime-valid test of a binomial proportion.
 *
 * For `x` successes in `n` trials and a null proportion `θ0`, the e-value against H0: θ ≤ θ0 (`side` 'greater')
 * is a mixture of likelihood ratios over alternatives θ_k > θ0,
 *
 *   E = Σ_k w_k (θ_k/θ0)^x ((1−θ_k)/(1−θ0))^(n−x),   odds(θ_k) = odds(θ0) · r_k,   Σ_k w_k = 1,
 *
 * a nonnegative supermartingale under every θ ≤ θ0 (each factor has expectation ≤ 1 per trial there), so by
 * Ville's inequality P(sup_n E ≥ 1/α) ≤ α: the test may be looked at after every trial, forever, and its false
 * alarm probability stays ≤ α. This is Robbins' method of mixtures as used for the mixture SPRT of Johari et al.,
 * "Always valid inference: continuous monitoring of A/B tests" (Operations Research, 2022), and the
 * conjugate-mixture boundaries of Howard et al., "Time-uniform, nonparametric, nonasymptotic confidence sequences"
 * (Annals of Statistics, 2021). The mixing distribution is a fixed grid of odds ratios instead of a Beta prior:
 * the composite one-sided null needs alternatives on one side only, and the grid keeps every term in closed
 * form. Most weight sits on 1.5×–8× (a release that breaks something is several times worse, and a rollback
 * must be fast: the detection benchmark moved the median time to roll back a 6× deposit-failure regression on a
 * 5 % canary from ~80 s with uniform weights to ~70 s); a little sits on 1.03×–1.25× so that bounds keep
 * narrowing on long runs, and on 13×–21× for outright breakage. Any fixed weights keep the guarantee.
 *
 * Checking at arbitrary times (a subset of the trials) keeps the guarantee; so does feeding cumulative counts,
 * because E is a function of (x, n) only.
 */

/** Odds-ratio alternatives of the mixture and their weights (summing to 1). */
const GRID: readonly number[] = [1.03, 1.06, 1.1, 1.25, 1.5, 2, 3, 5, 8, 13, 21];
const WEIGHTS: readonly number[] = [0.02, 0.02, 0.03, 0.05, 0.1, 0.16, 0.2, 0.2, 0.12, 0.06, 0.04];
const LOG_W = Float64Array.from(WEIGHTS, (w) => Math.log(w));
const EPS = 1e-12;

export type Side = 'greater' | 'less';

/**
 * Log of the mixture e-value against H0: θ ≤ θ0 (`greater`) or θ ≥ θ0 (`less`). `x` and `n` may be fractional
 * (counts interpolated from histogram buckets). Reject H0 at level α when it is ≥ ln(1/α).
 */
export function logEValue(x: number, n: number, theta0: number, side: Side): number {
  if (!(n > 0)) return 0;
  prepare(theta0, side);
  return mixtureAt(Math.min(Math.max(x, 0), n), n);
}

/*
 * Per alternative k the log e-value is x·d_k + n·b_k: with odds(θ_k) = odds(θ0)·r_k, one success adds d_k + b_k
 * and one failure b_k, where d_k = ±ln r_k and b_k = ln((1 + o0) / (1 + o0·r_k)). `prepare` fills them for one
 * null into scratch arrays (no allocation: simulations and the benchmark call this millions of times).
 */
const LOG_GRID = GRID.map((r) => Math.log(r));
const D_GREATER = Float64Array.from(LOG_GRID);
const D_LESS = Float64Array.from(LOG_GRID, (v) => -v);
const B_GREATER = new Float64Array(GRID.length);
const B_LESS = new Float64Array(GRID.length);
// The null prepared for each side (Newton searches alternate sides with the same θ0: keep both).
const prepared = { greater: Number.NaN, less: Number.NaN };
let D = D_GREATER;
let B = B_GREATER;
/** Slope of the last mixtureAt (in x) or nullAt (in ℓ), for Newton. */
let lastSlope = 0;

function prepare(theta0: number, side: Side): void {
  const greater = side === 'greater';
  D = greater ? D_GREATER : D_LESS;
  B = greater ? B_GREATER : B_LESS;
  if (prepared[side] === theta0) return;
  const t0 = clamp(theta0);
  const odds0 = t0 / (1 - t0);
  const log1pOdds0 = Math.log1p(odds0);
  for (let i = 0; i < GRID.length; i++) {
    B[i] = log1pOdds0 - Math.log1p(greater ? odds0 * GRID[i]! : odds0 / GRID[i]!);
  }
  prepared[side] = theta0;
}

/**
 * The log e-value at x successes of n for the prepared null (its derivative in x goes to `lastSlope`). Each
 * term is linear in x, so the log e-value is a log-sum-exp of linear functions: convex in x, which lets
 * Newton's method find critical counts.
 */
function mixtureAt(x: number, n: number): number {
  let max = Number.NEGATIVE_INFINITY;
  const len = D.length;
  for (let i = 0; i < len; i++) {
    const v = x * D[i]! + n * B[i]! + LOG_W[i]!;
    if (v > max) max = v;
  }
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < len; i++) {
    const w = Math.exp(x * D[i]! + n * B[i]! + LOG_W[i]! - max);
    sum += w;
    weighted += w * D[i]!;
  }
  lastSlope = weighted / sum;
  return max + Math.log(sum);
}

/** True when the data reject H0 (θ ≤ θ0 for `greater`, θ ≥ θ0 for `less`) at level `alpha`. */
export function rejects(x: number, n: number, theta0: number, side: Side, alpha: number): boolean {
  return logEValue(x, n, theta0, side) >= Math.log(1 / alpha);
}

/**
 * The anytime-valid confidence bound on θ for one side: for `greater`, the largest θ0 whose "θ ≤ θ0" is still
 * rejected (a lower bound, 0 when none is); for `less`, the smallest θ0 whose "θ ≥ θ0" is rejected (an upper
 * bound, 1 when none is). Each holds at every n with probability ≥ 1 − alpha.
 */
export function proportionBound(x: number, n: number, side: Side, alpha: number): number {
  const c = Math.log(1 / alpha);
  const k = Math.min(Math.max(x, 0), n);
  const greater = side === 'greater';
  // g(ℓ) = log e-value at the null θ0 = σ(ℓ) minus the threshold: monotone in ℓ (decreasing for `greater`,
  // increasing for `less`). Safeguarded Newton on the log-odds, keeping a bracket [rejecting, not rejecting].
  const g = (l: number) => nullAt(k, n, l, side) - c;
  let yes = greater ? -40 : 40; // rejects
  if (!(n > 0) || g(yes) < 0) return greater ? 0 : 1;
  const p = Math.min(Math.max(k / n, 1e-12), 1 - 1e-12);
  let no = Math.log(p) - Math.log1p(-p); // the estimate itself never rejects (e-value ≤ 1 there)
  if (g(no) >= 0) no = greater ? 40 : -40;
  let l = no;
  let value = g(l);
  let slope = lastSlope;
  // 1e-7 in log-odds: ratio bounds to seven digits, far finer than any message shows.
  for (let i = 0; i < 60 && Math.abs(yes - no) > 1e-7; i++) {
    let next = l - value / slope;
    // Outside the bracket (or a flat spot): bisect instead.
    if (!(next > Math.min(yes, no) && next < Math.max(yes, no))) next = (yes + no) / 2;
    const v = g(next);
    if (v >= 0) yes = next;
    else no = next;
    if (Math.abs(next - l) < 1e-8) break;
    l = next;
    value = v;
    slope = lastSlope;
  }
  return logistic(yes);
}

/**
 * The log e-value as a function of the null's log-odds ℓ (its derivative in ℓ goes to `lastSlope`): each term
 * is x·d_k + n·(softplus(ℓ) − softplus(ℓ + d_k)), whose derivative is n·(θ0 − θ_k).
 */
function nullAt(x: number, n: number, l: number, side: Side): number {
  const sign = side === 'greater' ? 1 : -1;
  const theta0 = logistic(l);
  const sp0 = softplus(l);
  let max = Number.NEGATIVE_INFINITY;
  const len = LOG_GRID.length;
  for (let i = 0; i < len; i++) {
    const d = sign * LOG_GRID[i]!;
    const v = x * d + n * (sp0 - softplus(l + d)) + LOG_W[i]!;
    V[i] = v;
    if (v > max) max = v;
  }
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < len; i++) {
    const w = Math.exp(V[i]! - max);
    sum += w;
    weighted += w * n * (theta0 - logistic(l + sign * LOG_GRID[i]!));
  }
  lastSlope = weighted / sum;
  return max + Math.log(sum);
}

const V = new Float64Array(GRID.length);

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * The count at which `n` trials reject: for `greater`, the smallest x rejecting "θ ≤ θ0" (Infinity when even
 * x = n does not); for `less`, the largest x rejecting "θ ≥ θ0" (−Infinity when even x = 0 does not).
 * Fractional, for interpolation into histogram buckets.
 */
export function criticalCount(n: number, theta0: number, side: Side, alpha: number): number {
  const none = side === 'greater' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  if (!(n > 0)) return none;
  prepare(theta0, side);
  const c = Math.log(1 / alpha);
  // Newton from the rejecting end of [0, n]: on a convex monotone function the iterates approach the root from
  // that side, so every iterate still rejects (the answer errs on the conservative side).
  let x = side === 'greater' ? n : 0;
  let value = mixtureAt(x, n);
  let slope = lastSlope;
  if (value < c) return none;
  let bad = side === 'greater' ? 0 : n; // a count known not to reject (or the far end)
  for (let i = 0; i < 50; i++) {
    // Under-step a hair so that rounding does not carry an exact Newton landing past the root.
    const step = ((value - c) / slope) * (1 - 1e-9);
    const next = Math.min(Math.max(x - step, 0), n);
    if (Math.abs(next - x) <= 1e-9 * (1 + n)) return x;
    const nextValue = mixtureAt(next, n);
    if (nextValue < c) {
      bad = next;
      break;
    }
    x = next;
    value = nextValue;
    slope = lastSlope;
  }
  // Rarely needed: bisect between the last rejecting count and one that does not reject.
  for (let i = 0; i < 60 && Math.abs(x - bad) > 1e-9 * (1 + n); i++) {
    const mid = (x + bad) / 2;
    if (mixtureAt(mid, n) >= c) x = mid;
    else bad = mid;
  }
  return x;
}

/**
 * Smallest factor f ≥ 1 such that x·f successes of n·f trials reject (the same proportion, more data), to about
 * 1 %; Infinity when no amount of such data would.
 */
export function scaleToReject(x: number, n: number, theta0: number, side: Side, alpha: number): number {
  if (!(n > 0)) return Number.POSITIVE_INFINITY;
  prepare(theta0, side);
  const c = Math.log(1 / alpha);
  const k = Math.min(Math.max(x, 0), n);
  if (mixtureAt(k, n) >= c) return 1;
  // Per unit of scale, alternative k gains u_k = x·d_k + n·b_k; at scale f the log e-value lies between
  // f·u_k + ln w_k (that term alone) and f·max u (all the weight on the best term).
  let best = 0;
  let umax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < D.length; i++) {
    const u = k * D[i]! + n * B[i]!;
    if (u > umax) {
      umax = u;
      best = i;
    }
  }
  if (!(umax > 0)) return Number.POSITIVE_INFINITY;
  let lo = Math.max(1, c / umax);
  let hi = Math.max(lo, (c - LOG_W[best]!) / umax);
  for (let i = 0; i < 8 && hi - lo > 0.01 * lo; i++) {
    const mid = (lo + hi) / 2;
    if (mixtureAt(k * mid, n * mid) >= c) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Smallest factor k ≥ 1 such that `decides(k)` holds (the data scaled by k — "if the current rates persist"),
 * to within about 20 % (it feeds advice such as "~13 min", and runs at every undecided measurement); undefined
 * when even `maxFactor` does not decide.
 */
export function scaleToDecide(decides: (k: number) => boolean, maxFactor = 10_000): number | undefined {
  if (decides(1)) return 1;
  let lo = 1;
  let hi = 4;
  while (!decides(hi)) {
    lo = hi;
    hi *= 4;
    if (hi > maxFactor) return decides(maxFactor) ? maxFactor : undefined;
  }
  for (let i = 0; i < 30 && hi - lo > 0.2 * lo; i++) {
    const mid = (lo + hi) / 2;
    if (decides(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function clamp(t: number): number {
  return Math.min(Math.max(t, EPS), 1 - EPS);
}

function logistic(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
