/**
 * Per-target circuit breaker (passive ejection): `failures` consecutive failures open it; while open the target
 * gets no traffic; after `cooldownMs` one request is let through as a probe (half-open) — its success closes the
 * circuit, its failure opens it again for another cooldown. Envoy's outlier detection and the classic Nygard
 * breaker work the same way.
 */
export type BreakerState = 'closed' | 'open' | 'halfOpen';

export class CircuitBreaker {
  private consecutive = 0;
  private openedAt = 0;
  private probing = false;
  private probeAt = 0;
  private current: BreakerState = 'closed';

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a request may go to the target now; in half-open this takes the single probe slot. */
  allow(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.cooldownMs) return false;
      this.current = 'halfOpen';
      this.probing = false;
    }
    // A probe whose outcome never came (the player went away) must not block the target forever.
    if (this.probing && this.now() - this.probeAt < this.cooldownMs) return false;
    this.probing = true;
    this.probeAt = this.now();
    return true;
  }

  /** Whether a request could go without taking a probe slot (mirrors never probe a broken target). */
  get available(): boolean {
    return this.current === 'closed';
  }

  /** The request ended with no verdict on the target (the player went away): frees the probe slot. */
  release(): void {
    this.probing = false;
  }

  success(): void {
    this.consecutive = 0;
    this.probing = false;
    this.current = 'closed';
  }

  failure(): void {
    this.probing = false;
    if (this.current === 'halfOpen') {
      this.trip();
      return;
    }
    this.consecutive++;
    if (this.current === 'closed' && this.consecutive >= this.failures) this.trip();
  }

  private trip(): void {
    this.current = 'open';
    this.openedAt = this.now();
    this.consecutive = 0;
  }
}
