/** An error answer of the control plane, with its code and message. */
export class DemoApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DemoApiError';
  }
}

export interface ApiAnswer<T> {
  readonly status: number;
  readonly body: T;
  readonly etag?: string;
}

/**
 * The few calls the demo makes to the control plane's API, as the admin. Every call is bounded by a timeout,
 * and an error answer throws a DemoApiError carrying the API's code.
 */
export class DemoApi {
  readonly url: string;

  constructor(
    url: string,
    private readonly token: string,
    private readonly timeoutMs = 15_000,
  ) {
    this.url = url.replace(/\/+$/, '');
  }

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<ApiAnswer<T>> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new DemoApiError(res.status, `HTTP_${res.status}`, `${method} ${path}: not JSON`);
    }
    if (res.status >= 400) {
      const e = (json ?? {}) as { code?: string; message?: string };
      throw new DemoApiError(
        res.status,
        e.code ?? `HTTP_${res.status}`,
        `${method} ${path}: ${e.code ?? res.status}: ${e.message ?? res.statusText}`,
      );
    }
    const etag = res.headers.get('etag');
    return { status: res.status, body: json as T, ...(etag ? { etag } : {}) };
  }

  async get<T>(path: string): Promise<T> {
    return (await this.call<T>('GET', path)).body;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.call<T>('POST', path, body)).body;
  }
}
