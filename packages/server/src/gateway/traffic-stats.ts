/**
 * Per-version traffic measurements kept in memory: the built-in gateway writes them, the `builtin` metric provider
 * (analysis/providers/builtin.ts) reads them. No Prometheus needed for a canary behind the built-in gateway.
 *
 * Shape: time is cut into slots (`slotMs`, default 5 s) held in a ring that covers `retentionMs` (default 1 h).
 * A slot maps each labelled series that had traffic in it to one histogram (per-bucket counts; the count is their
 * sum), so a query over `(from, to]` sums the slots overlapping it — exact to the slot: the range is widened to
 * whole slots (a range ending on slot boundaries is exact, slots being left-open like Prometheus ranges), and a
 * range longer than the retention sees the retention only.
 *
 * Memory is bounded: at most `maxSeries` label combinations per family (requests, WebSocket RTT). Past the cap,
 * new combinations lose their `endpoint` and `psp` (both become `(other)`), so counts by service and version stay
 * right while the detail that exploded is folded; series idle for a whole retention are forgotten first. A slot
 * holds only the series that had traffic in it, at about 300 bytes each (50 counters and overhead), so memory is
 * at most `slots × maxSeries × 300 B` (720 × 500 × 300 B ≈ 110 MB, every series busy in every slot for an hour)
 * and typically far less: 50 busy series take about 11 MB.
 */

/**
 * Latency bucket upper bounds in ms (inclusive, as Prometheus `le`): about ten per decade from 1 ms to 60 s, on
 * readable values so that common SLO thresholds (120, 300, 400, 650 ms) are bucket bounds; +Inf is implicit.
 */
export const LATENCY_BUCKETS_MS: readonly number[] = buildBuckets();

function buildBuckets(): number[] {
  const mantissas = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6.5, 8];
  const bounds: number[] = [];
  for (let decade = 1; decade <= 10_000; decade *= 10) {
    for (const m of mantissas) if (m * decade < 60_000) bounds.push(Math.round(m * decade * 10) / 10);
  }
  bounds.push(60_000);
  return bounds;
}

