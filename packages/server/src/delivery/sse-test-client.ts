import http from 'node:http';

/** One dispatched event (WHATWG HTML §9.2.6). */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/**
 * A raw Server-Sent Events client over node:http, for tests against a listening server: it parses the stream as
 * the WHATWG "interpret an event stream" algorithm does, keeps every event and comment, and lets a test stop
 * reading (to play a slow client). Waits are bounded by timeouts that fail only when something never arrives.
 */
export class SseTestClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** The body of a non-200 answer (a JSON error). */
  text = '';
  readonly ended: Promise<void>;
  private buffer = '';
  private pending: { id: string | undefined; event: string; data: string[] } = blank();
  private waiters = new Set<() => void>();
  private done = false;

  private constructor(
    private readonly req: http.ClientRequest,
    readonly res: http.IncomingMessage,
  ) {
    res.setEncoding('utf8');
    this.ended = new Promise((resolve) => {
      const end = () => {
        this.done = true;
        this.wake();
        resolve();
      };
      res.on('end', end);
      res.on('close', end);
      res.on('error', end);
    });
    res.on('data', (chunk: string) => {
      if (res.statusCode !== 200) this.text += chunk;
      else this.parse(chunk);
    });
  }

  /** Opens `path` on `base` (http://host:port) and resolves once the response headers arrive. */
  static connect(base: string, path: string, headers: Record<string, string> = {}): Promise<SseTestClient> {
    return new Promise((resolve, reject) => {
      const req = http.get(new URL(path, base), {
        headers: { accept: 'text/event-stream', ...headers },
        agent: false,
      });
      req.on('response', (res) => resolve(new SseTestClient(req, res)));
      req.on('error', reject);
    });
  }

  get status(): number {
    return this.res.statusCode ?? 0;
  }

  /** The first event at or after index `from` that satisfies `match`; rejects if none arrives in time. */
  async waitFor(match: (e: SseEvent) => boolean, from = 0, timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.done) throw new Error(`stream ended without the event; got ${this.describe()}`);
      if (Date.now() >= deadline)
        throw new Error(`no such event within ${timeoutMs} ms; got ${this.describe()}`);
      await this.change(deadline - Date.now());
    }
  }

  /** Resolves once a comment satisfying `match` arrived; rejects if none does in time. */
  async waitForComment(match: (c: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.comments.find(match);
      if (found !== undefined) return found;
      if (this.done || Date.now() >= deadline)
        throw new Error(`no such comment; got ${this.comments.join('|')}`);
      await this.change(deadline - Date.now());
    }
  }

  /** Resolves when the server ends the stream; rejects if it stays open longer than `timeoutMs`. */
  async waitEnd(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`stream still open; got ${this.describe()}`)), timeoutMs);
    });
    try {
      await Promise.race([this.ended, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops reading: the server's writes pile up in socket buffers, then in its own. */
  pause(): void {
    this.res.pause();
  }

  resume(): void {
    this.res.resume();
  }

  close(): void {
    this.req.destroy();
  }

  private parse(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split(/\r\n|\n|\r/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (this.pending.data.length > 0)
          this.events.push({
            id: this.pending.id,
            event: this.pending.event,
            data: this.pending.data.join('\n'),
          });
        this.pending = { ...blank(), id: this.pending.id };
      } else if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
      } else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') this.pending.data.push(value);
        else if (field === 'event') this.pending.event = value;
        else if (field === 'id') this.pending.id = value;
      }
    }
    this.wake();
  }

  private change(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(ms, 0));
      const waiters = this.waiters;
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private describe(): string {
    return this.events.map((e) => `${e.event}#${e.id}`).join(', ') || 'no events';
  }
}

function blank(): { id: string | undefined; event: string; data: string[] } {
  return { id: undefined, event: 'message', data: [] };
}
