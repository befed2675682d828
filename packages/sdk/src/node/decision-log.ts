import { Backoff } from '../shared/backoff.js';
import { HttpError, httpError } from './http.js';
import type { DecisionLogOptions } from './options.js';
import { activeTraceId } from './trace.js';

/** One recorded evaluation; `at` is epoch ms until it is posted (formatting it on the hot path would allocate). */
export interface Decision {
  readonly flag: string;
  readonly variant: string | undefined;
  readonly reason: string;
  readonly ruleIndex: number | undefined;
  readonly traceId: string | undefined;
  readonly at: number;
}

/** Posts one batch; throws an HttpError (or a network error) when the server did not accept it. */
export type DecisionSender = (batch: readonly Decision[]) => Promise<void>;

/** The server's limits on a decision (docs/delivery.md "Decision logs"): longer strings would refuse the batch. */
const MAX_FIELD = 128;
/** Bounds the per-flag bookkeeping against unknown flag keys. */
const MAX_TRACKED_FLAGS = 10_000;

/**
 * Records evaluations and posts them in batches, in the background. The first decision of each flag/variant
 * is always kept (so every variant a flag served shows up once), the rest are sampled and then rate-limited
 * per flag and second. Memory is bounded: past `maxQueue` the oldest decisions are dropped and counted.
 * A 429 keeps the batch and waits `Retry-After`; a 4xx other than 429 drops it (retrying cannot succeed).
 *
 * @example
 * const log = new DecisionLog({ sampleRate: 0.1 }, postDecisions(url, sdkKey, 'prod', fetch));
 * log.record('payments_v2', 'on', 'SPLIT', 0, context);
 * await log.close();
 */
export class DecisionLog {
  private queue: Decision[] = [];
  private readonly seen = new Map<string, Set<string>>();
  private readonly perSecond = new Map<string, { second: number; count: number }>();
  private readonly sampleRate: number;
  private readonly maxPerFlagPerSecond: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly timer: NodeJS.Timeout;
  private readonly backoff = new Backoff({ initialMs: 1000, maxMs: 60_000 });
  private inflight: Promise<void> | undefined;
  private pausedUntil = 0;
  private posted = 0;
  private dropped = 0;

  constructor(
    options: DecisionLogOptions,
    private readonly send: DecisionSender,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly warn: (msg: string, err?: unknown) => void = () => {},
  ) {
    this.sampleRate = Math.min(1, Math.max(0, options.sampleRate ?? 1));
    this.maxPerFlagPerSecond = Math.max(0, options.maxPerFlagPerSecond ?? 100);
    this.maxBatch = Math.min(1000, Math.max(1, Math.floor(options.maxBatch ?? 1000)));
    this.maxQueue = Math.max(this.maxBatch, Math.floor(options.maxQueue ?? 10_000));
    this.timer = setInterval(() => void this.flush(), Math.max(10, options.flushIntervalMs ?? 5000));
    this.timer.unref?.();
  }

  record(
    flag: string,
    variant: string | undefined,
    reason: string,
    ruleIndex: number | undefined,
    context: Record<string, unknown> | undefined,
  ): void {
    if (flag.length === 0 || flag.length > MAX_FIELD) return;
    if (!this.first(flag, variant)) {
      if (this.sampleRate < 1 && this.random() >= this.sampleRate) return;
      if (!this.withinRate(flag)) return;
    }
    const v = variant !== undefined && variant.length <= MAX_FIELD ? variant : undefined;
    this.push({ flag, variant: v, reason, ruleIndex, traceId: traceIdOf(context), at: this.now() });
  }

  /** Counters since start: decisions waiting, accepted by the server, and dropped (overflow or refused). */
  stats(): { queued: number; posted: number; dropped: number } {
    return { queued: this.queue.length, posted: this.posted, dropped: this.dropped };
  }

