/**
 * `POST /sdk/v1/evaluate` (docs/delivery.md, "Remote evaluation"): the control plane evaluates the context and
 * answers values only, so targeting rules never reach the browser.
 */

/** One flag's remote answer, as the server sends it (`null` where the engine had no value or variant). */
export interface RemoteResult {
  readonly value: unknown;
  readonly variant: string | null;
  readonly reason: string;
  readonly ruleIndex?: number;
  readonly errorCode?: string;
}

/** The values of every flag for one context, and the configuration version that computed them. */
export interface RemoteValues {
  readonly version: number;
  readonly values: ReadonlyMap<string, RemoteResult>;
}

/** Where and as whom to call the control plane. */
export interface Endpoint {
  /** The control plane's base URL, with or without a trailing slash (a path prefix is kept). */
  readonly url: string;
  readonly sdkKey: string;
  readonly environment: string;
  readonly fetch: typeof fetch;
}

/**
 * A failed call. `status` is absent for network errors and malformed answers; `code` is the server's error code
 * (`UNAUTHENTICATED`, `RATE_LIMITED`, …) when it sent one.
 */
export class PitbossHttpError extends Error {
  override readonly name = 'PitbossHttpError';
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
    /** From `Retry-After` (429, 503): the least time to wait before trying again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /**
   * Whether trying the same call again can succeed. 400 (an SDK bug), 401 (revoked key), 403 (a key of another
   * environment), 404 (no such environment) and 413 (context too large) will fail the same way every time.
   */
  get retryable(): boolean {
    return this.status === undefined || ![400, 401, 403, 404, 413].includes(this.status);
  }
}

/** The URL of an SDK route for the endpoint's environment. */
export function sdkUrl(endpoint: Endpoint, route: 'evaluate' | 'stream'): string {
  const base = endpoint.url.replace(/\/+$/, '');
  return `${base}/sdk/v1/${route}?environment=${encodeURIComponent(endpoint.environment)}`;
}

/**
 * Evaluates every flag of the environment for `context`. Rejects with a {@link PitbossHttpError} on an HTTP
 * error or a malformed answer, and with the abort reason when `signal` aborts.
 *
 * @example
 * const { version, values } = await evaluateRemote(endpoint, { market: 'DE' });
 * values.get('payments_v2')?.value; // true
 */
export async function evaluateRemote(
  endpoint: Endpoint,
  context: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<RemoteValues> {
  const res = await endpoint.fetch(sdkUrl(endpoint, 'evaluate'), {
    method: 'POST',
    headers: { authorization: `Bearer ${endpoint.sdkKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ environment: endpoint.environment, context }),
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await httpError(res);
  return parseValues(await res.json().catch(() => undefined));
}

/** Checks an evaluate answer's shape; only well-formed entries are kept, so one odd flag cannot hide the rest. */
export function parseValues(body: unknown): RemoteValues {
  const { version, values } = (body ?? {}) as { version?: unknown; values?: unknown };
  if (typeof version !== 'number' || typeof values !== 'object' || values === null) {
    throw new PitbossHttpError('malformed evaluate answer: expected {version, values}');
  }
  // A Map, not the parsed object: looking up a flag named `constructor` must not find Object.prototype's.
  const map = new Map<string, RemoteResult>();
  for (const [key, result] of Object.entries(values)) {
    if (typeof result === 'object' && result !== null && typeof result.reason === 'string')
      map.set(key, result);
  }
  return { version, values: map };
}

/** The error for a non-2xx answer, with the server's `{code, message}` body when it has one. */
export async function httpError(res: Response): Promise<PitbossHttpError> {
  const body = (await res.json().catch(() => undefined)) as { code?: unknown; message?: unknown } | undefined;
  const code = typeof body?.code === 'string' ? body.code : undefined;
  const message = typeof body?.message === 'string' ? body.message : res.statusText;
  // RFC 9110 §10.2.3: Retry-After in seconds (the HTTP-date form is not used by Pitboss).
  const retryAfter = Number(res.headers.get('retry-after'));
  return new PitbossHttpError(
    `${res.status}${code ? ` ${code}` : ''}: ${message}`,
    res.status,
    code,
    retryAfter > 0 ? retryAfter * 1000 : undefined,
  );
}
