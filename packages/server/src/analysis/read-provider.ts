import { formatPath } from '@pitboss/engine';
import type { DocumentForm } from '../rollouts/document-header.js';
import type { FieldRules, Path, SpecReader } from '../rollouts/spec-reader.js';
import type { ProviderSpec } from './analysis-template.js';
import { IMPLICIT_ARGS, MEASUREMENT_PLACEHOLDERS, placeholders } from './placeholders.js';

export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

const OTHER_PROVIDER = 'not supported: Pitboss measures with builtin, prometheus or web';
const PROVIDER_FIELDS: FieldRules = {
  builtin: 'read',
  prometheus: 'read',
  web: 'read',
  job: { reject: 'Kubernetes jobs are not run: expose the check over HTTP and use a web provider' },
  kayenta: {
    reject:
      'not supported: use a comparison metric (comparison: {test: proportions | latency}), an anytime-valid baseline-vs-canary test',
  },
  datadog: { reject: OTHER_PROVIDER },
  newRelic: { reject: OTHER_PROVIDER },
  wavefront: { reject: OTHER_PROVIDER },
  cloudWatch: { reject: OTHER_PROVIDER },
  graphite: { reject: OTHER_PROVIDER },
  influxdb: { reject: OTHER_PROVIDER },
  skywalking: { reject: OTHER_PROVIDER },
  plugin: { reject: 'metric plugins are not supported: use builtin, prometheus or web' },
};

const NO_INSECURE = {
  reject: 'TLS verification cannot be turned off: trust the certificate instead (NODE_EXTRA_CA_CERTS)',
};
const NO_AUTH = { reject: 'not supported: put credentials in headers (e.g. Authorization)' };
const BUILTIN_FIELDS: FieldRules = { query: 'read' };
const PROMETHEUS_FIELDS: FieldRules = {
  address: 'read',
  query: 'read',
  timeout: 'read',
  headers: 'read',
  insecure: NO_INSECURE,
  authentication: NO_AUTH,
  rangeQuery: {
    reject: 'not supported: use an instant query with a range selector, e.g. [5m] or [{{window}}]',
  },
};
const WEB_FIELDS: FieldRules = {
  url: 'read',
  method: 'read',
  headers: 'read',
  body: 'read',
  jsonBody: 'read',
  timeoutSeconds: 'read',
  jsonPath: 'read',
  insecure: NO_INSECURE,
  authentication: NO_AUTH,
};

/** What reading a metric needs to know of its template. */
export interface MetricContext {
  readonly form: DocumentForm;
  /** Args the template declares: `{{args.NAME}}` must name one of them or an implicit arg. */
  readonly args: ReadonlySet<string>;
}

/** A metric's `provider`: its spec, and the query written inside it (for `web`, the URL). */
export function readProvider(
  value: unknown,
  path: Path,
  r: SpecReader,
  ctx: MetricContext,
): { spec: ProviderSpec; query?: string } | undefined {
  const p = r.object(value, path, PROVIDER_FIELDS);
  if (p === undefined) return undefined;
  const kinds = Object.keys(p);
  if (kinds.length !== 1) {
    if (kinds.length > 1)
      r.error(path, 'CONFIG_TYPE', `a metric has one provider, not ${kinds.join(' and ')}`);
    else if (Object.keys(value as object).length === 0)
      r.error(path, 'CONFIG_REQUIRED', 'provider needs one of builtin, prometheus, web');
    return undefined;
  }
  const kind = kinds[0]!;
  const at = (...rest: string[]) => [...path, kind, ...rest];
  const text = (v: unknown, p: Path) => (v === undefined ? undefined : placeheld(r.string(v, p), p, r, ctx));
  const body = p[kind] ?? {};
  if (kind === 'builtin') {
    const b = r.object(body, at(), BUILTIN_FIELDS);
    const query = text(b?.query, at('query'));
    return { spec: { kind: 'builtin' }, ...(query !== undefined ? { query } : {}) };
  }
  if (kind === 'prometheus') {
    const b = r.object(body, at(), PROMETHEUS_FIELDS);
    if (b === undefined) return undefined;
    const address = r.required(b.address, at('address'), 'the Prometheus base URL')
      ? placeheld(r.url(b.address, at('address')), at('address'), r, ctx)
      : undefined;
    const query = text(b.query, at('query'));
    const timeoutMs = r.duration(b.timeout, at('timeout'), 1000) ?? DEFAULT_PROVIDER_TIMEOUT_MS;
    const headers = headersOf(b.headers, at('headers'), r, ctx);
    if (address === undefined) return undefined;
    return {
      spec: { kind: 'prometheus', address, timeoutMs, headers },
      ...(query !== undefined ? { query } : {}),
    };
  }
  const b = r.object(body, at(), WEB_FIELDS);
  if (b === undefined) return undefined;
  const url = r.required(b.url, at('url'), 'the URL to measure')
    ? placeheld(r.url(b.url, at('url')), at('url'), r, ctx)
    : undefined;
  const method = b.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST')
    r.error(at('method'), 'CONFIG_TYPE', `method must be GET or POST, not ${JSON.stringify(method)}`);
  if (b.body !== undefined && b.jsonBody !== undefined)
    r.error(at('jsonBody'), 'CONFIG_DUPLICATE_KEY', 'give body or jsonBody, not both');
  const requestBody = b.jsonBody !== undefined ? JSON.stringify(b.jsonBody) : text(b.body, at('body'));
  if (b.jsonBody !== undefined) placeheld(requestBody, at('jsonBody'), r, ctx);
  const jsonPath = text(b.jsonPath, at('jsonPath'));
  const timeoutMs = r.duration(b.timeoutSeconds, at('timeoutSeconds'), 1000) ?? DEFAULT_PROVIDER_TIMEOUT_MS;
  const headers = headersOf(b.headers, at('headers'), r, ctx);
  if (url === undefined || (method !== 'GET' && method !== 'POST')) return undefined;
  return {
    spec: {
      kind: 'web',
      method,
      headers,
      ...(requestBody !== undefined ? { body: requestBody } : {}),
      timeoutMs,
      ...(jsonPath !== undefined ? { jsonPath } : {}),
    },
    query: url,
  };
}

function headersOf(value: unknown, path: Path, r: SpecReader, ctx: MetricContext): Record<string, string> {
  const headers = r.headers(value, path);
  for (const [k, v] of Object.entries(headers)) placeheld(v, [...path, k], r, ctx);
  return headers;
}

/** Checks the placeholders of a text field: known names only, and args the template declares. */
export function placeheld(
  value: string | undefined,
  path: Path,
  r: SpecReader,
  ctx: MetricContext,
): string | undefined {
  if (value === undefined) return undefined;
  for (const p of placeholders(value)) {
    if (p.arg === undefined && !(MEASUREMENT_PLACEHOLDERS as readonly string[]).includes(p.name))
      r.error(
        path,
        'CONFIG_TYPE',
        `${formatPath(path)}: unknown placeholder ${p.text}; placeholders are {{args.NAME}}, {{version}} and {{window}}`,
      );
    else if (
      p.arg !== undefined &&
      !ctx.args.has(p.arg) &&
      !(IMPLICIT_ARGS as readonly string[]).includes(p.arg)
    )
      r.error(
        path,
        'CONFIG_REQUIRED',
        `${formatPath(path)}: {{args.${p.arg}}} is not declared: add {name: ${p.arg}} to spec.args`,
      );
  }
  return value;
}
