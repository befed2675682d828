import { Pool } from 'undici';
import { CircuitBreaker } from './circuit-breaker.js';
import type { HealthCheckConfig } from './gateway-config.js';

/**
 * Upstream targets and the pools (stable, canary) that round-robin over them.
 *
 * Why undici's Pool and `stream()` rather than node:http with a keep-alive Agent: on this machine a bare proxy
 * relaying GETs through `Pool.stream` did 4.7–10.8 k req/s against 2.1–3.9 k req/s for `http.request` with a
 * keep-alive Agent (and 2.4–6.1 k for undici's `request()` piping the body), same upstream and client, two rounds
 * alternating the order (the machine is shared, so only the ordering is meaningful). `stream()` writes the
 * upstream body straight into the player's response, with no intermediate Readable.
 */

export interface TargetOptions {
  readonly connectMs: number;
  readonly healthCheck?: HealthCheckConfig;
  readonly breaker: { readonly failures: number; readonly cooldownMs: number };
}

/** Most connections kept to one target; requests beyond it queue in the pool. */
const MAX_CONNECTIONS = 256;

/** One upstream base URL with its connection pool, its circuit breaker and its health. */
export class UpstreamTarget {
  readonly origin: string;
  /** Path of the base URL without a trailing slash ('' for none), prepended to request paths. */
  readonly basePath: string;
  readonly dispatcher: Pool;
  readonly breaker: CircuitBreaker;
  /** False once active health checks failed `unhealthyThreshold` times in a row. */
  healthy = true;
  private mirrorPool: Pool | undefined;
  private timer: NodeJS.Timeout | undefined;
  private passes = 0;
  private fails = 0;
  private closed = false;

  constructor(
    readonly url: string,
    private readonly options: TargetOptions,
    now: () => number,
  ) {
    const parsed = new URL(url);
    this.origin = parsed.origin;
    this.basePath = parsed.pathname.replace(/\/+$/, '');
    this.dispatcher = new Pool(this.origin, {
      connections: MAX_CONNECTIONS,
      pipelining: 1,
      connect: { timeout: options.connectMs },
    });
    this.breaker = new CircuitBreaker(options.breaker.failures, options.breaker.cooldownMs, now);
    const hc = options.healthCheck;
    if (hc) {
      this.timer = setInterval(() => void this.check(hc), hc.intervalMs);
      this.timer.unref();
    }
  }

  /** Shadow traffic gets its own connections, so a slow canary cannot queue behind or ahead of real requests. */
  get mirrorDispatcher(): Pool {
    this.mirrorPool ??= new Pool(this.origin, {
      connections: 64,
      connect: { timeout: this.options.connectMs },
    });
    return this.mirrorPool;
  }

  /** Can take a request now (healthy and the circuit not open); in half-open this takes the probe slot. */
  acquire(): boolean {
    return this.healthy && this.breaker.allow();
  }

  /** Healthy with a closed circuit: for mirrors, which never probe. */
  get available(): boolean {
    return this.healthy && this.breaker.available;
  }

  /** One active health check: any 2xx or 3xx within the timeout passes. */
  async check(hc: HealthCheckConfig): Promise<void> {
    if (this.closed) return;
    let ok = false;
    try {
      const res = await this.dispatcher.request({
        path: `${this.basePath}${hc.path}`,
        method: 'GET',
        headersTimeout: hc.timeoutMs,
        bodyTimeout: hc.timeoutMs,
        signal: AbortSignal.timeout(hc.timeoutMs),
      });
      await res.body.dump();
      ok = res.statusCode >= 200 && res.statusCode < 400;
    } catch {
      ok = false;
    }
    if (ok) {
      this.fails = 0;
      if (!this.healthy && ++this.passes >= hc.healthyThreshold) this.healthy = true;
    } else {
      this.passes = 0;
      if (this.healthy && ++this.fails >= hc.unhealthyThreshold) this.healthy = false;
    }
  }

  /** Stops health checks and closes the pools once their in-flight requests finish (undici `close`). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([this.dispatcher.close(), this.mirrorPool?.close()]);
  }
}

/** The targets of one version, round-robin over those that can take traffic. */
export class UpstreamPool {
  private next = 0;
  private leases = 0;
  private onRetired: (() => void) | undefined;

  constructor(
    readonly version: string,
    readonly targets: readonly UpstreamTarget[],
  ) {}

  /** The next target able to take a request, skipping `exclude` (the one a retry just failed on) when possible. */
  pick(exclude?: UpstreamTarget): UpstreamTarget | undefined {
    const n = this.targets.length;
    let fallback: UpstreamTarget | undefined;
    for (let i = 0; i < n; i++) {
      const t = this.targets[this.next++ % n]!;
      if (this.next >= n) this.next = 0;
      if (t === exclude) {
        fallback = t;
        continue;
      }
      if (t.acquire()) return t;
    }
    return fallback?.acquire() ? fallback : undefined;
  }

  /** A target for a mirrored request: never takes a half-open probe slot. */
  pickForMirror(): UpstreamTarget | undefined {
    const n = this.targets.length;
    for (let i = 0; i < n; i++) {
      const t = this.targets[this.next++ % n]!;
      if (this.next >= n) this.next = 0;
      if (t.available) return t;
    }
    return undefined;
  }

  /**
   * Requests hold a lease on the pool they were routed to until they end, so a reconfiguration that retires the
   * pool closes its targets only after the last of them (a request routed, then reading its body, must still
   * find its target open).
   */
  lease(): void {
    this.leases++;
  }

  unlease(): void {
    if (--this.leases === 0 && this.onRetired) {
      const release = this.onRetired;
      this.onRetired = undefined;
      release();
    }
  }

  /** Calls `release` once no request holds the pool any more (at once when none does). */
  retire(release: () => void): void {
    if (this.leases === 0) release();
    else this.onRetired = release;
  }

  get healthyTargets(): number {
    return this.targets.filter((t) => t.available).length;
  }
}

/**
 * Targets shared across reconfigurations: a config that keeps a target keeps its connections, breaker and
 * health; a target no pool uses any more is closed gracefully (in-flight requests finish first).
 */
export class TargetRegistry {
  private readonly entries = new Map<string, { target: UpstreamTarget; refs: number }>();

  constructor(private readonly now: () => number) {}

  acquire(url: string, options: TargetOptions): UpstreamTarget {
    const key = `${url}\u0000${JSON.stringify(options)}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { target: new UpstreamTarget(url, options, this.now), refs: 0 };
      this.entries.set(key, entry);
    }
    entry.refs++;
    return entry.target;
  }

  release(target: UpstreamTarget): void {
    for (const [key, entry] of this.entries) {
      if (entry.target !== target) continue;
      if (--entry.refs <= 0) {
        this.entries.delete(key);
        target.close().catch(() => {});
      }
      return;
    }
  }

  async closeAll(): Promise<void> {
    const targets = [...this.entries.values()].map((e) => e.target);
    this.entries.clear();
    await Promise.all(targets.map((t) => t.close()));
  }
}
