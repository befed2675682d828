/**
 * Server-Sent Events over `fetch`, so the token travels in the Authorization header (EventSource cannot send
 * one, and a token in the URL would land in access logs). Parses the stream as the WHATWG HTML spec §9.2.6
 * says, reconnects with `Last-Event-ID` after a drop, and stops for good on 401/403/404.
 */

export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/** Incremental parser: feed it decoded text chunks, it calls `onEvent` per complete event. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  /** The last `id:` seen; survives across events as the spec's "last event ID buffer". */
  lastId: string | undefined;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  feed(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) return;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) {
        this.onEvent({ event: this.event || 'message', data: this.data.join('\n'), id: this.lastId });
      }
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
  }
}

export interface StreamOptions {
  readonly token: string;
  readonly onEvent: (event: SseEvent) => void;
  /** Called with true when connected, false while reconnecting. */
  readonly onState?: (connected: boolean, error?: string) => void;
  readonly retryMs?: number;
}

/** Follows an SSE endpoint until the returned function is called. */
export function followStream(url: string, options: StreamOptions): () => void {
  const controller = new AbortController();
  let lastId: string | undefined;
  const retryMs = options.retryMs ?? 2000;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const headers: Record<string, string> = {
          authorization: `Bearer ${options.token}`,
          accept: 'text/event-stream',
        };
        if (lastId !== undefined) headers['last-event-id'] = lastId;
        const response = await fetch(url, { headers, signal: controller.signal });
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          options.onState?.(false, `${response.status}`);
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        options.onState?.(true);
        const parser = new SseParser(options.onEvent);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
          lastId = parser.lastId ?? lastId;
        }
      } catch (e) {
        if (controller.signal.aborted) return;
        options.onState?.(false, e instanceof Error ? e.message : String(e));
      }
      if (controller.signal.aborted) return;
      options.onState?.(false);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };
  void run();
  return () => controller.abort();
}
