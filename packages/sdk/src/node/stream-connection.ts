import { type SseMessage, SseParser } from '../shared/sse-parser.js';
import { HttpError, httpError } from './http.js';

/**
 * How one stream connection ended. `connected`: the server answered (any status); `received`: a byte of the
 * stream arrived (a healthy connection).
 */
export interface StreamEnd {
  readonly kind: 'resync' | 'shutdown' | 'closed' | 'idle' | 'error';
  readonly connected: boolean;
  readonly received: boolean;
  readonly error?: unknown;
}

export interface StreamRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly fetch: typeof fetch;
  /** Aborts the connection for good (client closed). */
  readonly signal: AbortSignal;
  /** No byte for this long → the connection is dead (a half-open TCP connection never errors by itself). */
  readonly idleTimeoutMs: number;
  onEvent(message: SseMessage): void;
  /** Any byte arrived: the control plane is alive. */
  onActivity(): void;
}

/**
 * Reads one SSE connection over `fetch` (a ReadableStream body) until it ends, and says how. Never throws: a
 * failed connect is `error` (with an HttpError for a non-2xx answer), `resync`/`shutdown` are the server's
 * own endings (docs/delivery.md), and a silent connection past `idleTimeoutMs` is `idle`.
 */
export async function readStream(request: StreamRequest): Promise<StreamEnd> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  request.signal.addEventListener('abort', abort, { once: true });
  let idle = false;
  let timer: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      controller.abort();
    }, request.idleTimeoutMs);
    timer.unref?.();
  };
  let received = false;
  let connected = false;
  let ending: 'resync' | 'shutdown' | undefined;
  try {
    armIdle();
    const res = await request.fetch(request.url, {
      headers: { accept: 'text/event-stream', ...request.headers },
      signal: controller.signal,
    });
    connected = true;
    if (!res.ok || !res.body) {
      const error = res.ok ? new HttpError(res.status, 'stream has no body') : await httpError(res, 'stream');
      return { kind: 'error', connected, received, error };
    }
    const contentType = res.headers.get('content-type') ?? '';
    if (!contentType.startsWith('text/event-stream')) {
      await res.body.cancel().catch(() => {});
      return {
        kind: 'error',
        connected,
        received,
        error: new Error(`stream answered content-type '${contentType}'`),
      };
    }
    const parser = new SseParser({
      onEvent(message) {
        if (message.event === 'resync' || message.event === 'shutdown') ending = message.event;
        else request.onEvent(message);
      },
    });
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    while (ending === undefined) {
      const { done, value } = await reader.read();
      if (done) break;
      received = true;
      armIdle();
      request.onActivity();
      parser.push(decoder.decode(value, { stream: true }));
    }
    if (ending !== undefined) await reader.cancel().catch(() => {});
    return { kind: ending ?? 'closed', connected, received };
  } catch (error) {
    if (idle) return { kind: 'idle', connected, received };
    if (request.signal.aborted) return { kind: 'closed', connected, received };
    return { kind: 'error', connected, received, error };
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', abort);
    controller.abort();
  }
}
