/**
 * The knobs of SDK delivery, passed as `AppOptions.delivery`. Every one has a production default; tests shorten
 * the timers and shrink the bounds so that behaviour shows within a test's time.
 */
export interface DeliveryOptions {
  /** Interval between SSE heartbeat comments. Default 15 s: below the 30–60 s idle timeouts of common proxies. */
  readonly heartbeatMs?: number;
  /** A stream whose unsent output passes this many bytes is cut off with `event: resync`. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** How long a cut-off or shut-down stream may take to drain its last event before its socket is destroyed. */
  readonly drainGraceMs?: number;
  /** Largest `POST /sdk/v1/evaluate` body in bytes. Default 64 KiB: a context, not a data set. */
  readonly evaluateBodyLimit?: number;
  /** Token bucket per key for `POST /sdk/v1/decisions`: `burst` requests at once, refilled at `perSecond`. */
  readonly decisionRateLimit?: { readonly burst: number; readonly perSecond: number };
  /** Decision logs received longer ago than this are deleted. Default 7. */
  readonly decisionRetentionDays?: number;
  /** How often the retention sweep runs. Default 1 h. */
  readonly decisionRetentionIntervalMs?: number;
  /** Milliseconds since the epoch, for the rate limiter and retention; `Date.now` by default. */
  readonly clock?: () => number;
  /** Origins whose pages may call the SDK routes (CORS), e.g. `https://casino.example`; `*` for any. Default none. */
  readonly corsOrigins?: readonly string[];
}

export type ResolvedDeliveryOptions = Required<DeliveryOptions>;

/** The options with every default filled in, checked so that a typo'd zero fails at start, not at run time. */
export function resolveDeliveryOptions(options: DeliveryOptions = {}): ResolvedDeliveryOptions {
  const resolved: ResolvedDeliveryOptions = {
    heartbeatMs: options.heartbeatMs ?? 15_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 1 << 20,
    drainGraceMs: options.drainGraceMs ?? 5_000,
    evaluateBodyLimit: options.evaluateBodyLimit ?? 64 << 10,
    decisionRateLimit: options.decisionRateLimit ?? { burst: 60, perSecond: 10 },
    decisionRetentionDays: options.decisionRetentionDays ?? 7,
    decisionRetentionIntervalMs: options.decisionRetentionIntervalMs ?? 3_600_000,
    clock: options.clock ?? Date.now,
    corsOrigins: options.corsOrigins ?? [],
  };
  const positive: [string, number][] = [
    ['heartbeatMs', resolved.heartbeatMs],
    ['maxBufferedBytes', resolved.maxBufferedBytes],
    ['drainGraceMs', resolved.drainGraceMs],
    ['evaluateBodyLimit', resolved.evaluateBodyLimit],
    ['decisionRateLimit.burst', resolved.decisionRateLimit.burst],
    ['decisionRateLimit.perSecond', resolved.decisionRateLimit.perSecond],
    ['decisionRetentionDays', resolved.decisionRetentionDays],
    ['decisionRetentionIntervalMs', resolved.decisionRetentionIntervalMs],
  ];
  for (const [name, value] of positive) {
    if (!(Number.isFinite(value) && value > 0))
      throw new Error(`delivery.${name} must be positive, not ${value}`);
  }
  return resolved;
}
