/** What a baseline-vs-canary comparison concludes; `undecided` is its own outcome, never a pass or a failure. */
export type Verdict = 'fail' | 'pass' | 'undecided';

export interface ComparisonResult {
  readonly verdict: Verdict;
  /** Each arm's events and its figure (failure rate for proportions, the quantile for latency). */
  readonly canary: { readonly events: number; readonly value: number };
  readonly baseline: { readonly events: number; readonly value: number };
  /** Estimated ratio canary / baseline and its anytime-valid confidence bounds (capped at MAX_RATIO). */
  readonly ratio: number;
  readonly lower: number;
  readonly upper: number;
  /** When undecided: more canary events needed for a verdict if the current figures persist. */
  readonly neededEvents?: number;
}

/** Ratios are capped here so that evidence stays finite (JSON has no Infinity). */
export const MAX_RATIO = 1e6;

export function capRatio(r: number): number {
  if (Number.isNaN(r)) return MAX_RATIO;
  return Math.min(Math.max(r, 0), MAX_RATIO);
}
