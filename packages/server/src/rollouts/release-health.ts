import type { ProviderSpec } from '../analysis/analysis-template.js';
import type { MetricProvider, Series } from '../analysis/provider.js';
import { histogramQuantile } from '../analysis/providers/builtin.js';
import { PitbossError } from '../errors.js';
import { formatDuration, parseDuration } from './duration.js';

/** One gateway endpoint of one version, over one interval. */
export interface EndpointHealth {
  readonly requests: number;
  readonly successRatio: number | null;
  readonly p95Ms: number | null;
}

/** One version of the service (the stable or the canary arm) over one interval. */
export interface HealthFigures {
  /** All endpoints of the service, this version, this interval. */
  readonly requests: number;
  /** Null when there were no requests. */
  readonly successRatio: number | null;
  readonly p95Ms: number | null;
  /** By gateway endpoint name (deposit, login…). */
  readonly endpoints: Readonly<Record<string, EndpointHealth>>;
  /** Requests with a psp label (deposits); requests without one are not listed. */
  readonly psps: Readonly<
    Record<string, { readonly requests: number; readonly successRatio: number | null }>
  >;
  readonly wsRttP95Ms: number | null;
}

/** Both arms over the interval `(at - stepMs, at]`. */
export interface HealthSample {
  readonly at: string;
  readonly stable: HealthFigures;
  readonly canary: HealthFigures;
}

/** What `GET /api/v1/rollouts/:name/health` answers. */
export interface ReleaseHealth {
  readonly name: string;
  readonly service: string;
  readonly stableVersion: string;
  readonly canaryVersion: string;
  readonly windowMs: number;
  readonly stepMs: number;
  /** False when the metrics could not be read (no gateway: the builtin provider answers an error). */
  readonly available: boolean;
  readonly error?: string;
  /** Oldest first; sample i covers `(at - stepMs, at]`. */
  readonly samples: readonly HealthSample[];
}

/** The series one sample is built from: three builtin queries, each grouped by version to serve both arms. */
export interface HealthSeries {
  /** `success_ratio … by (version, endpoint, psp)`: values with the requests behind them (`samples`). */
  readonly ratio: readonly Series[];
  /** `latency_p95 … by (version, endpoint)`: quantiles with their histograms. */
  readonly latency: readonly Series[];
  /** `ws_rtt_p95 … by (version)`. */
  readonly wsRtt: readonly Series[];
}

export const MIN_STEP_MS = 1000;
export const MAX_WINDOW_MS = 3_600_000;
export const MAX_SAMPLES = 720;
/** The gateway's stats slot: a step of it reads whole slots. */
export const DEFAULT_STEP_MS = 5000;
export const DEFAULT_WINDOW_MS = 300_000;

const BUILTIN: ProviderSpec = { kind: 'builtin' };

/** The queries of one sample: one interval of `stepMs` ending at the query time. */
export function healthQueries(service: string, stepMs: number): Record<keyof HealthSeries, string> {
  const match = `{service="${service.replace(/[\\"]/g, '\\$&')}"}[${stepMs}ms]`;
  return {
    ratio: `success_ratio${match} by (version, endpoint, psp)`,
    latency: `latency_p95${match} by (version, endpoint)`,
    wsRtt: `ws_rtt_p95${match} by (version)`,
  };
}

/** A sample from the answers of `healthQueries` (pure: the provider is queried elsewhere). */
export function buildHealthSample(
  at: Date,
  versions: { readonly stable: string; readonly canary: string },
  series: HealthSeries,
): HealthSample {
  return {
    at: at.toISOString(),
    stable: figuresOf(versions.stable, series),
    canary: figuresOf(versions.canary, series),
  };
}

interface Tally {
  requests: number;
  successes: number;
}

function figuresOf(version: string, series: HealthSeries): HealthFigures {
  const mine = (s: Series) => s.labels.version === version;
  const total: Tally = { requests: 0, successes: 0 };
  const endpoints = new Map<string, Tally>();
  const psps = new Map<string, Tally>();
  for (const s of series.ratio.filter(mine)) {
    if (typeof s.value !== 'number' || s.samples === undefined || s.samples <= 0) continue;
    // The ratio of successes over `samples` requests, both counts: rounding undoes the division.
    const successes = Math.round(s.value * s.samples);
    add(total, s.samples, successes);
    add(tally(endpoints, s.labels.endpoint ?? ''), s.samples, successes);
    if (s.labels.psp) add(tally(psps, s.labels.psp), s.samples, successes);
  }
  const latency = series.latency.filter(mine);
  const p95ByEndpoint = new Map<string, number>();
  for (const s of latency)
    if (typeof s.value === 'number') p95ByEndpoint.set(s.labels.endpoint ?? '', s.value);
  const wsRtt = series.wsRtt.find(mine)?.value;
  return {
    requests: total.requests,
    successRatio: ratio(total),
    p95Ms: combinedP95(latency),
    endpoints: Object.fromEntries(
      [...endpoints].map(([name, t]) => [
        name,
        { requests: t.requests, successRatio: ratio(t), p95Ms: p95ByEndpoint.get(name) ?? null },
      ]),
    ),
    psps: Object.fromEntries(
      [...psps].map(([psp, t]) => [psp, { requests: t.requests, successRatio: ratio(t) }]),
    ),
    wsRttP95Ms: typeof wsRtt === 'number' ? wsRtt : null,
  };
}

function tally(map: Map<string, Tally>, key: string): Tally {
  let t = map.get(key);
  if (t === undefined) {
    t = { requests: 0, successes: 0 };
    map.set(key, t);
  }
  return t;
}

function add(t: Tally, requests: number, successes: number): void {
  t.requests += requests;
  t.successes += successes;
}

