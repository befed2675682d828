/**
 * The analysis model, normalised: what an `AnalysisTemplate` document (Pitboss or Argo Rollouts form) becomes once
 * read (analysis/read-analysis-template.ts). Durations are milliseconds, defaults are filled in, and every field
 * here is one a user can write (docs/rollouts.md lists them with their YAML spelling).
 */
export interface AnalysisTemplate {
  readonly name: string;
  /** Declared arguments; a value here is the default. `{{args.NAME}}` in queries and URLs reads them. */
  readonly args: readonly TemplateArg[];
  readonly metrics: readonly MetricSpec[];
}

export interface TemplateArg {
  readonly name: string;
  readonly value?: string;
}

/** Where a metric's numbers come from: one implementation per kind (analysis/providers/*.ts). */
export type ProviderSpec =
  | { readonly kind: 'builtin' }
  | {
      readonly kind: 'prometheus';
      /** Base URL of the Prometheus HTTP API, e.g. `http://127.0.0.1:9090`. */
      readonly address: string;
      readonly timeoutMs: number;
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'web';
      readonly method: 'GET' | 'POST';
      readonly headers: Readonly<Record<string, string>>;
      readonly body?: string;
      readonly timeoutMs: number;
      /** JSONPath-like selector (`$.data.ratio`, `{$.message}` as Argo writes it); absent = the whole body. */
      readonly jsonPath?: string;
    };

/**
 * A baseline-vs-canary statistical comparison. Each query is run once per arm with `{{version}}` set to that
 * arm's version. The tests are anytime-valid (analysis/statistics), so measuring every few seconds does not
 * inflate false alarms.
 */
export type ComparisonSpec =
  | {
      /** Failure proportions: canary failure rate vs baseline failure rate. */
      readonly test: 'proportions';
      /** Query for the number of failed events in the arm since the analysis began (`{{window}}`). */
      readonly failures: string;
      /** Query for the number of events in the arm since the analysis began. */
      readonly total: string;
      /**
       * Largest relative increase of the canary's failure rate over the baseline's that is still acceptable:
       * 0.5 = the canary may fail up to 1.5× as often as the baseline.
       */
      readonly tolerance: number;
      /** False-alarm probability over the whole (unbounded) run; default 0.01. */
      readonly alpha: number;
    }
  | {
      /** Latency distributions, compared from histogram buckets. */
      readonly test: 'latency';
      /** Query returning cumulative histogram buckets since the analysis began: series labelled `le` (ms or s). */
      readonly buckets: string;
      /** The quantile compared, e.g. 0.95. */
      readonly quantile: number;
      /** Largest acceptable relative increase of the canary's quantile: 0.2 = up to 1.2× the baseline's. */
      readonly tolerance: number;
      readonly alpha: number;
    };

export interface MetricSpec {
  readonly name: string;
  readonly provider: ProviderSpec;
  /**
   * The provider query (PromQL for `prometheus`, the builtin grammar for `builtin`, the URL for `web`).
   * Placeholders: `{{args.NAME}}`, `{{version}}` (the measured arm's version: a query that uses it is measured
   * for the canary AND the baseline, so a platform-wide incident is told apart from a bad canary), `{{window}}`
   * (time since the analysis began, as a Prometheus duration such as `95s`). Absent for comparisons.
   */
  readonly query?: string;
  /** Rule-language condition over `result` (the measured value); e.g. `result >= 0.999`. */
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly comparison?: ComparisonSpec;
  /** Time between measurements. Default 10 s (Argo: required when count > 1). */
  readonly intervalMs: number;
  /** Measurements to take; undefined = until the step or background analysis ends. */
  readonly count?: number;
  readonly initialDelayMs: number;
  /** Failed measurements tolerated in total: the metric fails when failures exceed it (Argo semantics). Undefined = no cumulative limit (only when a consecutive or window limit is set; otherwise it defaults to 0). */
  readonly failureLimit?: number;
  /** The metric fails at the N-th failure in a row (a success resets the run). */
  readonly consecutiveFailureLimit?: number;
  /** The metric is in error (provider outage) when consecutive errors exceed it. Default 4, as Argo. */
  readonly consecutiveErrorLimit: number;
  /** Inconclusive measurements tolerated (undecided ones — no data yet, too few samples — are not counted). Default 0. */
  readonly inconclusiveLimit: number;
  /** The metric fails when `failures` failures happen within any period of `withinMs`. */
  readonly window?: { readonly failures: number; readonly withinMs: number };
  /** Measured and reported, never counted in the run's verdict. */
  readonly dryRun: boolean;
  /** The first failure aborts the rollout at once, whatever the limits (chargebacks, PSP collapse). */
  readonly hardStop: boolean;
  /** Label whose every value is checked on its own (e.g. `psp`): every value must pass. */
  readonly dimension?: string;
}

/** A metric with the run's arguments substituted; only `{{version}}` and `{{window}}` remain. */
export interface ResolvedMetric extends MetricSpec {
  /** The template it came from, for messages. */
  readonly template: string;
}
