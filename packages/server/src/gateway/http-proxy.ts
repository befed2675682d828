import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { GatewayMetrics } from './gateway-metrics.js';
import { mirrorRequest } from './mirror.js';
import { addSetCookie, downstreamResponseHeaders, upstreamRequestHeaders } from './proxy-headers.js';
import { type Routed, routeRequest } from './request-routing.js';
import type { ServiceRuntime } from './service-runtime.js';
import type { UpstreamTarget } from './upstream-pool.js';

/** What the proxy needs from the gateway around it. */
export interface ProxyEnv {
  readonly metrics: GatewayMetrics;
  readonly overrideSecret: string | undefined;
  readonly now: () => number;
  readonly versionHeader: boolean;
  /** Draws the mirror sample (0 ≤ x < 1); injectable for tests. */
  readonly random: () => number;
}

export const VERSION_HEADER = 'x-pitboss-version';

/**
 * Methods a retry may repeat (RFC 9110 §9.2.2: idempotent — GET, HEAD, OPTIONS, PUT, DELETE, plus TRACE which
 * the gateway has no reason to retry). Never POST or PATCH: a retried `POST /deposit` can charge a player twice.
 */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Errors raised before the upstream answered anything, which a retry on another target may cure. A response
 * timeout is not one: the upstream may be working on it, and waiting twice doubles the player's wait.
 */
const RETRYABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Proxies one HTTP request to the version the routing chooses. `path` is origin-form (`/x?y`). */
export function proxyHttp(
  env: ProxyEnv,
  svc: ServiceRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): void {
  const started = performance.now();
  const cfg = svc.config;
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > cfg.maxBodyBytes) {
    reject(res, 413, `request body over ${cfg.maxBodyBytes} bytes`, true);
    return;
  }
  const routed = routeRequest(svc, req, env.overrideSecret, env.now);
  routed.pool.lease(); // released when the request ends, whichever way (Forwarding.end, or below)
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  const forward = (body: Buffer | null) => {
    const headers = upstreamRequestHeaders(req);
    if (routed.decision.arm === 'stable') mirrorRequest(env, svc, req.method ?? 'GET', path, headers, body);
    new Forwarding(env, svc, req, res, path, routed, headers, body, started).attempt(undefined);
  };
  if (!hasBody) {
    forward(null);
    return;
  }
  readBody(req, cfg.maxBodyBytes, (outcome, body) => {
    if (outcome === 'ok') {
      forward(body!);
      return;
    }
    routed.pool.unlease();
    if (outcome === 'tooLarge') reject(res, 413, `request body over ${cfg.maxBodyBytes} bytes`, true);
    // 'aborted': the player went away while sending; nothing to answer.
  });
}

/** One request's way to an upstream: attempts, retries, the response and its measurement. */
class Forwarding {
  private attempts = 0;
  private ended = false;
  private readonly method: string;
  private readonly pspHeader: string | undefined;
  private readonly endpoint: string;

  constructor(
    private readonly env: ProxyEnv,
    private readonly svc: ServiceRuntime,
    req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly path: string,
    private readonly routed: Routed,
    private readonly headers: string[],
    private readonly body: Buffer | null,
    private readonly started: number,
  ) {
    this.method = req.method ?? 'GET';
    const endpoint = svc.endpoint(this.method, path);
    this.endpoint = endpoint?.name ?? svc.defaultEndpoint;
    this.pspHeader = endpoint?.pspHeader;
  }

  attempt(exclude: UpstreamTarget | undefined): void {
    const pool = this.routed.pool;
    const target = pool.pick(exclude);
    if (!target) {
      this.fail(502, `no healthy upstream for ${this.svc.name} ${pool.version}`);
      return;
    }
    this.attempts++;
    const timeout = this.svc.config.timeouts.responseMs;
    let status = 0;
    let psp: string | undefined;
    target.dispatcher.stream(
      {
        path: target.basePath + this.path,
        method: this.method,
        headers: this.headers,
        body: this.body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      },
      ({ statusCode, headers }) => {
        status = statusCode;
        // Gateway-class answers (502/503/504) mean the target cannot serve: they count toward its breaker.
        if (statusCode >= 502 && statusCode <= 504) target.breaker.failure();
        else target.breaker.success();
        const out = downstreamResponseHeaders(headers);
        if (this.env.versionHeader) out[VERSION_HEADER] = pool.version;
        if (this.routed.setCookie) addSetCookie(out, this.routed.setCookie);
        if (this.pspHeader) {
          const v = headers[this.pspHeader];
          psp = Array.isArray(v) ? v[0] : v;
        }
        this.res.writeHead(statusCode, out);
        return this.res;
      },
      (err) => {
        if (!err) {
          this.record(status, psp);
          return;
        }
        if (status !== 0) {
          // The answer broke off midway: the player has a truncated response, and only the socket can say so.
          this.res.destroy();
          this.record(this.res.writableFinished ? status : 0, psp);
          return;
        }
        this.noResponse(err as NodeJS.ErrnoException, target);
      },
    );
  }

  private noResponse(err: NodeJS.ErrnoException, target: UpstreamTarget): void {
    const code = err.code ?? '';
    if (code === 'UND_ERR_INVALID_ARG') {
      // The request itself cannot be sent (a path undici refuses): the player's fault, not the target's.
      target.breaker.release();
      this.fail(400, 'bad request');
      return;
    }
    if (this.res.destroyed) {
      target.breaker.release(); // the player left; says nothing about the target
      this.end();
      return;
    }
    target.breaker.failure();
    if (
      RETRYABLE.has(code) &&
      IDEMPOTENT.has(this.method) &&
      this.attempts <= this.svc.config.retries &&
      !this.res.headersSent
    ) {
      this.attempt(target);
      return;
    }
    this.fail(TIMEOUTS.has(code) ? 504 : 502, `upstream ${this.routed.pool.version}: ${code || err.message}`);
  }

  private fail(status: number, message: string): void {
    const extra: Record<string, string> = {};
    if (this.env.versionHeader) extra[VERSION_HEADER] = this.routed.pool.version;
    reject(this.res, status, message, false, extra);
    this.record(status, undefined);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.routed.pool.unlease();
  }

  private record(status: number, psp: string | undefined): void {
    this.end();
    this.env.metrics.request({
      service: this.svc.name,
      version: this.routed.pool.version,
      rolloutStep: this.svc.route.rolloutStep,
      endpoint: this.endpoint,
      method: this.method,
      status,
      latencyMs: performance.now() - this.started,
      ...(psp === undefined ? {} : { psp }),
    });
  }
}

/** An answer from the gateway itself (plain text); `close` ends the connection (an unread body follows). */
export function reject(
  res: ServerResponse,
  status: number,
  message: string,
  close = false,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = `${message}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
    ...extra,
  });
  res.end(body);
}

/** Reads a request body up to `max` bytes; stops reading as soon as it is over. */
function readBody(
  req: IncomingMessage,
  max: number,
  done: (outcome: 'ok' | 'tooLarge' | 'aborted', body?: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (outcome: 'ok' | 'tooLarge' | 'aborted', body?: Buffer) => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    done(outcome, body);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > max) {
      req.pause();
      settle('tooLarge');
      return;
    }
    chunks.push(chunk);
  };
  req.on('data', onData);
  req.once('end', () => settle('ok', chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
  req.once('error', () => settle('aborted'));
  req.once('close', () => {
    if (!req.complete) settle('aborted');
  });
}
