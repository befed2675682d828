import { LATENCY_BUCKETS_MS, type TrafficStats } from '../../gateway/traffic-stats.js';
import type { ProviderSpec } from '../analysis-template.js';
import type { MetricProvider, QueryResult, Series } from '../provider.js';
import { type BuiltinQuery, parseBuiltinQuery } from './builtin-query.js';

const QUANTILES: Readonly<Record<string, number>> = {
  latency_p50: 0.5,
  latency_p95: 0.95,
  latency_p99: 0.99,
  ws_rtt_p95: 0.95,
};

/** Histogram bounds of quantile series: the gateway's latency buckets, then +Inf. */
const HISTOGRAM_BOUNDS: readonly number[] = Object.freeze([...LATENCY_BUCKETS_MS, Number.POSITIVE_INFINITY]);

/**
 * Metrics the built-in gateway recorded (gateway/traffic-stats.ts), queried with the grammar in builtin-query.ts.
 * A group with no requests in the range has no series: a ratio or a quantile of nothing is "no data", never 0 or
 * NaN. Without a traffic source (the gateway is not running) every query is an error, so a template that relies
 * on it is not silently undecided forever.
 *
 * Ratios carry the requests behind them (`samples`) and quantiles their histogram (`histogram`, ms, cumulative,
 * with `quantile` and `samples`): the analysis then judges a threshold such as `result >= 0.99` with confidence
 * instead of on the point value (analysis/threshold-confidence.ts).
 */
export class BuiltinProvider implements MetricProvider {
  readonly kind = 'builtin' as const;

  constructor(private readonly stats: TrafficStats | undefined) {}

  async query(spec: ProviderSpec, query: string, at: Date, signal?: AbortSignal): Promise<QueryResult> {
    if (spec.kind !== 'builtin') return { ok: false, error: `builtin: given a ${spec.kind} provider spec` };
    if (signal?.aborted) return { ok: false, error: 'builtin: aborted' };
    const parsed = parseBuiltinQuery(query);
    if (!parsed.ok) return parsed;
    if (!this.stats)
      return { ok: false, error: 'builtin: no traffic source (the built-in gateway is not running)' };
    return { ok: true, series: evaluate(this.stats, parsed.query, at.getTime()) };
  }
}

function evaluate(stats: TrafficStats, q: BuiltinQuery, at: number): Series[] {
  const window = { match: q.match, from: at - (q.rangeMs ?? 0), to: at, by: q.by };
  switch (q.metric) {
    case 'ws_connections':
      return sorted(stats.queryWsConnections({ match: q.match, at, by: q.by })).map((g) => ({
        labels: g.labels,
        value: g.value,
      }));
    case 'ws_rtt_p95':
      return quantileSeries(
        stats.queryWsRtt(window).map((g) => ({ labels: g.labels, buckets: g.buckets })),
        QUANTILES[q.metric]!,
      );
    case 'latency_p50':
    case 'latency_p95':
    case 'latency_p99':
      return quantileSeries(
        stats.queryRequests(window).map((g) => ({ labels: g.labels, buckets: g.latency })),
        QUANTILES[q.metric]!,
      );
    case 'latency_bucket':
      return sorted(stats.queryRequests(window)).flatMap((g) => bucketSeries(g.labels, g.latency));
    default: {
      const out: Series[] = [];
      for (const g of sorted(stats.queryRequests(window))) {
        if (g.requests === 0) continue;
        const value =
          q.metric === 'requests'
            ? g.requests
            : q.metric === 'failures'
              ? g.failures
              : q.metric === 'successes'
                ? g.requests - g.failures
                : (g.requests - g.failures) / g.requests;
        out.push(
          q.metric === 'success_ratio'
            ? { labels: g.labels, value, samples: g.requests }
            : { labels: g.labels, value },
        );
      }
      return out;
    }
  }
}

function quantileSeries(
  groups: readonly { labels: Readonly<Record<string, string>>; buckets: readonly number[] }[],
  q: number,
): Series[] {
  const out: Series[] = [];
  for (const g of sorted(groups)) {
    const value = histogramQuantile(q, g.buckets);
    if (value === undefined) continue;
    let cumulative = 0;
    const counts = g.buckets.map((n) => (cumulative += n));
    const histogram = { bounds: HISTOGRAM_BOUNDS, counts };
    out.push({ labels: g.labels, value, samples: cumulative, histogram, quantile: q });
  }
  return out;
}

/** Cumulative counts per `le` (ms), +Inf last: the form Prometheus histograms take, so comparisons read either. */
function bucketSeries(labels: Readonly<Record<string, string>>, counts: readonly number[]): Series[] {
  let cumulative = 0;
  return counts.map((n, i) => {
    cumulative += n;
    const le = i < LATENCY_BUCKETS_MS.length ? String(LATENCY_BUCKETS_MS[i]) : '+Inf';
    return { labels: { ...labels, le }, value: cumulative };
  });
}

/**
 * The `q` quantile of a histogram given per-bucket counts (one per bound, then +Inf), interpolated linearly
 * inside the bucket that holds it, as Prometheus's `histogram_quantile` does: the first bucket starts at 0, and
 * a quantile in the +Inf bucket is the highest finite bound. Undefined for an empty histogram.
 */
export function histogramQuantile(
  q: number,
  counts: readonly number[],
  bounds: readonly number[] = LATENCY_BUCKETS_MS,
): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let before = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (n > 0 && before + n >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i]!;
      return lower + ((upper - lower) * Math.max(0, rank - before)) / n;
    }
    before += n;
  }
  return bounds[bounds.length - 1];
}

function sorted<T extends { labels: Readonly<Record<string, string>> }>(groups: readonly T[]): T[] {
  const key = (g: T) => Object.values(g.labels).join('\u0000');
  return [...groups].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
