/**
 * Jittered exponential back-off for reconnecting clients. "Equal jitter": half the delay is fixed, half random,
 * so a fleet of clients that lost the same server spreads out but none retries at once by chance
 * (AWS Architecture Blog, "Exponential Backoff and Jitter").
 *
 * @example
 * const backoff = new Backoff({ initialMs: 1000, maxMs: 60_000 });
 * setTimeout(reconnect, backoff.next()); // ~0.5–1 s, then ~1–2 s, … capped near 60 s
 * backoff.reset(); // after a healthy connection
 */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(
    options: { initialMs?: number; maxMs?: number } = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = Math.max(1, options.initialMs ?? 1000);
    this.maxMs = Math.max(this.initialMs, options.maxMs ?? 60_000);
  }

  /** The delay before the next attempt, in milliseconds; each call doubles the ceiling up to `maxMs`. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
