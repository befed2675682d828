import { Counter, Gauge, Registry } from 'prom-client';
import { FastCounter, FastHistogram, type HistogramCell } from './fast-metrics.js';
import type { TrafficStats } from './traffic-stats.js';

/** Seconds; the common SLO thresholds (120, 300, 400, 650 ms) are bounds, as in TrafficStats. */
const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.12, 0.25, 0.3, 0.4, 0.5, 0.65, 1, 2.5, 5, 10, 30, 60,
];
const RTT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5];
/** Distinct `psp` values kept per service before new ones fold into `(other)`: a header is upstream input. */
const MAX_PSP_VALUES = 32;
const MAX_LABEL_LENGTH = 64;

export interface RequestMeasure {
  readonly service: string;
  readonly version: string;
  readonly rolloutStep: number | undefined;
  readonly endpoint: string;
  readonly method: string;
  /** 0 when no response came (transport error, timeout answered by the gateway). */
  readonly status: number;
  readonly latencyMs: number;
  readonly psp?: string;
}

/**
 * Every measurement the gateway takes goes to both sinks: the in-memory TrafficStats the `builtin` metric provider
 * reads, and prom-client metrics on the gateway's own registry (`/metrics` on the admin port). Label children are
 * cached per label combination, so the hot path does a Map lookup, not prom-client's label hashing.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: FastCounter;
  private readonly duration: FastHistogram;
  private readonly rtt: FastHistogram;
  private readonly connections: Gauge<string>;
  private readonly mirrors: Counter<string>;
  private readonly children = new Map<string, { count: { value: number }; duration: HistogramCell }>();
  private readonly psps = new Map<string, Set<string>>();
  private readonly open = new Map<string, number>();

  constructor(private readonly stats: TrafficStats | undefined) {
    const registers = [this.registry];
    // The hot-path families are FastCounter/FastHistogram (fast-metrics.ts); the rare ones stay prom-client's.
    this.requests = new FastCounter(
      'pitboss_gateway_requests_total',
      'Requests proxied by the gateway, by version, endpoint, status class and outcome',
      this.registry,
    );
    this.duration = new FastHistogram(
      'pitboss_gateway_request_duration_seconds',
      'Time from the request reaching the gateway to the end of the response',
      this.registry,
      DURATION_BUCKETS,
    );
    this.rtt = new FastHistogram(
      'pitboss_gateway_ws_rtt_seconds',
      'WebSocket ping to pong round trip: side="upstream" gateway to the version (what ws_rtt_p95 gates on), side="client" gateway to the player',
      this.registry,
      RTT_BUCKETS,
    );
    this.connections = new Gauge({
      name: 'pitboss_gateway_ws_connections',
      help: 'Open proxied WebSocket connections',
      labelNames: ['service', 'version'],
      registers,
    });
    this.mirrors = new Counter({
      name: 'pitboss_gateway_mirrored_requests_total',
      help: 'Shadow requests: sent, failed (transport error or 5xx) or skipped (over the concurrency or body limit)',
      labelNames: ['service', 'version', 'result'],
      registers,
    });
  }

  request(m: RequestMeasure): void {
    const psp = m.psp === undefined ? '' : this.boundedPsp(m.service, m.psp);
    const failed = !(m.status >= 100 && m.status < 500);
    this.stats?.recordRequest({
      service: m.service,
      version: m.version,
      endpoint: m.endpoint,
      method: m.method,
      status: m.status,
      latencyMs: m.latencyMs,
      ...(psp === '' ? {} : { psp }),
    });
    const step = m.rolloutStep === undefined ? '' : String(m.rolloutStep);
    const statusClass = m.status >= 100 && m.status < 600 ? `${Math.floor(m.status / 100)}xx` : 'error';
    const method = KNOWN_METHODS.has(m.method) ? m.method : 'OTHER';
    const key = `${m.service}\u0000${m.version}\u0000${step}\u0000${m.endpoint}\u0000${psp}\u0000${method}\u0000${statusClass}`;
    let child = this.children.get(key);
    if (!child) {
      const outcome = failed ? 'failure' : 'success';
      const labels = {
        service: m.service,
        version: m.version,
        rollout_step: step,
        endpoint: m.endpoint,
        psp,
      };
      const durationKey = `${m.service}\u0000${m.version}\u0000${step}\u0000${m.endpoint}\u0000${psp}`;
      child = {
        count: this.requests.cell(key, { ...labels, method, status_class: statusClass, outcome }),
        duration: this.duration.cell(durationKey, labels),
      };
      this.children.set(key, child);
    }
    child.count.value++;
    this.duration.observe(child.duration, m.latencyMs / 1000);
  }

  /**
   * One WebSocket ping/pong round trip. `upstream` (gateway ↔ the version's server) is what a release changes: it
   * goes to TrafficStats (the builtin `ws_rtt_p95`) and the histogram. `client` (gateway ↔ player) measures the
   * player's network, not the release: histogram only, under `side="client"`, so the two never mix.
   */
  wsRtt(
    service: string,
    version: string,
    rolloutStep: number | undefined,
    rttMs: number,
    side: 'upstream' | 'client',
  ): void {
    if (side === 'upstream') this.stats?.recordWsRtt({ service, version, rttMs });
    const step = rolloutStep === undefined ? '' : String(rolloutStep);
    const cell = this.rtt.cell(`${service}\u0000${version}\u0000${step}\u0000${side}`, {
      service,
      version,
      rollout_step: step,
      side,
    });
    this.rtt.observe(cell, rttMs / 1000);
  }

  /** One more (+1) or one fewer (-1) open WebSocket to a version. */
  wsConnection(service: string, version: string, delta: 1 | -1): void {
    const key = `${service}\u0000${version}`;
    const n = Math.max(0, (this.open.get(key) ?? 0) + delta);
    this.open.set(key, n);
    this.connections.labels(service, version).set(n);
    this.stats?.wsConnections({ service, version, connections: n });
  }

  mirror(service: string, version: string, result: 'sent' | 'failed' | 'skipped'): void {
    this.mirrors.labels(service, version, result).inc();
  }

  private boundedPsp(service: string, raw: string): string {
    const value = raw.length > MAX_LABEL_LENGTH ? raw.slice(0, MAX_LABEL_LENGTH) : raw;
    let seen = this.psps.get(service);
    if (!seen) {
      seen = new Set();
      this.psps.set(service, seen);
    }
    if (seen.has(value)) return value;
    if (seen.size >= MAX_PSP_VALUES) return '(other)';
    seen.add(value);
    return value;
  }
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
