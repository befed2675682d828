import type { MetricProvider } from '../analysis/provider.js';
import { type HealthSample, type HealthTarget, lastBoundary, querySample } from './release-health.js';

/** What `watch ?health=true` is told: a new sample, or that samples cannot be read (once per failure streak). */
export type HealthEvent = HealthSample | { readonly available: false; readonly error: string };

/** Where release health is read: the `builtin` metric provider, on the rollout driver's clock. */
export interface HealthSource {
  provider(): MetricProvider;
  readonly clock?: () => Date;
}

/** Slack after a step boundary before its sample is read: requests finishing at the boundary are recorded. */
const SETTLE_MS = 100;

/**
 * Emits one sample per `stepMs` for a `watch` stream: the last whole step at once, then each new one shortly
 * after its boundary. Never throws: a failing query emits `{available:false,error}` once, until one succeeds.
 */
export class HealthWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private lastAt = Number.NEGATIVE_INFINITY;
  private failing = false;
  private stopped = false;

  constructor(
    private readonly source: HealthSource,
    private readonly stepMs: number,
    private readonly target: () => HealthTarget,
    private readonly emit: (event: HealthEvent) => void,
  ) {}

  start(): void {
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
  }

  private now(): number {
    return (this.source.clock?.() ?? new Date()).getTime();
  }

  private async sample(at: number): ReturnType<typeof querySample> {
    try {
      return await querySample(
        this.source.provider(),
        this.target(),
        this.stepMs,
        new Date(at),
        this.abort.signal,
      );
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  private async tick(): Promise<void> {
    const at = lastBoundary(this.now(), this.stepMs);
    if (at > this.lastAt) {
      this.lastAt = at;
      const r = await this.sample(at);
      if (this.stopped) return;
      if (r.ok) {
        this.failing = false;
        this.emit(r.sample);
      } else if (!this.failing) {
        this.failing = true;
        this.emit({ available: false, error: r.error });
      }
    }
    const next = lastBoundary(this.now(), this.stepMs) + this.stepMs;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, next - this.now()) + SETTLE_MS);
  }
}
