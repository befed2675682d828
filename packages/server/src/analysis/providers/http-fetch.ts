/** Largest answer body read from a provider: metrics answers are small; a huge one is a wrong URL. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type HttpAnswer =
  | { readonly ok: true; readonly status: number; readonly body: string }
  | { readonly ok: false; readonly error: string };

/**
 * One HTTP exchange bounded by `timeoutMs` and the caller's `signal`, whichever fires first; failures become
 * data (`{ok:false, error}`) that says which one happened. Never throws.
 */
export async function fetchText(
  fetchImpl: typeof fetch,
  url: string,
  init: { method: string; headers: Readonly<Record<string, string>>; body?: string },
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<HttpAnswer> {
  if (signal?.aborted) return { ok: false, error: 'aborted' };
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const res = await fetchImpl(url, {
      ...init,
      headers: { ...init.headers },
      signal: combined,
      redirect: 'follow',
    });
    const body = await readBounded(res);
    return { ok: true, status: res.status, body };
  } catch (e) {
    if (signal?.aborted) return { ok: false, error: 'aborted' };
    if (timeout.aborted) return { ok: false, error: `timed out after ${timeoutMs} ms` };
    return { ok: false, error: describe(e) };
  }
}

async function readBounded(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new Error(`answer larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** fetch wraps network errors as `TypeError: fetch failed` with the useful part in `cause`. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? e.cause : undefined;
  const code = (cause as { code?: string } | undefined)?.code;
  if (cause) return code && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  return e.message;
}

/** The first characters of an answer, on one line, for error messages. */
export function snippet(body: string, max = 200): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
