/** What `take` answers: allowed, or refused with the wait until a token is back. */
export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * A token bucket per key: up to `burst` requests at once, refilled continuously at `perSecond`. Buckets live in
 * memory per replica (a fleet of N replicas admits up to N times the rate — enough to protect each replica's
 * database writes, which is the point). A full bucket is the same as no bucket, so full ones are forgotten and
 * the map holds only keys that were busy lately.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.lastSweep = clock();
  }

  /** Takes one token from `key`'s bucket if it has one. */
  take(key: string): RateDecision {
    const now = this.clock();
    this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updated: now };
    this.refill(bucket, now);
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000) };
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    return { allowed: true };
  }

  /** Keys with a partly empty bucket. */
  get size(): number {
    return this.buckets.size;
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsed = Math.max(0, now - bucket.updated);
    bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsed / 1000) * this.perSecond);
    bucket.updated = now;
  }

  /** At most once per refill period, forgets the buckets that have filled up again. */
  private sweep(now: number): void {
    if (now - this.lastSweep < (this.burst / this.perSecond) * 1000) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      this.refill(bucket, now);
      if (bucket.tokens >= this.burst) this.buckets.delete(key);
    }
  }
}
