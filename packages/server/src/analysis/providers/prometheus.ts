import type { ProviderSpec } from '../analysis-template.js';
import type { MetricProvider, QueryResult, Series } from '../provider.js';
import { fetchText, snippet } from './http-fetch.js';

/**
 * Instant queries against the Prometheus HTTP API (`GET /api/v1/query`, docs "HTTP API › Instant queries").
 * A vector gives one series per element with its labels, a scalar one unlabelled series. NaN and ±Inf (a ratio
 * over no traffic) are no data for that series, never a number a condition could pass or fail on. Errors carry
 * Prometheus's own `errorType: error` text.
 */
export class PrometheusProvider implements MetricProvider {
  readonly kind = 'prometheus' as const;

  constructor(private readonly fetchImpl: typeof fetch = globalThis.fetch) {}

  async query(spec: ProviderSpec, query: string, at: Date, signal?: AbortSignal): Promise<QueryResult> {
    if (spec.kind !== 'prometheus')
      return { ok: false, error: `prometheus: given a ${spec.kind} provider spec` };
    let url: URL;
    try {
      url = new URL('api/v1/query', spec.address.endsWith('/') ? spec.address : `${spec.address}/`);
    } catch {
      return { ok: false, error: `prometheus: invalid address '${spec.address}'` };
    }
    url.searchParams.set('query', query);
    url.searchParams.set('time', (at.getTime() / 1000).toFixed(3));
    const answer = await fetchText(
      this.fetchImpl,
      url.toString(),
      { method: 'GET', headers: { accept: 'application/json', ...spec.headers } },
      spec.timeoutMs,
      signal,
    );
    if (!answer.ok) return { ok: false, error: `prometheus: ${answer.error}` };
    return parseAnswer(answer.status, answer.body);
  }
}

interface ApiAnswer {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

/** Reads an `/api/v1/query` answer (exported for tests of odd answers). */
export function parseAnswer(status: number, body: string): QueryResult {
  let json: ApiAnswer;
  try {
    json = JSON.parse(body) as ApiAnswer;
  } catch {
    return { ok: false, error: `prometheus: HTTP ${status}, not a Prometheus API answer: ${snippet(body)}` };
  }
  if (json === null || typeof json !== 'object') {
    return { ok: false, error: `prometheus: HTTP ${status}, not a Prometheus API answer: ${snippet(body)}` };
  }
  if (json.status === 'error' || status < 200 || status >= 300) {
    const type = typeof json.errorType === 'string' ? json.errorType : `HTTP ${status}`;
    const text = typeof json.error === 'string' ? json.error : snippet(body);
    return { ok: false, error: `prometheus: ${type}: ${text}` };
  }
  if (json.status !== 'success' || !json.data || typeof json.data !== 'object') {
    return { ok: false, error: `prometheus: unexpected answer: ${snippet(body)}` };
  }
  const { resultType, result } = json.data;
  switch (resultType) {
    case 'vector': {
      if (!Array.isArray(result))
        return { ok: false, error: 'prometheus: vector answer without a result list' };
      const series: Series[] = [];
      for (const element of result as { metric?: Record<string, string>; value?: unknown }[]) {
        const value = sampleValue(element?.value);
        if (value === 'invalid')
          return { ok: false, error: `prometheus: malformed sample ${snippet(JSON.stringify(element))}` };
        if (value !== undefined) series.push({ labels: { ...(element.metric ?? {}) }, value });
      }
      return { ok: true, series };
    }
    case 'scalar': {
      const value = sampleValue(result);
      if (value === 'invalid')
        return { ok: false, error: `prometheus: malformed scalar ${snippet(JSON.stringify(result))}` };
      return { ok: true, series: value === undefined ? [] : [{ labels: {}, value }] };
    }
    case 'matrix':
      return {
        ok: false,
        error:
          'prometheus: the query returns a range vector; wrap it (rate, sum_over_time, …) for an instant value',
      };
    default:
      return { ok: false, error: `prometheus: unsupported result type ${String(resultType)}` };
  }
}

const NON_FINITE = new Set(['NaN', '+Inf', '-Inf', 'Inf']);

/** `[<unix time>, "<value>"]` → number; undefined for NaN/±Inf (no data); 'invalid' for anything else. */
function sampleValue(sample: unknown): number | undefined | 'invalid' {
  if (!Array.isArray(sample) || sample.length !== 2 || typeof sample[1] !== 'string') return 'invalid';
  // Go's strconv.FormatFloat spells the non-finite values NaN, +Inf and -Inf.
  if (NON_FINITE.has(sample[1])) return undefined;
  const value = Number(sample[1]);
  return sample[1].trim() === '' || !Number.isFinite(value) ? 'invalid' : value;
}
