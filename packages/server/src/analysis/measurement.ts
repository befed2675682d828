/**
 * Analysis returns data, not exceptions (Argo Rollouts `analysis/analysis.go`, Flagger `ErrNoValuesFound`): a
 * measurement is `success | failure | inconclusive | error`, and "no data yet" is its own reason, never silently a
 * pass or a failure.
 */
export type MeasurementPhase = 'success' | 'failure' | 'inconclusive' | 'error';

/** Why a measurement is not a plain success or failure. */
export type MeasurementReason =
  | 'noData' // the provider answered with no series: no traffic yet, or a wrong query
  | 'insufficientSamples' // a comparison cannot decide yet; `advice` says what would let it
  | 'sharedIncident' // canary and baseline both violate the condition: a platform-wide incident, not the canary
  | 'providerError' // the provider failed (timeout, HTTP error, unparsable answer)
  | 'conditionError'; // the condition could not be evaluated on the value (wrong type)

/** One arm's figure for one dimension value, kept as evidence. */
export interface ArmValue {
  readonly arm: 'canary' | 'baseline';
  /** The dimension's value (e.g. the PSP) when the metric has a `dimension`. */
  readonly dimension?: string;
  readonly value: number | string | boolean;
}

/** What a comparison found: the estimate and its anytime-valid confidence bounds. */
export interface ComparisonEvidence {
  readonly test: 'proportions' | 'latency';
  readonly dimension?: string;
  readonly baseline: { readonly events: number; readonly value: number };
  readonly canary: { readonly events: number; readonly value: number };
  /** Estimated ratio canary / baseline (failure rate, or quantile) and its confidence bounds. */
  readonly ratio: number;
  readonly lower: number;
  readonly upper: number;
  /** Events the canary still needs for a verdict at the current difference, when undecided. */
  readonly neededEvents?: number;
}

export interface Measurement {
  /** ISO time of the measurement. */
  readonly at: string;
  readonly phase: MeasurementPhase;
  readonly reason?: MeasurementReason;
  /** One line for people and notifications: `deposit success 97.1 % for psp=B < 99 %`. */
  readonly message: string;
  /** When undecided: what would let it decide (`raise the weight to 10 % or lengthen the pause to 9 min`). */
  readonly advice?: string;
  readonly values?: readonly ArmValue[];
  readonly comparisons?: readonly ComparisonEvidence[];
}

/** A metric's status within a run; terminal once not `Running`/`Pending`. */
export type MetricStatus = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

/** An analysis run's status: the worst of its (non-dry-run) metrics (Failed > Error > Inconclusive > Running > Successful). */
export type RunStatus = MetricStatus;

export interface MetricRunState {
  readonly name: string;
  readonly status: MetricStatus;
  readonly dryRun: boolean;
  readonly hardStop: boolean;
  /** Measurements taken (undecided ones included). */
  readonly taken: number;
  readonly successful: number;
  readonly failed: number;
  readonly inconclusive: number;
  readonly errors: number;
  readonly consecutiveFailures: number;
  readonly consecutiveErrors: number;
  /** ISO times of recent failures, for `window` limits. */
  readonly recentFailures: readonly string[];
  /** ISO time the next measurement is due; undefined once terminal. */
  readonly nextAt?: string;
  /** The last few measurements (bounded), newest last: the evidence shown by `status` and the console. */
  readonly measurements: readonly Measurement[];
  readonly message?: string;
}

export interface AnalysisRunState {
  /** `step-<index>`, `background`, `pre-promotion`, `post-promotion`. */
  readonly id: string;
  readonly templates: readonly string[];
  readonly startedAt: string;
  readonly status: RunStatus;
  readonly message?: string;
  /** True when a `hardStop` metric failed: the rollout aborts at once. */
  readonly hardStopped: boolean;
  /** True when the latest verdict is held back by a platform-wide incident (both arms worse). */
  readonly sharedIncident: boolean;
  readonly metrics: readonly MetricRunState[];
}