function ratio(t: Tally): number | null {
  return t.requests === 0 ? null : t.successes / t.requests;
}

/**
 * The p95 over all endpoints: the endpoints' histograms summed, then the quantile of the sum (a quantile of
 * quantiles would be wrong). Without histograms (an odd provider), the worst endpoint's p95.
 */
function combinedP95(latency: readonly Series[]): number | null {
  if (latency.length === 0) return null;
  const first = latency[0]!.histogram;
  const sameBounds = latency.every(
    (s) =>
      s.histogram !== undefined &&
      first !== undefined &&
      s.histogram.bounds.length === first.bounds.length &&
      s.histogram.counts.length === first.counts.length,
  );
  if (!sameBounds || first === undefined) {
    const values = latency.map((s) => s.value).filter((v): v is number => typeof v === 'number');
    return values.length === 0 ? null : Math.max(...values);
  }
  const cumulative = first.counts.map((_, i) => latency.reduce((sum, s) => sum + s.histogram!.counts[i]!, 0));
  const perBucket = cumulative.map((c, i) => c - (i === 0 ? 0 : cumulative[i - 1]!));
  const finite = first.bounds.filter((b) => Number.isFinite(b));
  return histogramQuantile(0.95, perBucket, finite) ?? null;
}

/** Reads `window` and `step` (durations such as `5m`, `5s`); a bad one is VALIDATION_FAILED naming it. */
export function readHealthRange(query: { window?: string; step?: string }): {
  windowMs: number;
  stepMs: number;
} {
  const stepMs = readStep(query.step);
  const windowMs = duration('window', query.window, DEFAULT_WINDOW_MS);
  if (windowMs > MAX_WINDOW_MS) invalid('window', `window must be at most ${formatDuration(MAX_WINDOW_MS)}`);
  if (windowMs < stepMs) invalid('window', 'window must be at least one step');
  if (Math.floor(windowMs / stepMs) > MAX_SAMPLES) {
    invalid('window', `window / step must be at most ${MAX_SAMPLES} samples`);
  }
  return { windowMs, stepMs };
}

/** Reads `step` (default 5 s, at least 1 s). */
export function readStep(text: string | undefined): number {
  const stepMs = duration('step', text, DEFAULT_STEP_MS);
  if (stepMs < MIN_STEP_MS) invalid('step', `step must be at least ${formatDuration(MIN_STEP_MS)}`);
  if (stepMs > MAX_WINDOW_MS) invalid('step', `step must be at most ${formatDuration(MAX_WINDOW_MS)}`);
  return stepMs;
}

function duration(field: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined) invalid(field, `${field} must be a duration such as 5s or 5m, got '${text}'`);
  return ms;
}

function invalid(field: string, message: string): never {
  throw new PitbossError('VALIDATION_FAILED', message, [{ path: ['querystring', field], message }]);
}

/** The end of the last whole step before `now`: samples end on step boundaries, so they read whole slots. */
export function lastBoundary(now: number, stepMs: number): number {
  return Math.floor(now / stepMs) * stepMs;
}

/** The rollout's arms, as the view shows them. */
export interface HealthTarget {
  readonly service: string;
  readonly stableVersion: string;
  readonly canaryVersion: string;
}

/** Queries one sample; a provider error is returned, never thrown. */
export async function querySample(
  provider: MetricProvider,
  target: HealthTarget,
  stepMs: number,
  at: Date,
  signal?: AbortSignal,
): Promise<{ ok: true; sample: HealthSample } | { ok: false; error: string }> {
  const queries = healthQueries(target.service, stepMs);
  const [ratio, latency, wsRtt] = await Promise.all(
    [queries.ratio, queries.latency, queries.wsRtt].map((q) =>
      provider
        .query(BUILTIN, q, at, signal)
        .catch((e: unknown) => ({ ok: false as const, error: String(e) })),
    ),
  );
  for (const r of [ratio!, latency!, wsRtt!]) if (!r.ok) return { ok: false, error: r.error };
  const series = (r: typeof ratio) => (r?.ok ? r.series : []);
  return {
    ok: true,
    sample: buildHealthSample(
      at,
      { stable: target.stableVersion, canary: target.canaryVersion },
      { ratio: series(ratio), latency: series(latency), wsRtt: series(wsRtt) },
    ),
  };
}

/** Samples still in flight at once against a remote gateway: a 1 h window at 5 s is 720 of them. */
const CONCURRENCY = 8;

/** The health of the last `windowMs`, one sample per `stepMs`, oldest first; unavailable on the first error. */
export async function releaseHealth(
  provider: MetricProvider,
  view: HealthTarget & { readonly name: string },
  range: { readonly windowMs: number; readonly stepMs: number },
  now: number,
): Promise<ReleaseHealth> {
  const { windowMs, stepMs } = range;
  const head = {
    name: view.name,
    service: view.service,
    stableVersion: view.stableVersion,
    canaryVersion: view.canaryVersion,
    windowMs,
    stepMs,
  };
  const end = lastBoundary(now, stepMs);
  const count = Math.floor(windowMs / stepMs);
  const times = Array.from({ length: count }, (_, i) => new Date(end - (count - 1 - i) * stepMs));
  const samples: HealthSample[] = [];
  for (let i = 0; i < times.length; i += CONCURRENCY) {
    const batch = await Promise.all(
      times.slice(i, i + CONCURRENCY).map((at) => querySample(provider, view, stepMs, at)),
    );
    for (const r of batch) {
      if (!r.ok) return { ...head, available: false, error: r.error, samples: [] };
      samples.push(r.sample);
    }
  }
  return { ...head, available: true, samples };
}
