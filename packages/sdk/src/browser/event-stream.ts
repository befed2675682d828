import { Backoff } from '../shared/backoff.js';
import { type SseMessage, SseParser } from '../shared/sse-parser.js';
import { httpError, PitbossHttpError } from './remote-evaluation.js';

/**
 * The SDK stream (`GET /sdk/v1/stream`, docs/delivery.md) read with `fetch` and a ReadableStream rather than
 * EventSource: EventSource cannot send an `authorization` header, and the control plane only accepts the SDK key
 * there (a key in the query string would end up in proxy and server logs). Reading the body ourselves also lets
 * us choose the `Last-Event-ID` of each reconnection and drop a connection that has gone silent.
 */

export interface EventStreamOptions {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly fetch: typeof fetch;
  /** Back-off after a network error, a dead connection or `resync`: start near 1 s, cap near 60 s. */
  readonly reconnect?: { initialMs?: number; maxMs?: number };
  /** No byte for this long means a dead connection. Default 35 s: two of the server's 15 s heartbeats. */
  readonly idleTimeoutMs?: number;
  /** The `Last-Event-ID` to send on each (re)connection; asked anew every time. */
  lastEventId(): string | undefined;
  /** For tests of the jitter; `Math.random` by default. */
  readonly random?: () => number;
}

export interface EventStreamHandlers {
  /** Every event, `snapshot`, `change`, `resync` and `shutdown` alike. */
  onEvent(message: SseMessage): void;
  onComment(text: string): void;
  /** The connection was lost (or refused with a retryable status); it will be retried. */
  onDrop(error: unknown): void;
  /** Refused for good (401, 403, 404, …): no more attempts. */
  onFatal(error: PitbossHttpError): void;
}

/** How one connection ended, and so how long to wait before the next. */
type Ending =
  | { kind: 'shutdown' }
  | { kind: 'retry'; error: unknown; atLeastMs?: number }
  | { kind: 'fatal' };

/**
 * Opens the stream and keeps it open until the returned function is called: reconnects with jittered back-off
 * (at once, within 1 s of jitter, after `shutdown`: the server is going away, another replica is up).
 *
 * @example
 * const close = openEventStream(
 *   { url, headers: { authorization: `Bearer ${key}` }, fetch, lastEventId: () => String(version) },
 *   { onEvent: (m) => console.log(m.event, m.id), onComment() {}, onDrop() {}, onFatal() {} },
 * );
 * close();
 */
export function openEventStream(options: EventStreamOptions, handlers: EventStreamHandlers): () => void {
  const random = options.random ?? Math.random;
  const backoff = new Backoff(options.reconnect, random);
  let connection: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let closed = false;

  const healthy = () => backoff.reset();
  const loop = async () => {
    while (!closed) {
      connection = new AbortController();
      const ending = await connect(options, handlers, connection, healthy);
      if (closed || ending.kind === 'fatal') return;
      let delay = random() * 1000;
      if (ending.kind === 'retry') {
        handlers.onDrop(ending.error);
        delay = Math.max(backoff.next(), ending.atLeastMs ?? 0);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, delay);
      });
    }
  };
  void loop();
  return () => {
    closed = true;
    clearTimeout(timer);
    wake?.();
    connection?.abort();
  };
}

/** One connection, from the request to the end of its body. Never rejects. */
async function connect(
  options: EventStreamOptions,
  handlers: EventStreamHandlers,
  connection: AbortController,
  healthy: () => void,
): Promise<Ending> {
  const idleMs = options.idleTimeoutMs ?? 35_000;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const alive = () => {
    clearTimeout(idle);
    idle = setTimeout(() => connection.abort(new PitbossHttpError('stream silent: no heartbeat')), idleMs);
  };
  // Set by `shutdown` and `resync`: the server ends the stream after them, and we stop reading without waiting.
  let ending: Ending | undefined;
  try {
    const id = options.lastEventId();
    alive();
    const res = await options.fetch(options.url, {
      headers: { accept: 'text/event-stream', ...options.headers, ...(id ? { 'last-event-id': id } : {}) },
      signal: connection.signal,
    });
    if (!res.ok) {
      const error = await httpError(res);
      if (!error.retryable) {
        handlers.onFatal(error);
        return { kind: 'fatal' };
      }
      return { kind: 'retry', error, ...(error.retryAfterMs ? { atLeastMs: error.retryAfterMs } : {}) };
    }
    if (!res.body) return { kind: 'retry', error: new PitbossHttpError('stream without a body') };
    const parser = new SseParser({
      onEvent(message) {
        if (message.event === 'shutdown') ending = { kind: 'shutdown' };
        else if (message.event === 'resync')
          ending = { kind: 'retry', error: new PitbossHttpError(`resync: ${message.data}`) };
        else healthy();
        handlers.onEvent(message);
      },
      onComment(text) {
        healthy();
        handlers.onComment(text);
      },
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return ending ?? { kind: 'retry', error: new PitbossHttpError('stream ended') };
      alive();
      parser.push(value);
      if (ending) return ending;
    }
  } catch (error) {
    return { kind: 'retry', error: connection.signal.reason ?? error };
  } finally {
    clearTimeout(idle);
    connection.abort();
  }
}
