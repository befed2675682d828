import type { ProviderSpec } from './analysis-template.js';

/** One series of a query's answer; `value` is a string or boolean only for `web` answers. */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number | string | boolean;
  /**
   * The events behind a ratio or quantile value (requests, deposits), when the provider knows them. With it, a
   * threshold such as `result >= 0.99` is judged with confidence instead of on the point value (analysis/measure.ts).
   */
  readonly samples?: number;
  /**
   * The histogram behind a quantile value: cumulative counts per upper bound (same unit as the value), sorted by
   * bound; the last bound may be `Infinity` (Prometheus' `+Inf`).
   */
  readonly histogram?: { readonly bounds: readonly number[]; readonly counts: readonly number[] };
  /**
   * The quantile level (0.95 for a p95) when the value is a quantile of `histogram`. It tells a quantile from a
   * ratio: a series with `quantile` is never read as a ratio, whatever its value.
   */
  readonly quantile?: number;
}

/** A provider's answer. An empty `series` is "no data", not an error. Never thrown. */
export type QueryResult =
  | { readonly ok: true; readonly series: readonly Series[] }
  | { readonly ok: false; readonly error: string };

/**
 * A metric provider (Argo Rollouts `metric/provider.go`): runs one query and returns data. Implementations:
 * `providers/builtin.ts`, `providers/prometheus.ts`, `providers/web.ts`; `providers/index.ts` is the factory, and it
 * refuses unknown kinds (unlike Flagger's, which silently falls back to Prometheus).
 */
export interface MetricProvider {
  readonly kind: ProviderSpec['kind'];
  /** Runs `query` (already templated) as of `at`. Never throws; honours `signal` and the spec's timeout. */
  query(spec: ProviderSpec, query: string, at: Date, signal?: AbortSignal): Promise<QueryResult>;
}
