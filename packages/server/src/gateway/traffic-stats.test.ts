import { describe, expect, it } from 'vitest';
import {
  bucketIndex,
  LATENCY_BUCKETS_MS,
  OVERFLOW_VALUE,
  type RequestRecord,
  TrafficStats,
} from './traffic-stats.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const req = (over: Partial<RequestRecord> = {}): RequestRecord => ({
  service: 'wallet',
  version: 'v2',
  endpoint: '/deposit',
  method: 'POST',
  status: 200,
  latencyMs: 100,
  psp: 'A',
  at: T0,
  ...over,
});
const all = (to: number, rangeMs: number, by: string[] = [], match: Record<string, string> = {}) => ({
  match,
  from: to - rangeMs,
  to,
  by,
});

describe('latency buckets', () => {
  it('span 1 ms to 60 s with readable SLO bounds', () => {
    expect(LATENCY_BUCKETS_MS[0]).toBe(1);
    expect(LATENCY_BUCKETS_MS.at(-1)).toBe(60_000);
    for (const slo of [120, 300, 400, 650, 1000]) expect(LATENCY_BUCKETS_MS).toContain(slo);
    for (let i = 1; i < LATENCY_BUCKETS_MS.length; i++) {
      expect(LATENCY_BUCKETS_MS[i]! / LATENCY_BUCKETS_MS[i - 1]!).toBeLessThanOrEqual(1.34);
    }
  });

  it('put a value in the first bucket whose bound is at least it (le is inclusive)', () => {
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(1)).toBe(0);
    expect(bucketIndex(1.01)).toBe(1);
    expect(LATENCY_BUCKETS_MS[bucketIndex(400)]).toBe(400);
    expect(LATENCY_BUCKETS_MS[bucketIndex(401)]).toBe(500);
    expect(bucketIndex(60_001)).toBe(LATENCY_BUCKETS_MS.length);
  });
});

describe('TrafficStats requests', () => {
  it('counts requests and failures: 5xx and transport errors fail, 4xx do not', () => {
    const stats = new TrafficStats();
    for (const status of [200, 201, 404, 500, 503, 0]) stats.recordRequest(req({ status }));
    const [g] = stats.queryRequests(all(T0, 60_000));
    expect(g).toMatchObject({ labels: {}, requests: 6, failures: 3 });
  });

  it('lets a business endpoint override the outcome', () => {
    const stats = new TrafficStats();
    stats.recordRequest(req({ status: 200, outcome: 'failure' }));
    expect(stats.queryRequests(all(T0, 60_000))[0]).toMatchObject({ requests: 1, failures: 1 });
  });

  it('labels status class, method and missing psp', () => {
    const stats = new TrafficStats();
    stats.recordRequest(req({ status: 0, method: 'get', psp: undefined }));
    stats.recordRequest(req({ status: 302, method: 'PROPFIND' }));
    const groups = stats.queryRequests(all(T0, 60_000, ['status_class', 'method', 'psp']));
    expect(groups.map((g) => g.labels)).toEqual([
      { status_class: 'error', method: 'GET', psp: '' },
      { status_class: '3xx', method: 'OTHER', psp: 'A' },
    ]);
  });

  it('filters by labels and groups by others', () => {
    const stats = new TrafficStats();
    stats.recordRequest(req({ version: 'v1', psp: 'A' }));
    stats.recordRequest(req({ version: 'v2', psp: 'A' }));
    stats.recordRequest(req({ version: 'v2', psp: 'B', status: 502 }));
    stats.recordRequest(req({ version: 'v2', psp: 'B' }));
    const groups = stats.queryRequests(all(T0, 60_000, ['psp'], { version: 'v2' }));
    expect(groups.map((g) => [g.labels.psp, g.requests, g.failures])).toEqual([
      ['A', 1, 0],
      ['B', 2, 1],
    ]);
  });

  it('sums exactly the slots overlapping the range (from, to]', () => {
    const stats = new TrafficStats({ slotMs: 5_000 });
    // One request per second for 10 minutes.
    for (let s = 1; s <= 600; s++) stats.recordRequest(req({ at: T0 + s * 1_000 }));
    const end = T0 + 600_000;
    expect(stats.queryRequests(all(end, 300_000))[0]!.requests).toBe(300);
    // 95 s is 19 whole slots when the range ends on a slot boundary; a request at exactly `to` counts.
    expect(stats.queryRequests(all(end, 95_000))[0]!.requests).toBe(95);
    // Unaligned ranges widen to whole slots: never fewer than the range holds, at most one slot more each side.
    const n = stats.queryRequests(all(end - 2_500, 37_000))[0]!.requests;
    expect(n).toBeGreaterThanOrEqual(37);
    expect(n).toBeLessThanOrEqual(47);
  });

  it('keeps one hour: older slots are overwritten and late records dropped', () => {
    const stats = new TrafficStats({ slotMs: 1_000, retentionMs: 3_600_000 });
    stats.recordRequest(req({ at: T0 }));
    stats.recordRequest(req({ at: T0 + 3_600_000 }));
    expect(stats.queryRequests(all(T0 + 3_600_000, 7_200_000))[0]!.requests).toBe(2);
    stats.recordRequest(req({ at: T0 + 3_601_500 }));
    // T0's slot is now more than an hour older than the newest: gone, whatever range is asked.
    expect(stats.queryRequests(all(T0 + 3_601_500, 7_200_000))[0]!.requests).toBe(2);
    stats.recordRequest(req({ at: T0 - 1 }));
    expect(stats.dropped).toBe(1);
  });

  it('uses the injected clock when a record has no time', () => {
    let now = T0;
    const stats = new TrafficStats({ now: () => now });
    stats.recordRequest(req({ at: undefined }));
    now += 120_000;
    stats.recordRequest(req({ at: undefined }));
    expect(stats.queryRequests(all(now, 60_000))[0]!.requests).toBe(1);
    expect(stats.queryRequests(all(now, 180_000))[0]!.requests).toBe(2);
  });

  it('records latency per bucket', () => {
    const stats = new TrafficStats();
    for (const ms of [0.5, 100, 100, 450, 120_000]) stats.recordRequest(req({ latencyMs: ms }));
    const { latency } = stats.queryRequests(all(T0, 60_000))[0]!;
    expect(latency[0]).toBe(1);
    expect(latency[bucketIndex(100)]).toBe(2);
    expect(latency[bucketIndex(450)]).toBe(1);
    expect(latency.at(-1)).toBe(1);
  });

  it('caps label combinations by folding endpoint and psp into (other)', () => {
    const stats = new TrafficStats({ maxSeries: 3 });
    for (let i = 0; i < 10; i++) stats.recordRequest(req({ endpoint: `/e${i}` }));
    stats.recordRequest(req({ endpoint: '/e0' })); // known series still counted on its own
    expect(stats.requestSeries).toBe(4);
    const byEndpoint = stats.queryRequests(all(T0, 60_000, ['endpoint']));
    expect(Object.fromEntries(byEndpoint.map((g) => [g.labels.endpoint, g.requests]))).toEqual({
      '/e0': 2,
      '/e1': 1,
      '/e2': 1,
      [OVERFLOW_VALUE]: 7,
    });
    // Counts by version stay exact.
    expect(stats.queryRequests(all(T0, 60_000, ['version']))[0]!.requests).toBe(11);
  });

  it('forgets series idle for a whole retention before folding', () => {
    const stats = new TrafficStats({ maxSeries: 2, slotMs: 1_000, retentionMs: 10_000 });
    stats.recordRequest(req({ endpoint: '/a' }));
    stats.recordRequest(req({ endpoint: '/b' }));
    stats.recordRequest(req({ endpoint: '/c', at: T0 + 60_000 }));
    expect(stats.queryRequests(all(T0 + 60_000, 5_000, ['endpoint']))[0]!.labels.endpoint).toBe('/c');
  });
});