/** Index of the bucket `valueMs` falls in; `LATENCY_BUCKETS_MS.length` is +Inf. */
export function bucketIndex(valueMs: number): number {
  let lo = 0;
  let hi = LATENCY_BUCKETS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (valueMs <= LATENCY_BUCKETS_MS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export const REQUEST_LABELS = [
  'service',
  'version',
  'endpoint',
  'method',
  'status_class',
  'psp',
  'outcome',
] as const;
export const WS_LABELS = ['service', 'version'] as const;

/** Value that folded labels take once a family reached its series cap. */
export const OVERFLOW_VALUE = '(other)';

export interface RequestRecord {
  readonly service: string;
  readonly version: string;
  /** The route pattern (`/deposit`), not the raw path: raw paths would explode the series. */
  readonly endpoint: string;
  readonly method: string;
  /** HTTP status; 0 when no response came (connect error, reset, upstream timeout): status_class `error`. */
  readonly status: number;
  readonly latencyMs: number;
  readonly psp?: string;
  /** Overrides the default outcome (failure on 5xx or a transport error), e.g. for business endpoints. */
  readonly outcome?: 'success' | 'failure';
  /** Epoch ms or Date; default the stats' clock. */
  readonly at?: Date | number;
}

export interface WsRttRecord {
  readonly service: string;
  readonly version: string;
  readonly rttMs: number;
  readonly at?: Date | number;
}

export interface WsConnectionsRecord {
  readonly service: string;
  readonly version: string;
  /** Open connections to that version now (a gauge: the gateway counts them). */
  readonly connections: number;
  readonly at?: Date | number;
}

/** A query over `(from, to]` (epoch ms): series matching every `match` label, summed by the `by` labels. */
export interface StatsQuery {
  readonly match: Readonly<Record<string, string>>;
  readonly from: number;
  readonly to: number;
  readonly by: readonly string[];
}

export interface RequestAggregate {
  /** The `by` labels of the group. */
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: number;
  readonly failures: number;
  /** Per-bucket (not cumulative) latency counts: one per LATENCY_BUCKETS_MS bound, then +Inf. */
  readonly latency: readonly number[];
}

export interface HistogramAggregate {
  readonly labels: Readonly<Record<string, string>>;
  readonly count: number;
  readonly buckets: readonly number[];
}

export interface TrafficStatsOptions {
  readonly slotMs?: number;
  readonly retentionMs?: number;
  readonly maxSeries?: number;
  /** The clock used when a record has no `at`. */
  readonly now?: () => number;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const MAX_VALUE_LENGTH = 200;

export class TrafficStats {
  readonly slotMs: number;
  readonly retentionMs: number;
  private readonly now: () => number;
  private readonly requests: HistogramFamily;
  private readonly wsRtt: HistogramFamily;
  private readonly gauges = new Map<string, { labels: Record<string, string>; points: GaugePoint[] }>();
  private readonly maxSeries: number;

  constructor(options: TrafficStatsOptions = {}) {
    this.slotMs = options.slotMs ?? 5_000;
    this.retentionMs = options.retentionMs ?? 3_600_000;
    this.maxSeries = options.maxSeries ?? 500;
    this.now = options.now ?? Date.now;
    if (!(this.slotMs > 0) || !(this.retentionMs >= this.slotMs) || !(this.maxSeries >= 1)) {
      throw new RangeError('TrafficStats: need slotMs > 0, retentionMs >= slotMs and maxSeries >= 1');
    }
    const slots = Math.ceil(this.retentionMs / this.slotMs) + 1;
    this.requests = new HistogramFamily(
      REQUEST_LABELS,
      ['endpoint', 'psp'],
      this.slotMs,
      slots,
      this.maxSeries,
    );
    this.wsRtt = new HistogramFamily(WS_LABELS, [], this.slotMs, slots, this.maxSeries);
  }

  recordRequest(r: RequestRecord): void {
    const failed = r.outcome ? r.outcome === 'failure' : !(r.status >= 100 && r.status < 500);
    const labels = {
      service: clip(r.service),
      version: clip(r.version),
      endpoint: clip(r.endpoint),
      method: METHODS.has(r.method.toUpperCase()) ? r.method.toUpperCase() : 'OTHER',
      status_class: r.status >= 100 && r.status < 600 ? `${Math.floor(r.status / 100)}xx` : 'error',
      psp: clip(r.psp ?? ''),
      outcome: failed ? 'failure' : 'success',
    };
    this.requests.record(labels, r.latencyMs, this.time(r.at));
  }

  recordWsRtt(r: WsRttRecord): void {
    this.wsRtt.record({ service: clip(r.service), version: clip(r.version) }, r.rttMs, this.time(r.at));
  }

  /** Sets the open-connection gauge of a version (the value holds until the next call). */
  wsConnections(r: WsConnectionsRecord): void {
    const labels = { service: clip(r.service), version: clip(r.version) };
    const key = seriesKey(WS_LABELS, labels);
    let gauge = this.gauges.get(key);
    if (!gauge) {
      if (this.gauges.size >= this.maxSeries) return;
      gauge = { labels, points: [] };
      this.gauges.set(key, gauge);
    }
    const at = this.time(r.at);
    const slot = Math.floor(at / this.slotMs);
    const last = gauge.points.at(-1);
    // One point per slot (the latest value wins), so a busy gauge stays bounded by the ring's length.
    if (last && Math.floor(last.at / this.slotMs) === slot && at >= last.at) last.value = r.connections;
    else if (!last || at > last.at) gauge.points.push({ at, value: r.connections });
    else return; // out of order: older than what we hold
    // Keep one point older than the retention: it is still the value at the retention's start.
    const cutoff = at - this.retentionMs;
    let drop = 0;
    while (drop + 1 < gauge.points.length && gauge.points[drop + 1]!.at <= cutoff) drop++;
    if (drop > 0) gauge.points.splice(0, drop);
  }

  queryRequests(q: StatsQuery): RequestAggregate[] {
    const groups = new Map<
      string,
      { labels: Record<string, string>; requests: number; failures: number; latency: number[] }
    >();
    this.requests.scan(q, (series, cell) => {
      const key = seriesKey(q.by, series);
      let g = groups.get(key);
      if (!g) {
        g = { labels: pick(series, q.by), requests: 0, failures: 0, latency: new Array(cell.length).fill(0) };
        groups.set(key, g);
      }
      let n = 0;
      for (let i = 0; i < cell.length; i++) {
        g.latency[i]! += cell[i]!;
        n += cell[i]!;
      }
      g.requests += n;
      if (series.outcome === 'failure') g.failures += n;
    });
    return [...groups.values()];
  }

  queryWsRtt(q: StatsQuery): HistogramAggregate[] {
    const groups = new Map<string, { labels: Record<string, string>; count: number; buckets: number[] }>();
    this.wsRtt.scan(q, (series, cell) => {
      const key = seriesKey(q.by, series);
      let g = groups.get(key);
      if (!g) {
        g = { labels: pick(series, q.by), count: 0, buckets: new Array(cell.length).fill(0) };
        groups.set(key, g);
      }
      for (let i = 0; i < cell.length; i++) {
        g.buckets[i]! += cell[i]!;
        g.count += cell[i]!;
      }
    });
    return [...groups.values()];
  }

  /** The gauge as of `at`, summed by the `by` labels; versions with no value at or before `at` are left out. */
  queryWsConnections(q: {
    readonly match: Readonly<Record<string, string>>;
    readonly at: number;
    readonly by: readonly string[];
  }): {
    labels: Record<string, string>;
    value: number;
  }[] {
    const groups = new Map<string, { labels: Record<string, string>; value: number }>();
    for (const gauge of this.gauges.values()) {
      if (!matches(gauge.labels, q.match)) continue;
      let value: number | undefined;
      for (const p of gauge.points) {
        if (p.at > q.at) break;
        value = p.value;
      }
      if (value === undefined) continue;
      const key = seriesKey(q.by, gauge.labels);
      const g = groups.get(key);
      if (g) g.value += value;
      else groups.set(key, { labels: pick(gauge.labels, q.by), value });
    }
    return [...groups.values()];
  }

  /** Label combinations currently held (requests family), for tests and the gateway's own metrics. */
  get requestSeries(): number {
    return this.requests.size;
  }

  /** Records dropped because they were older than the ring. */
  get dropped(): number {
    return this.requests.dropped + this.wsRtt.dropped;
  }

  private time(at: Date | number | undefined): number {
    if (at === undefined) return this.now();
    return typeof at === 'number' ? at : at.getTime();
  }
}

interface GaugePoint {
  readonly at: number;
  value: number;
}

interface SeriesEntry {
  readonly id: number;
  readonly labels: Record<string, string>;
  lastSlot: number;
}

interface Slot {
  readonly index: number;
  readonly cells: Map<number, Uint32Array>;
}

/** One family of labelled histograms in a ring of time slots. */
class HistogramFamily {
  dropped = 0;
  private readonly series = new Map<string, SeriesEntry>();
  private readonly byId = new Map<number, SeriesEntry>();
  private readonly ring: (Slot | undefined)[];
  private nextId = 0;
  private newestSlot = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly labelNames: readonly string[],
    private readonly foldable: readonly string[],
    private readonly slotMs: number,
    slots: number,
    private readonly maxSeries: number,
  ) {
    this.ring = new Array(slots).fill(undefined);
  }

  get size(): number {
    return this.series.size;
  }

  record(labels: Record<string, string>, valueMs: number, at: number): void {
    const index = slotOf(at, this.slotMs);
    const pos = mod(index, this.ring.length);
    let slot = this.ring[pos];
    if (index <= this.newestSlot - this.ring.length || (slot && slot.index > index)) {
      this.dropped++;
      return;
    }
    if (!slot || slot.index < index) {
      slot = { index, cells: new Map() };
      this.ring[pos] = slot;
    }
    this.newestSlot = Math.max(this.newestSlot, index);
    const series = this.intern(labels);
    series.lastSlot = Math.max(series.lastSlot, index);
    let cell = slot.cells.get(series.id);
    if (!cell) {
      cell = new Uint32Array(LATENCY_BUCKETS_MS.length + 1);
      slot.cells.set(series.id, cell);
    }
    cell[bucketIndex(Number.isFinite(valueMs) ? Math.max(0, valueMs) : Number.POSITIVE_INFINITY)]!++;
  }

  scan(q: StatsQuery, visit: (labels: Record<string, string>, cell: Uint32Array) => void): void {
    // Slot k holds ((k-1)·slotMs, k·slotMs]; it overlaps (from, to] when k·slotMs > from and (k-1)·slotMs < to.
    const last = slotOf(q.to, this.slotMs);
    const first = Math.max(Math.floor(q.from / this.slotMs) + 1, last - this.ring.length + 1);
    const selected = new Map<number, boolean>();
    for (let index = first; index <= last; index++) {
      const slot = this.ring[mod(index, this.ring.length)];
      if (!slot || slot.index !== index) continue;
      for (const [id, cell] of slot.cells) {
        const series = this.byId.get(id);
        if (!series) continue;
        let ok = selected.get(id);
        if (ok === undefined) {
          ok = matches(series.labels, q.match);
          selected.set(id, ok);
        }
        if (ok) visit(series.labels, cell);
      }
    }
  }

  private intern(labels: Record<string, string>): SeriesEntry {
    const key = seriesKey(this.labelNames, labels);
    const known = this.series.get(key);
    if (known) return known;
    if (this.series.size >= this.maxSeries) this.evictIdle();
    if (this.series.size >= this.maxSeries && this.foldable.some((l) => labels[l] !== OVERFLOW_VALUE)) {
      const folded = { ...labels };
      for (const l of this.foldable) folded[l] = OVERFLOW_VALUE;
      return this.intern(folded);
    }
    // Overflow series themselves are admitted past the cap: they are bounded by service × version × method ×
    // status class × outcome, which the gateway's configuration bounds.
    const entry: SeriesEntry = { id: this.nextId++, labels, lastSlot: Number.NEGATIVE_INFINITY };
    this.series.set(key, entry);
    this.byId.set(entry.id, entry);
    return entry;
  }

  private evictIdle(): void {
    const horizon = this.newestSlot - this.ring.length;
    for (const [key, entry] of this.series) {
      if (entry.lastSlot <= horizon) {
        this.series.delete(key);
        this.byId.delete(entry.id);
      }
    }
  }
}

/**
 * Slots are left-open and right-closed, like Prometheus ranges, so a range whose ends fall on slot boundaries
 * is summed exactly: slot k holds the times in ((k-1)·slotMs, k·slotMs].
 */
function slotOf(at: number, slotMs: number): number {
  return Math.ceil(at / slotMs);
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

function clip(value: string): string {
  return value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH) : value;
}

function seriesKey(names: readonly string[], labels: Readonly<Record<string, string>>): string {
  return names.map((n) => labels[n] ?? '').join('\u0000');
}

function pick(labels: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = labels[n] ?? '';
  return out;
}

function matches(labels: Readonly<Record<string, string>>, match: Readonly<Record<string, string>>): boolean {
  for (const [name, value] of Object.entries(match)) if ((labels[name] ?? '') !== value) return false;
  return true;
}