  /** Posts one batch now, unless one is in flight or the server asked to wait. */
  flush(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (this.queue.length === 0 || this.now() < this.pausedUntil) return Promise.resolve();
    const batch = this.queue.splice(0, this.maxBatch);
    this.inflight = this.post(batch).finally(() => {
      this.inflight = undefined;
      // A full batch still waiting (a burst outran one post per tick): post it now, not a tick later.
      if (this.queue.length >= this.maxBatch) void this.flush();
    });
    return this.inflight;
  }

  /** Stops the timer and posts what is queued, stopping at the first failure (a closing process cannot wait). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.inflight;
    this.pausedUntil = 0;
    while (this.queue.length > 0) {
      const before = this.posted;
      await this.flush();
      if (this.posted === before) break;
    }
  }

  private first(flag: string, variant: string | undefined): boolean {
    let variants = this.seen.get(flag);
    if (variants === undefined) {
      if (this.seen.size >= MAX_TRACKED_FLAGS) return false;
      variants = new Set();
      this.seen.set(flag, variants);
    }
    const key = variant ?? '';
    if (variants.has(key)) return false;
    variants.add(key);
    return true;
  }

  private withinRate(flag: string): boolean {
    const second = Math.floor(this.now() / 1000);
    let bucket = this.perSecond.get(flag);
    if (bucket === undefined) {
      if (this.perSecond.size >= MAX_TRACKED_FLAGS) return false;
      bucket = { second, count: 0 };
      this.perSecond.set(flag, bucket);
    }
    if (bucket.second !== second) {
      bucket.second = second;
      bucket.count = 0;
    }
    if (bucket.count >= this.maxPerFlagPerSecond) return false;
    bucket.count++;
    return true;
  }

  private push(decision: Decision): void {
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(decision);
    if (this.queue.length >= this.maxBatch) void this.flush();
  }

  private async post(batch: Decision[]): Promise<void> {
    try {
      await this.send(batch);
      this.posted += batch.length;
      this.backoff.reset();
    } catch (err) {
      if (err instanceof HttpError && err.status === 429) {
        this.pausedUntil = this.now() + (err.retryAfterSeconds ?? 1) * 1000;
        this.requeue(batch);
      } else if (err instanceof HttpError && err.status >= 400 && err.status < 500 && err.status !== 408) {
        this.dropped += batch.length;
        this.warn('decision batch refused; dropped', err);
      } else {
        this.pausedUntil = this.now() + this.backoff.next();
        this.requeue(batch);
        this.warn('cannot post decisions; will retry', err);
      }
    }
  }

  /** Puts a batch back in front (it is older than what came since), keeping the bound by dropping the oldest. */
  private requeue(batch: Decision[]): void {
    this.queue = batch.concat(this.queue);
    const excess = this.queue.length - this.maxQueue;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.dropped += excess;
    }
  }
}

function traceIdOf(context: Record<string, unknown> | undefined): string | undefined {
  const id = activeTraceId() ?? context?.traceId;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_FIELD ? id : undefined;
}

/**
 * The sender for `POST /sdk/v1/decisions`.
 *
 * @example
 * const send = postDecisions('https://pitboss.example', 'pb_sdk_…', 'prod', fetch);
 */
export function postDecisions(
  url: string,
  sdkKey: string,
  environment: string,
  fetchFn: typeof fetch,
): DecisionSender {
  const endpoint = `${url.replace(/\/+$/, '')}/sdk/v1/decisions?environment=${encodeURIComponent(environment)}`;
  return async (batch) => {
    const decisions = batch.map((d) => ({
      flag: d.flag,
      reason: d.reason,
      at: new Date(d.at).toISOString(),
      ...(d.variant === undefined ? {} : { variant: d.variant }),
      ...(d.ruleIndex === undefined ? {} : { ruleIndex: d.ruleIndex }),
      ...(d.traceId === undefined ? {} : { traceId: d.traceId }),
    }));
    const res = await fetchFn(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${sdkKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ environment, decisions }),
    });
    if (!res.ok) throw await httpError(res, 'decisions');
    await res.body?.cancel().catch(() => {});
  };
}
