/**
 * An incremental Server-Sent Events parser (WHATWG HTML §9.2.6 "Interpreting an event stream"), for clients
 * that read the stream with `fetch` so they can send an `authorization` header (EventSource cannot).
 * Feed it decoded text in chunks of any size; it calls back once per dispatched event and per comment.
 */

/** One dispatched event. `id` is the last event ID in effect when it was dispatched (the spec's semantics). */
export interface SseMessage {
  event: string;
  data: string;
  id: string | undefined;
}

export interface SseHandlers {
  onEvent(message: SseMessage): void;
  /** A comment line (`: heartbeat`), without the colon and one leading space. */
  onComment?(text: string): void;
  /** A `retry:` field with a valid integer: the server's reconnection delay in milliseconds. */
  onRetry?(ms: number): void;
}

/**
 * @example
 * const parser = new SseParser({ onEvent: (m) => console.log(m.event, m.id, m.data) });
 * parser.push('event: change\nid: 42\ndata: {"version":42}\n\n'); // logs: change 42 {"version":42}
 */
export class SseParser {
  private buffer = '';
  // A chunk that ends in CR may be the first half of a CRLF: the LF in the next chunk must not end a second line.
  private skipLeadingLf = false;
  private eventType = '';
  private data: string[] = [];
  private lastEventId: string | undefined;

  constructor(
    private readonly handlers: SseHandlers,
    initialLastEventId?: string,
  ) {
    this.lastEventId = initialLastEventId;
  }

  /** The last event ID seen (what to send as `Last-Event-ID` when reconnecting). */
  get lastId(): string | undefined {
    return this.lastEventId;
  }

  push(chunk: string): void {
    let text = chunk;
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    let start = 0;
    const source = this.buffer + text;
    this.buffer = '';
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(source.slice(start, i));
      if (c === 13) {
        if (i + 1 < source.length) {
          if (source.charCodeAt(i + 1) === 10) i++;
        } else {
          this.skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    this.buffer = source.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) {
      this.handlers.onComment?.(line.startsWith(': ') ? line.slice(2) : line.slice(1));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        // An id containing NUL is ignored, so a hostile stream cannot smuggle one into a header.
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
        break; // unknown fields are ignored, per the spec
    }
  }

  private dispatch(): void {
    const event = this.eventType || 'message';
    const data = this.data;
    this.eventType = '';
    this.data = [];
    // An event without data lines is not dispatched (spec step "If the data buffer is an empty string").
    if (data.length === 0) return;
    this.handlers.onEvent({ event, data: data.join('\n'), id: this.lastEventId });
  }
}
