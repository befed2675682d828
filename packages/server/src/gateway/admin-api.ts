import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BuiltinProvider } from '../analysis/providers/builtin.js';
import { type ErrorCode, isPitbossError } from '../errors.js';
import type { RouteState } from '../routing/router.js';
import type { ApplyRouteOptions, Gateway } from './gateway.js';
import type { TrafficStats } from './traffic-stats.js';

export interface AdminOptions {
  readonly host: string;
  readonly port: number;
  /** Bearer token for the /v1 routes. Compared in constant time; never logged. */
  readonly token: string;
  /**
   * The measurements the gateway records: `POST /v1/query` answers `builtin` metric queries over them, so a
   * control plane in another process judges rollouts by them (analysis/providers/remote-builtin.ts).
   */
  readonly trafficStats?: TrafficStats;
}

/** The body of POST /v1/query: a `builtin` query (analysis/providers/builtin-query.ts) as of `at`. */
export interface QueryRequest {
  readonly query: string;
  /** ISO 8601 time or epoch milliseconds; default now. */
  readonly at?: string | number;
}

export interface RunningAdmin {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The body of PUT/PATCH /v1/routes/:service. */
export interface RouteUpdate {
  readonly weight?: number;
  readonly mirror?: number;
  /** null or '' clears it. */
  readonly segment?: string | null;
  readonly rolloutStep?: number;
  readonly spec?: ApplyRouteOptions['spec'];
}

/** What GET /v1/routes/:service answers. */
export interface RouteView {
  readonly service: string;
  readonly route: RouteState;
  readonly rolloutStep?: number;
}

const MAX_BODY = 64 * 1024;
const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
};

/**
 * The gateway's admin HTTP API, on its own port so it is never reachable through the proxy:
 *   GET /healthz, GET /metrics (Prometheus text) — no token;
 *   GET /v1/services, GET /v1/routes/:service, PUT /v1/routes/:service (the whole route),
 *   PATCH /v1/routes/:service (only the fields given), POST /v1/query (a `builtin` metric query over the
 *   gateway's measurements, answered as a QueryResult) — `Authorization: Bearer <token>`.
 * Errors are `{ id, code, message, details? }` like the control plane's API.
 */
