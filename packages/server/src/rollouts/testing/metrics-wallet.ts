import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';
import type { RouteState } from '../../routing/router.js';

/** How one version treats deposits at one PSP. */
export interface Behaviour {
  /** Share of deposits that fail, 0–1. */
  readonly failureRatio: number;
  /** Typical deposit latency; each deposit takes 80–120 % of it. */
  readonly latencyMs: number;
}

export interface MetricsWalletOptions {
  /** The service the traffic belongs to: the router's weight for it splits the traffic between the versions. */
  readonly service: string;
  readonly stable: string;
  readonly canary: string;
  /** Where the rollout's routing is read (the NopRouter records what the controller asked). */
  readonly route: (service: string) => RouteState;
  readonly psps?: readonly string[];
  readonly depositsPerSecond?: number;
  readonly tickMs?: number;
}

// One failure in a thousand deposits: each PSP of a 10 % canary then has at most one failure in any 2 s window.
const HEALTHY: Behaviour = { failureRatio: 0.001, latencyMs: 150 };

/**
 * A wallet service for end-to-end tests of the release loop: it exposes Prometheus metrics at `/metrics`
 * (`deposits_total{version, psp, outcome}` and the histogram `deposit_duration_seconds{version, psp}`), and
 * plays synthetic deposit traffic into itself on a timer. The traffic follows the routing: the canary gets the
 * router's weight of it, so a rollback drains the canary as the gateway would. Outcomes and latencies are
 * deterministic (error accumulators and a fixed spread, no randomness), so each scenario gives the same figures.
 */
export class MetricsWallet {
  readonly registry = new Registry();
  private readonly deposits: Counter<'version' | 'psp' | 'outcome'>;
  private readonly latency: Histogram<'version' | 'psp'>;
  private readonly behaviour = new Map<string, Behaviour>();
  /** Per version and PSP: deposits served, and the failure accumulator that makes the ratio exact. */
  private readonly served = new Map<string, { n: number; debt: number }>();
  private readonly psps: readonly string[];
  private readonly perTick: number;
  private canaryCarry = 0;
  /** Per version, the PSP of its next deposit (round robin, so every PSP of every version gets traffic). */
  private readonly nextPsp = new Map<string, number>();
  private server: http.Server | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: MetricsWalletOptions) {
    this.psps = options.psps ?? ['A', 'B'];
    this.perTick = ((options.depositsPerSecond ?? 1000) * (options.tickMs ?? 100)) / 1000;
    this.deposits = new Counter({
      name: 'deposits_total',
      help: 'Deposits by version, PSP and outcome.',
      labelNames: ['version', 'psp', 'outcome'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'deposit_duration_seconds',
      help: 'Deposit latency by version and PSP.',
      labelNames: ['version', 'psp'],
      buckets: [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2],
      registers: [this.registry],
    });
  }

  /** Sets how `version` behaves at `psp` (every PSP when omitted). */
  configure(version: string, behaviour: Partial<Behaviour>, psp?: string): void {
    for (const p of psp === undefined ? this.psps : [psp]) {
      const key = `${version}/${p}`;
      this.behaviour.set(key, { ...(this.behaviour.get(key) ?? HEALTHY), ...behaviour });
    }
  }

  /** Every version healthy again (the counters keep counting, as a real service's do). */
  heal(): void {
    this.behaviour.clear();
  }

  /** Deposits `version` has served so far (all PSPs). */
  count(version: string): number {
    let total = 0;
    for (const [key, s] of this.served) if (key.startsWith(`${version}/`)) total += s.n;
    return total;
  }

  /** Starts the HTTP server and the traffic; answers the scrape target `host:port`. */
  async start(): Promise<string> {
    const server = http.createServer((req, res) => {
      if (req.url !== '/metrics') return res.writeHead(404).end();
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 100);
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** One tick of traffic, split by the current weight (a segment or mirror is not modelled). */
  private tick(): void {
    const weight = this.options.route(this.options.service).weight;
    this.canaryCarry += (this.perTick * weight) / 100;
    const canary = Math.floor(this.canaryCarry);
    this.canaryCarry -= canary;
    const stable = Math.round(this.perTick) - canary;
    for (let i = 0; i < stable; i++) this.deposit(this.options.stable);
    for (let i = 0; i < canary; i++) this.deposit(this.options.canary);
  }

  private deposit(version: string): void {
    const turn = this.nextPsp.get(version) ?? 0;
    this.nextPsp.set(version, turn + 1);
    const psp = this.psps[turn % this.psps.length]!;
    const key = `${version}/${psp}`;
    const b = this.behaviour.get(key) ?? HEALTHY;
    const s = this.served.get(key) ?? { n: 0, debt: 0 };
    this.served.set(key, s);
    s.n++;
    s.debt += b.failureRatio;
    const failed = s.debt >= 1;
    if (failed) s.debt -= 1;
    this.deposits.inc({ version, psp, outcome: failed ? 'failure' : 'success' });
    // A fixed spread of 80–120 % around the typical latency.
    const spread = 0.8 + ((s.n * 37) % 41) / 100;
    this.latency.observe({ version, psp }, (b.latencyMs * spread) / 1000);
  }
}
