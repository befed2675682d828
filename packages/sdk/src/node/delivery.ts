import { Backoff } from '../shared/backoff.js';
import { HttpError, httpError, sleep } from './http.js';
import { readStream } from './stream-connection.js';

/** What the delivery loop needs from the client: it fetches, the client decides what to keep. */
export interface DeliveryHost {
  /** The version held, for `Last-Event-ID` and `If-None-Match`. */
  version(): number | undefined;
  /** A snapshot's JSON text arrived (snapshot GET, SSE `snapshot` or `change`). */
  receive(text: string): void;
  /** The control plane answered: not stale. */
  contact(): void;
  /** Something failed; `fatal` means delivery stopped (revoked key, wrong environment). */
  failure(error: unknown, fatal: boolean): void;
}

export interface DeliveryOptions {
  readonly url: string;
  readonly sdkKey: string;
  readonly environment: string;
  readonly fetch: typeof fetch;
  readonly streaming: boolean;
  readonly pollIntervalMs: number;
  readonly reconnect: { initialMs?: number; maxMs?: number };
  readonly streamFailuresBeforePolling: number;
  readonly streamRetryMs: number;
  readonly streamIdleTimeoutMs: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

/**
 * Keeps the client's config current: one snapshot GET (fast first config, gzip, cacheable), then the SSE stream
 * resumed with `Last-Event-ID` (the server answers `: up to date` or a newer snapshot, so no change is missed).
 * A stream that keeps failing while the server is reachable — an answer but no stream byte on several attempts
 * in a row, e.g. a proxy that buffers or forbids streaming — falls back to polling the snapshot with `If-None-Match`, and tries the stream again later.
 *
 * @example
 * const delivery = new Delivery(options, host);
 * delivery.start();
 * await delivery.stop();
 */
export class Delivery {
  private readonly stopper = new AbortController();
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private readonly now: () => number;
  private loop: Promise<void> | undefined;
  private streamFailures = 0;
  private pollingSince: number | undefined;

  constructor(
    private readonly options: DeliveryOptions,
    private readonly host: DeliveryHost,
  ) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.backoff = new Backoff(options.reconnect, this.random);
  }

  /** `'stream'` or `'poll'`: how the loop currently gets changes. */
  get mode(): 'stream' | 'poll' {
    return this.options.streaming && this.pollingSince === undefined ? 'stream' : 'poll';
  }

  start(): void {
    this.loop ??= this.run().catch((err) => this.host.failure(err, false));
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private async run(): Promise<void> {
    if (!(await this.poll())) return;
    while (!this.stopped) {
      if (this.mode === 'poll') {
        await sleep(this.options.pollIntervalMs, this.stopper.signal);
        if (this.stopped) return;
        if (!(await this.poll())) return;
        this.maybeRetryStream();
      } else {
        const delay = await this.streamOnce();
        if (delay === undefined) return;
        await sleep(delay, this.stopper.signal);
      }
    }
  }

  /** One stream connection; answers the delay before the next attempt, or undefined to stop for good. */
  private async streamOnce(): Promise<number | undefined> {
    const version = this.host.version();
    const end = await readStream({
      url: this.endpoint('stream'),
      headers: {
        authorization: `Bearer ${this.options.sdkKey}`,
        ...(version === undefined ? {} : { 'last-event-id': String(version) }),
      },
      fetch: this.options.fetch,
      signal: this.stopper.signal,
      idleTimeoutMs: this.options.streamIdleTimeoutMs,
      onEvent: (message) => {
        if (message.event === 'snapshot' || message.event === 'change') this.host.receive(message.data);
      },
      onActivity: () => this.host.contact(),
    });
    if (this.stopped) return undefined;
    if (end.error instanceof HttpError && end.error.fatal) {
      this.host.failure(end.error, true);
      return undefined;
    }
    if (end.received) {
      // A connection that delivered is healthy: back-off and the fallback count start again.
      this.backoff.reset();
      this.streamFailures = 0;
    } else if (end.connected) {
      // Reachable yet no stream: a proxy that refuses or buffers streaming. Polling may work where this cannot.
      // An unreachable server is not counted: polling it would fail the same way, only slower to recover.
      this.streamFailures++;
    }
    if (end.kind === 'error' || end.kind === 'idle')
      this.host.failure(end.error ?? new Error(`stream ${end.kind}`), false);
    // `shutdown` is a replica going away on purpose: reconnect at once (to another one), jittered up to 1 s.
    if (end.kind === 'shutdown') return Math.round(this.random() * 1000);
    if (this.streamFailures >= this.options.streamFailuresBeforePolling) {
      this.pollingSince = this.now();
      return 0;
    }
    return this.backoff.next();
  }

  /** While polling as a fallback, gives the stream one more chance every `streamRetryMs`. */
  private maybeRetryStream(): void {
    if (!this.options.streaming || this.pollingSince === undefined) return;
    if (this.now() - this.pollingSince < this.options.streamRetryMs) return;
    this.pollingSince = undefined;
    // One failure sends it straight back to polling.
    this.streamFailures = this.options.streamFailuresBeforePolling - 1;
  }

  /** One snapshot GET. Answers false when delivery must stop (fatal HTTP status or closed). */
  private async poll(): Promise<boolean> {
    const version = this.host.version();
    try {
      const res = await this.options.fetch(this.endpoint('snapshot'), {
        headers: {
          authorization: `Bearer ${this.options.sdkKey}`,
          // The server's ETag is the version in quotes, so the held version is a valid validator whatever
          // source it came from (stream, cache file), and a bootstrap's version 0 matches nothing.
          ...(version === undefined ? {} : { 'if-none-match': `"${version}"` }),
        },
        signal: this.stopper.signal,
      });
      if (res.status === 304) {
        this.host.contact();
        return true;
      }
      if (!res.ok) throw await httpError(res, 'snapshot');
      const text = await res.text();
      this.host.contact();
      this.host.receive(text);
      return true;
    } catch (err) {
      if (this.stopped) return false;
      const fatal = err instanceof HttpError && err.fatal;
      this.host.failure(err, fatal);
      return !fatal;
    }
  }

  private endpoint(kind: 'snapshot' | 'stream'): string {
    const base = this.options.url.replace(/\/+$/, '');
    return `${base}/sdk/v1/${kind}?environment=${encodeURIComponent(this.options.environment)}`;
  }
}