describe('TrafficStats WebSocket', () => {
  it('keeps an RTT histogram per version', () => {
    const stats = new TrafficStats();
    stats.recordWsRtt({ service: 'lobby', version: 'v1', rttMs: 40, at: T0 });
    stats.recordWsRtt({ service: 'lobby', version: 'v2', rttMs: 90, at: T0 });
    stats.recordWsRtt({ service: 'lobby', version: 'v2', rttMs: 95, at: T0 });
    const groups = stats.queryWsRtt(all(T0, 60_000, ['version']));
    expect(groups.map((g) => [g.labels.version, g.count])).toEqual([
      ['v1', 1],
      ['v2', 2],
    ]);
  });

  it('reads the connection gauge as of a time', () => {
    const stats = new TrafficStats({ slotMs: 1_000 });
    stats.wsConnections({ service: 'lobby', version: 'v2', connections: 10, at: T0 });
    stats.wsConnections({ service: 'lobby', version: 'v2', connections: 12, at: T0 + 200 });
    stats.wsConnections({ service: 'lobby', version: 'v2', connections: 7, at: T0 + 30_000 });
    stats.wsConnections({ service: 'lobby', version: 'v1', connections: 100, at: T0 });
    const at = (t: number, by: string[] = ['version']) =>
      stats.queryWsConnections({ match: { service: 'lobby' }, at: t, by });
    expect(at(T0 - 1)).toEqual([]);
    // Updates within one slot keep the latest value.
    expect(at(T0 + 100)).toEqual([
      { labels: { version: 'v2' }, value: 12 },
      { labels: { version: 'v1' }, value: 100 },
    ]);
    expect(at(T0 + 10_000, [])).toEqual([{ labels: {}, value: 112 }]);
    expect(at(T0 + 40_000, [])).toEqual([{ labels: {}, value: 107 }]);
  });

  it('keeps the gauge value past the retention when it did not change', () => {
    const stats = new TrafficStats({ slotMs: 1_000, retentionMs: 10_000 });
    stats.wsConnections({ service: 'lobby', version: 'v2', connections: 5, at: T0 });
    for (let s = 1; s <= 30; s++)
      stats.wsConnections({ service: 'lobby', version: 'v2', connections: 5 + s, at: T0 + s * 1_000 });
    const q = (t: number) => stats.queryWsConnections({ match: {}, at: t, by: [] });
    expect(q(T0 + 30_000)).toEqual([{ labels: {}, value: 35 }]);
    expect(q(T0 + 25_500)).toEqual([{ labels: {}, value: 30 }]);
  });
});
