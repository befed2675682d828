/**
 * The few HTTP helpers the simulated platform services share: a method+path router on node:http, JSON bodies
 * read under a size limit, field validation that answers 400 with a machine-readable code and the field's name,
 * and a handler wrapper under which nothing a client sends can crash the process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Error codes the demo services answer with (`{code, message, field?}`), a closed list. */
export type DemoErrorCode =
  | 'BAD_JSON'
  | 'VALIDATION_FAILED'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHENTICATED'
  | 'INSUFFICIENT_FUNDS'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'BET_ALREADY_SETTLED'
  | 'ALREADY_CHARGED_BACK'
  | 'ALREADY_CLAIMED'
  | 'PSP_ERROR'
  | 'CHARGEBACK_FAILED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: DemoErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Request {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** The JSON body parsed under the size limit; throws HttpError 400/413. */
  json(): Promise<Record<string, unknown>>;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: Request) => Promise<Reply> | Reply;

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Routes `METHOD /exact/path` to handlers; 404 for unknown paths, 405 for a known path with another method. */
export class Router {
  private readonly routes = new Map<string, Map<string, Handler>>();

  constructor(private readonly maxBodyBytes = DEFAULT_MAX_BODY_BYTES) {}

  on(method: string, path: string, handler: Handler): this {
    let byMethod = this.routes.get(path);
    if (!byMethod) {
      byMethod = new Map();
      this.routes.set(path, byMethod);
    }
    byMethod.set(method.toUpperCase(), handler);
    return this;
  }

  /** The node:http request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch(() => {
      // handle() answers every error itself; this only guards against a failure while writing the answer.
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const byMethod = this.routes.get(url.pathname);
      if (!byMethod) throw new HttpError(404, 'NOT_FOUND', `no route ${url.pathname}`);
      const handler = byMethod.get(req.method ?? 'GET');
      if (!handler)
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} not allowed on ${url.pathname}`);
      let body: Promise<Record<string, unknown>> | undefined;
      reply = await handler({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        json: () => {
          body ??= readJson(req, this.maxBodyBytes);
          return body;
        },
      });
    } catch (e) {
      reply = errorReply(e);
    }
    if (!req.complete) {
      // An unread body (a 404, or an early error) must be drained or the keep-alive connection stalls.
      req.resume();
    }
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...reply.headers,
    });
    res.end(payload);
  }
}

export function errorReply(e: unknown): Reply {
  if (e instanceof HttpError) {
    return {
      status: e.status,
      headers: e.headers,
      body: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) },
    };
  }
  return { status: 500, body: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } };
}

async function readJson(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `body over ${limit} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'BAD_JSON', 'a JSON object body is required');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'the body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'BAD_JSON', 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function invalid(field: string, message: string): HttpError {
  return new HttpError(400, 'VALIDATION_FAILED', `${field}: ${message}`, field);
}

/** A non-empty string of at most `max` characters from printable ASCII. */
export function str(body: Record<string, unknown>, field: string, max = 128): string {
  const v = body[field];
  if (typeof v !== 'string' || v.length === 0) throw invalid(field, 'must be a non-empty string');
  if (v.length > max) throw invalid(field, `must be at most ${max} characters`);
  if (!/^[\x20-\x7e]+$/.test(v)) throw invalid(field, 'must be printable ASCII');
  return v;
}

/** An amount in minor units (cents): a positive safe integer up to 10^9 (≤ `allowZero` allows 0). */
export function amount(body: Record<string, unknown>, field: string, allowZero = false): number {
  const v = body[field];
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw invalid(field, 'must be an integer amount in cents');
  if (v < 0 || (v === 0 && !allowZero)) throw invalid(field, allowZero ? 'must be ≥ 0' : 'must be > 0');
  if (v > 1_000_000_000) throw invalid(field, 'must be at most 1000000000');
  return v;
}

export function oneOf<T extends string>(
  body: Record<string, unknown>,
  field: string,
  values: readonly T[],
): T {
  const v = body[field];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw invalid(field, `must be one of ${values.join(', ')}`);
  }
  return v as T;
}

/** A query parameter that must be present. */
export function queryStr(query: URLSearchParams, field: string, max = 128): string {
  const v = query.get(field);
  if (v === null || v === '') throw invalid(field, 'query parameter is required');
  if (v.length > max) throw invalid(field, `must be at most ${max} characters`);
  return v;
}

export const sleep = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
