/** An HTTP answer the SDK did not expect; `status` decides whether to retry (docs/delivery.md "Errors"). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    /** Seconds from `Retry-After`, when the server sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** 401/403/404: the key is revoked, of another environment, or the environment is gone — retrying cannot help. */
  get fatal(): boolean {
    return this.status === 401 || this.status === 403 || this.status === 404;
  }
}

/** Builds an HttpError from a response, reading the `{code, message}` error body when there is one. */
export async function httpError(res: Response, what: string): Promise<HttpError> {
  let detail = '';
  try {
    const body = (await res.json()) as { code?: string; message?: string };
    detail = body.code ? `: ${body.code} ${body.message ?? ''}` : '';
  } catch {
    // not a JSON error body (a proxy's HTML page): the status says enough
  }
  const retryAfter = Number(res.headers.get('retry-after'));
  return new HttpError(
    res.status,
    `${what} answered ${res.status}${detail}`,
    Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
  );
}

/** A promise that resolves after `ms`, or at once when `signal` aborts; its timer never keeps the process alive. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref?.();
    signal.addEventListener('abort', done, { once: true });
  });
}
