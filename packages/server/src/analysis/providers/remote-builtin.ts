import type { ProviderSpec } from '../analysis-template.js';
import type { MetricProvider, QueryResult, Series } from '../provider.js';
import { fetchText } from './http-fetch.js';

/** Where a standalone gateway's admin API answers (`pitboss gateway --admin-port`), and its bearer token. */
export interface GatewayAdminEndpoint {
  readonly url: string;
  readonly token: string;
}

/** Builtin specs carry no timeout; a measurement waits at most this long for the gateway. */
export const REMOTE_BUILTIN_TIMEOUT_MS = 10_000;

/**
 * The `builtin` provider for a control plane whose gateway runs as its own process: the same queries, answered
 * by the gateway's admin API (`POST /v1/query`, gateway/admin-api.ts) over the TrafficStats that gateway
 * records. An unreachable, slow or confused gateway is an `{ok: false}` answer (the analysis counts it as an
 * error, and a long outage pauses the rollout), never an exception.
 */
export class RemoteBuiltinProvider implements MetricProvider {
  readonly kind = 'builtin' as const;
  private readonly endpoint: string;

  constructor(
    private readonly admin: GatewayAdminEndpoint,
    private readonly fetchImpl: typeof fetch = globalThis.fetch,
    private readonly timeoutMs = REMOTE_BUILTIN_TIMEOUT_MS,
  ) {
    this.endpoint = `${admin.url.replace(/\/+$/, '')}/v1/query`;
  }

  async query(spec: ProviderSpec, query: string, at: Date, signal?: AbortSignal): Promise<QueryResult> {
    if (spec.kind !== 'builtin') return { ok: false, error: `builtin: given a ${spec.kind} provider spec` };
    if (signal?.aborted) return { ok: false, error: 'builtin: aborted' };
    const answer = await fetchText(
      this.fetchImpl,
      this.endpoint,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${this.admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query, at: at.toISOString() }),
      },
      this.timeoutMs,
      signal,
    );
    if (!answer.ok) return { ok: false, error: `builtin (gateway ${this.admin.url}): ${answer.error}` };
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return { ok: false, error: `builtin (gateway ${this.admin.url}): HTTP ${answer.status}, not JSON` };
    }
    if (answer.status !== 200) {
      const message = (body as { message?: unknown } | null)?.message;
      const why = typeof message === 'string' ? message : 'no message';
      return { ok: false, error: `builtin (gateway ${this.admin.url}): HTTP ${answer.status}: ${why}` };
    }
    return (
      readResult(body) ?? { ok: false, error: `builtin (gateway ${this.admin.url}): not a query result` }
    );
  }
}

/** A QueryResult read back from JSON, '+Inf' bounds restored; undefined when the shape is wrong. */
function readResult(body: unknown): QueryResult | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const r = body as { ok?: unknown; error?: unknown; series?: unknown };
  if (r.ok === false) return typeof r.error === 'string' ? { ok: false, error: r.error } : undefined;
  if (r.ok !== true || !Array.isArray(r.series)) return undefined;
  const series: Series[] = [];
  for (const s of r.series) {
    const read = readSeries(s);
    if (read === undefined) return undefined;
    series.push(read);
  }
  return { ok: true, series };
}

function readSeries(s: unknown): Series | undefined {
  if (s === null || typeof s !== 'object') return undefined;
  const { labels, value, samples, histogram, quantile } = s as Record<string, unknown>;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return undefined;
  if (!Object.values(labels).every((v) => typeof v === 'string')) return undefined;
  if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') return undefined;
  const out: { -readonly [K in keyof Series]: Series[K] } = {
    labels: labels as Record<string, string>,
    value,
  };
  if (typeof samples === 'number') out.samples = samples;
  if (typeof quantile === 'number') out.quantile = quantile;
  if (histogram !== undefined) {
    const h = histogram as { bounds?: unknown; counts?: unknown } | null;
    if (!Array.isArray(h?.bounds) || !Array.isArray(h.counts)) return undefined;
    const bounds = h.bounds.map((b) => (b === '+Inf' ? Number.POSITIVE_INFINITY : b));
    if (!bounds.every((b) => typeof b === 'number') || !h.counts.every((c) => typeof c === 'number'))
      return undefined;
    out.histogram = { bounds: bounds as number[], counts: h.counts as number[] };
  }
  return out;
}