export async function startAdminServer(gateway: Gateway, options: AdminOptions): Promise<RunningAdmin> {
  if (options.token.length === 0) throw new RangeError('the admin token must not be empty');
  const expected = digest(options.token);
  const metrics = new BuiltinProvider(options.trafficStats);
  const server: Server = createServer((req, res) => {
    handle(gateway, metrics, expected, req, res).catch((e) => answerError(res, e));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function handle(
  gateway: Gateway,
  metrics: BuiltinProvider,
  expected: Buffer,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://admin');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/healthz') {
    send(res, 200, { ok: true });
    return;
  }
  if (req.method === 'GET' && path === '/metrics') {
    const text = await gateway.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': gateway.metrics.registry.contentType });
    res.end(text);
    return;
  }
  if (!authorized(req.headers.authorization, expected))
    return fail(res, 'UNAUTHENTICATED', 'a valid admin bearer token is required');
  if (req.method === 'GET' && path === '/v1/services')
    return send(res, 200, { services: gateway.describe() });
  if (path === '/v1/query') {
    if (req.method !== 'POST') return fail(res, 'BAD_REQUEST', `method ${req.method} not allowed`);
    return answerQuery(metrics, await readJson(req), res);
  }
  const m = /^\/v1\/routes\/([^/]+)$/.exec(path);
  if (!m) {
    fail(res, 'NOT_FOUND', `no admin route ${req.method} ${path}`);
    return;
  }
  const service = decodeURIComponent(m[1]!);
  const view = (): RouteView | undefined => {
    const route = gateway.route(service);
    if (!route) return undefined;
    const step = gateway.rolloutStep(service);
    return { service, route, ...(step === undefined ? {} : { rolloutStep: step }) };
  };
  if (req.method === 'GET') {
    const v = view();
    if (v) send(res, 200, v);
    else fail(res, 'NOT_FOUND', `the gateway has no service '${service}'`);
    return;
  }
  if (req.method !== 'PUT' && req.method !== 'PATCH')
    return fail(res, 'BAD_REQUEST', `method ${req.method} not allowed`);
  const body = await readJson(req);
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return fail(res, 'BAD_REQUEST', 'the body must be a JSON object');
  const update = body as RouteUpdate;
  for (const field of ['weight', 'mirror', 'rolloutStep'] as const) {
    const v = update[field];
    if (v !== undefined && typeof v !== 'number')
      return fail(res, 'VALIDATION_FAILED', `${field} must be a number, not ${JSON.stringify(v)}`);
  }
  const current = gateway.route(service);
  if (!current) {
    fail(res, 'NOT_FOUND', `the gateway has no service '${service}'`);
    return;
  }
  const base: RouteState = req.method === 'PATCH' ? current : { weight: 0, mirror: 0 };
  const segment = update.segment === undefined ? base.segment : update.segment || undefined;
  const route: RouteState = {
    weight: update.weight ?? base.weight,
    mirror: update.mirror ?? base.mirror,
    ...(segment ? { segment } : {}),
  };
  const step = update.rolloutStep === undefined ? gateway.rolloutStep(service) : update.rolloutStep;
  gateway.applyRoute(service, route, {
    ...(step === undefined ? {} : { rolloutStep: step }),
    ...(update.spec ? { spec: update.spec } : {}),
  });
  send(res, 200, view());
}

/**
 * A metric query answered as the BuiltinProvider's QueryResult, with status 200 even for `{ok: false}` (a bad
 * query is data for the analysis, not a transport failure). JSON has no Infinity, so a histogram's +Inf bound
 * travels as the string '+Inf' (remote-builtin.ts reads it back).
 */
async function answerQuery(metrics: BuiltinProvider, body: unknown, res: ServerResponse): Promise<void> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return fail(res, 'BAD_REQUEST', 'the body must be a JSON object');
  const { query, at } = body as Partial<QueryRequest>;
  if (typeof query !== 'string' || query === '')
    return fail(res, 'VALIDATION_FAILED', 'query must be a non-empty string');
  const when = at === undefined ? new Date() : new Date(at);
  if ((typeof at !== 'string' && typeof at !== 'number' && at !== undefined) || Number.isNaN(when.getTime()))
    return fail(
      res,
      'VALIDATION_FAILED',
      `at must be an ISO 8601 time or epoch milliseconds, not ${JSON.stringify(at)}`,
    );
  const result = await metrics.query({ kind: 'builtin' }, query, when);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(result, (_key, v) => (v === Number.POSITIVE_INFINITY ? '+Inf' : v)));
}

/** SHA-256 both sides first: equal lengths for timingSafeEqual, and no length leak. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined || header.slice(0, 7).toLowerCase() !== 'bearer ') return false;
  return timingSafeEqual(digest(header.slice(7).trim()), expected);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw Object.assign(new Error('body too large'), { adminCode: 'PAYLOAD_TOO_LARGE' });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('the body is not valid JSON'), { adminCode: 'BAD_REQUEST' });
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function fail(res: ServerResponse, code: ErrorCode, message: string, details?: unknown): void {
  send(res, STATUS[code] ?? 500, {
    id: randomUUID(),
    code,
    message,
    ...(details === undefined ? {} : { details }),
  });
}

function answerError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (isPitbossError(e)) {
    fail(res, e.code, e.message, e.details);
    return;
  }
  const code = (e as { adminCode?: ErrorCode }).adminCode;
  if (code) {
    fail(res, code, (e as Error).message);
    return;
  }
  fail(res, 'INTERNAL', 'internal error');
}
