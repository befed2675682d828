/**
 * The console's only way to the control plane: the public HTTP API with the signed-in token. Errors come back as
 * `ApiError` with the server's machine-readable `code`, its message and `details` (field paths), so a page shows
 * what the server said instead of a generic failure.
 */

export interface ErrorBody {
  readonly id?: string;
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** An answer with its ETag (the version to send back as If-Match) and status (202 = approval required). */
export interface ApiResponse<T> {
  readonly status: number;
  readonly etag: string | null;
  readonly body: T;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly ifMatch?: string | null;
  /** Recorded in the audit entry (`x-pitboss-reason`). */
  readonly reason?: string;
  readonly signal?: AbortSignal;
}

export class Api {
  constructor(
    readonly token: string,
    private readonly base = '',
  ) {}

  async request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.ifMatch) headers['if-match'] = options.ifMatch;
    if (options.reason) headers['x-pitboss-reason'] = encodeReason(options.reason);
    const response = await fetch(this.base + path, {
      method: options.method ?? 'GET',
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = await response.text();
    const body = text === '' ? undefined : parseJson(text);
    if (!response.ok) {
      const error = body as Partial<ErrorBody> | undefined;
      throw new ApiError(
        response.status,
        error?.code ?? 'HTTP_ERROR',
        error?.message ?? `${response.status} ${response.statusText}`,
        error?.details,
      );
    }
    return { status: response.status, etag: response.headers.get('etag'), body: body as T };
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await this.request<T>(path, signal ? { signal } : {})).body;
  }

  post<T>(path: string, body: unknown = {}, options: Omit<RequestOptions, 'method' | 'body'> = {}) {
    return this.request<T>(path, { ...options, method: 'POST', body });
  }

  put<T>(path: string, body: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}) {
    return this.request<T>(path, { ...options, method: 'PUT', body });
  }

  patch<T>(path: string, body: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}) {
    return this.request<T>(path, { ...options, method: 'PATCH', body });
  }
}

/** Path segments are user data (flag keys, rollout names): always encode them. */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce(
    (out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''),
    '',
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { code: 'BAD_RESPONSE', message: text.slice(0, 200) };
  }
}

/** HTTP header values are Latin-1; a reason typed in any language must survive the trip. */
function encodeReason(reason: string): string {
  return /^[\x20-\x7e]*$/.test(reason) ? reason : encodeURIComponent(reason);
}

/** The message to show for any failure: the server's code and message, or the thrown error's. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
