import type { ProviderSpec } from '../analysis-template.js';
import type { MetricProvider, QueryResult, Series } from '../provider.js';
import { fetchText, snippet } from './http-fetch.js';

/**
 * Any HTTP endpoint answering JSON (Argo Rollouts' `web` provider): the query is the URL, `jsonPath` picks the
 * value. A scalar is one series; an array is one series per element (label `index`); an object of scalars is one
 * series per key (label `key`, so `dimension: key` checks each). `null` is no data; a path that matches nothing
 * is an error, since it is far more often a wrong path than an answer meaning "nothing yet".
 * Error messages never repeat the URL or headers: either may carry a token.
 */
export class WebProvider implements MetricProvider {
  readonly kind = 'web' as const;

  constructor(private readonly fetchImpl: typeof fetch = globalThis.fetch) {}

  async query(spec: ProviderSpec, query: string, _at: Date, signal?: AbortSignal): Promise<QueryResult> {
    if (spec.kind !== 'web') return { ok: false, error: `web: given a ${spec.kind} provider spec` };
    let url: URL;
    try {
      url = new URL(query.trim());
    } catch {
      return { ok: false, error: 'web: the query is not a valid URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { ok: false, error: `web: unsupported URL scheme ${url.protocol}` };
    }
    let path: PathSegment[] | undefined;
    if (spec.jsonPath !== undefined) {
      const parsed = parseJsonPath(spec.jsonPath);
      if (typeof parsed === 'string') return { ok: false, error: `web: ${parsed}` };
      path = parsed;
    }
    const headers: Record<string, string> = { accept: 'application/json', ...spec.headers };
    if (spec.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const init =
      spec.body === undefined
        ? { method: spec.method, headers }
        : { method: spec.method, headers, body: spec.body };
    const answer = await fetchText(this.fetchImpl, url.toString(), init, spec.timeoutMs, signal);
    if (!answer.ok) return { ok: false, error: `web: ${answer.error}` };
    if (answer.status < 200 || answer.status >= 300) {
      return { ok: false, error: `web: HTTP ${answer.status}: ${snippet(answer.body)}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch {
      return { ok: false, error: `web: the answer is not JSON: ${snippet(answer.body)}` };
    }
    return toSeries(
      path ? select(json, path) : [json],
      spec.jsonPath ?? '$',
      path ? hasWildcard(path) : false,
    );
  }
}

type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' };

/**
 * `$.a.b[0].c`, `$['a b']`, `$.items[*]`, `$.a.*`, optionally in Kubernetes JSONPath braces (`{$.message}`, as
 * Argo templates write it). Returns the segments or an error message.
 */
export function parseJsonPath(text: string): PathSegment[] | string {
  let s = text.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (!s.startsWith('$')) return `jsonPath '${text}' must start with $`;
  const offset = text.indexOf(s);
  const segments: PathSegment[] = [];
  let i = 1;
  next: while (i < s.length) {
    const rest = s.slice(i);
    for (const [pattern, segment] of SEGMENTS) {
      const m = pattern.exec(rest);
      if (m) {
        segments.push(segment(m[1] ?? ''));
        i += m[0].length;
        continue next;
      }
    }
    return `jsonPath '${text}': unexpected '${rest[0]}' at column ${offset + i + 1}`;
  }
  return segments;
}

const unquote = (quoted: string) => quoted.replace(/\\(.)/g, '$1');

const SEGMENTS: readonly (readonly [RegExp, (group: string) => PathSegment])[] = [
  [/^\.\*/, () => ({ kind: 'all' })],
  [/^\[\*\]/, () => ({ kind: 'all' })],
  [/^\.([^.[\]\s]+)/, (key) => ({ kind: 'key', key })],
  [/^\[(-?[0-9]+)\]/, (index) => ({ kind: 'index', index: Number(index) })],
  [/^\['((?:[^'\\]|\\.)*)'\]/, (key) => ({ kind: 'key', key: unquote(key) })],
  [/^\["((?:[^"\\]|\\.)*)"\]/, (key) => ({ kind: 'key', key: unquote(key) })],
];

function hasWildcard(path: readonly PathSegment[]): boolean {
  return path.some((p) => p.kind === 'all');
}

/** Every value the path reaches (several only through wildcards); absent members are left out. */
function select(json: unknown, path: readonly PathSegment[]): unknown[] {
  let current: unknown[] = [json];
  for (const seg of path) {
    const next: unknown[] = [];
    for (const v of current) {
      if (seg.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (v !== null && typeof v === 'object') next.push(...Object.values(v));
      } else if (seg.kind === 'index') {
        if (Array.isArray(v)) {
          const at = seg.index < 0 ? v.length + seg.index : seg.index;
          if (at >= 0 && at < v.length) next.push(v[at]);
        }
      } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, seg.key)) {
        next.push((v as Record<string, unknown>)[seg.key]);
      }
    }
    current = next;
  }
  return current;
}

function toSeries(found: readonly unknown[], jsonPath: string, wildcard: boolean): QueryResult {
  if (found.length === 0 && !wildcard)
    return { ok: false, error: `web: jsonPath '${jsonPath}' matched nothing in the answer` };
  const value = wildcard ? found : found[0];
  if (value === null) return { ok: true, series: [] };
  if (isScalar(value)) return { ok: true, series: [{ labels: {}, value }] };
  const entries: [Record<string, string>, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [{ index: String(i) }, v])
    : Object.entries(value as object).map(([k, v]) => [{ key: k }, v]);
  const series: Series[] = [];
  for (const [labels, v] of entries) {
    if (v === null) continue;
    if (!isScalar(v)) {
      return {
        ok: false,
        error: `web: jsonPath '${jsonPath}' selects nested data at ${JSON.stringify(labels)}; select numbers, strings or booleans`,
      };
    }
    series.push({ labels, value: v });
  }
  return { ok: true, series };
}

function isScalar(v: unknown): v is number | string | boolean {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}
