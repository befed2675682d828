import { describe, expect, it } from 'vitest';
import { TrafficStats } from '../../gateway/traffic-stats.js';
import type { QueryResult } from '../provider.js';
import { BuiltinProvider, histogramQuantile } from './builtin.js';
import { providerContract } from './provider-contract.js';
import { AT, deposit, depositTraffic, T0 } from './testing/deposit-traffic.js';

const SPEC = { kind: 'builtin' } as const;

/** The shared deposit traffic on `/deposit`, and one old `/login` request (outside a `[5m]` range). */
function fixture(): TrafficStats {
  const stats = depositTraffic('/deposit');
  stats.recordRequest(deposit('/login', { psp: undefined, at: T0 - 3_600_000 + 120_000 }));
  return stats;
}

providerContract('builtin', async () => ({
  provider: new BuiltinProvider(fixture()),
  spec: SPEC,
  data: {
    query: 'success_ratio{service="wallet",version="v2"}[5m] by (psp)',
    at: AT,
    expected: [
      { labels: { psp: 'A' }, value: 1, samples: 50 },
      { labels: { psp: 'B' }, value: 0.94, samples: 50 },
    ],
  },
  empty: { query: 'success_ratio{service="wallet",version="v3"}[5m] by (psp)', at: AT },
  malformed: 'success_ratio{service=wallet}[5m]',
}));

describe('builtin provider', () => {
  const provider = new BuiltinProvider(fixture());
  const run = (query: string, at = AT): Promise<QueryResult> => provider.query(SPEC, query, at);
  const values = async (query: string, at = AT) => {
    const r = await run(query, at);
    if (!r.ok) throw new Error(r.error);
    return r.series.map((s) => [s.labels, s.value]);
  };

  it('counts requests, successes and failures', async () => {
    expect(await values('requests{endpoint="/deposit"}[5m] by (version)')).toEqual([
      [{ version: 'v1' }, 100],
      [{ version: 'v2' }, 100],
    ]);
    expect(await values('failures{version="v2"}[5m]')).toEqual([[{}, 3]]);
    expect(await values('successes{version="v2"}[5m] by (psp)')).toEqual([
      [{ psp: 'A' }, 50],
      [{ psp: 'B' }, 47],
    ]);
    expect(await values('requests{version="v2",status_class="5xx"}[5m]')).toEqual([[{}, 3]]);
    expect(await values('requests{version="v2",outcome="failure"}[5m] by (psp)')).toEqual([
      [{ psp: 'B' }, 3],
    ]);
  });

  it('answers zero failures as 0 when there were requests', async () => {
    expect(await values('failures{version="v2",psp="A"}[5m]')).toEqual([[{}, 0]]);
  });

  it('answers no data for a range without traffic, never 0 or NaN', async () => {
    expect(await run('success_ratio{version="v2"}[10s]')).toEqual({ ok: true, series: [] });
    expect(await run('latency_p95{version="v2"}[10s]')).toEqual({ ok: true, series: [] });
    expect(await run('requests{version="v2"}[5m]', new Date(T0 + 25_000))).toEqual({ ok: true, series: [] });
  });

  it('sees the range (at - range, at], to the 5 s slot', async () => {
    // The requests were at T0 + 30 s, on a slot boundary.
    expect(await values('requests{version="v1"}[1m]', new Date(T0 + 30_000))).toEqual([[{}, 100]]);
    expect(await values('requests{version="v1"}[26s]', new Date(T0 + 55_000))).toEqual([[{}, 100]]);
    expect(await run('requests{version="v1"}[25s]', new Date(T0 + 55_000))).toEqual({ ok: true, series: [] });
  });

  it('interpolates latency quantiles in ms from the histogram', async () => {
    // 100 requests at 1..100 ms: p50 falls in (40, 50] holding 10 of them (ranks 41..50).
    const [[, p50]] = (await values('latency_p50{version="v2"}[5m]')) as [unknown, number][] as never;
    expect(p50).toBeCloseTo(50, 5);
    const [[, p95]] = (await values('latency_p95{version="v2"}[5m]')) as never;
    expect(p95).toBeCloseTo(95, 5); // (80, 100]: 20 requests, rank 95 → 80 + 20 × 15/20
    const [[, p99]] = (await values('latency_p99{version="v2"}[5m]')) as never;
    expect(p99).toBeCloseTo(99, 5);
    const byPsp = await values('latency_p95{version="v2"}[5m] by (psp)');
    expect(byPsp.map(([l]) => l)).toEqual([{ psp: 'A' }, { psp: 'B' }]);
  });

  it('carries the requests behind a ratio and the histogram behind a quantile', async () => {
    const ratio = await run('success_ratio{version="v2",psp="B"}[5m]');
    expect(ratio).toEqual({ ok: true, series: [{ labels: {}, value: 0.94, samples: 50 }] });
    const r = await run('latency_p95{version="v2"}[5m]');
    if (!r.ok) throw new Error(r.error);
    const [s] = r.series;
    expect(s).toMatchObject({ samples: 100, quantile: 0.95 });
    // Cumulative counts in ms, one per bucket bound then +Inf: 100 requests at 1..100 ms.
    const { bounds, counts } = s!.histogram!;
    expect(bounds).toHaveLength(counts.length);
    expect(bounds.at(-1)).toBe(Number.POSITIVE_INFINITY);
    expect(counts[bounds.indexOf(10)]).toBe(10);
    expect(counts[bounds.indexOf(50)]).toBe(50);
    expect(counts.at(-1)).toBe(100);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
    // Counts are not ratios: no samples there.
    const [count] = ((await run('requests{version="v2"}[5m]')) as { series: object[] }).series;
    expect(count).not.toHaveProperty('samples');
  });

  it('answers cumulative latency buckets per le', async () => {
    const buckets = await values('latency_bucket{version="v2",psp="A"}[5m]');
    const byLe = Object.fromEntries(buckets.map(([l, v]) => [(l as Record<string, string>).le, v]));
    expect(byLe['1']).toBe(1);
    expect(byLe['10']).toBe(10);
    expect(byLe['50']).toBe(50);
    expect(byLe['60000']).toBe(50);
    expect(byLe['+Inf']).toBe(50);
    expect(buckets.at(-1)![0]).toEqual({ le: '+Inf' });
    const grouped = await values('latency_bucket{version="v2"}[5m] by (psp)');
    expect(grouped.filter(([l]) => (l as Record<string, string>).le === '+Inf')).toEqual([
      [{ psp: 'A', le: '+Inf' }, 50],
      [{ psp: 'B', le: '+Inf' }, 50],
    ]);
  });

  it('answers WebSocket RTT p95 and connections', async () => {
    const stats = new TrafficStats();
    for (let i = 1; i <= 100; i++) stats.recordWsRtt({ service: 'lobby', version: 'v2', rttMs: i, at: T0 });
    stats.wsConnections({ service: 'lobby', version: 'v2', connections: 42, at: T0 });
    stats.wsConnections({ service: 'lobby', version: 'v1', connections: 400, at: T0 });
    const ws = new BuiltinProvider(stats);
    expect(await ws.query(SPEC, 'ws_rtt_p95{service="lobby",version="v2"}[5m]', AT)).toEqual({
      ok: true,
      series: [
        {
          labels: {},
          value: expect.closeTo(95, 5),
          samples: 100,
          quantile: 0.95,
          histogram: { bounds: expect.any(Array), counts: expect.any(Array) },
        },
      ],
    });
    expect(await ws.query(SPEC, 'ws_connections{service="lobby"} by (version)', AT)).toEqual({
      ok: true,
      series: [
        { labels: { version: 'v1' }, value: 400 },
        { labels: { version: 'v2' }, value: 42 },
      ],
    });
  });

  it('answers an error without a traffic source, and for parse errors', async () => {
    const none = new BuiltinProvider(undefined);
    expect(await none.query(SPEC, 'requests[5m]', AT)).toEqual({
      ok: false,
      error: 'builtin: no traffic source (the built-in gateway is not running)',
    });
    expect(await run('requests[5m')).toEqual({
      ok: false,
      error: "builtin query: expected ']', found the end at column 12 in 'requests[5m'",
    });
  });
});

describe('histogramQuantile', () => {
  const bounds = [10, 20, 40];
  it.each([
    [0.5, [0, 10, 0, 0], 15],
    [0.5, [10, 0, 0, 0], 5],
    [0.25, [5, 5, 10, 0], 10],
    [0.75, [5, 5, 10, 0], 30],
    [0.99, [0, 0, 1, 9], 40], // in +Inf: the highest finite bound, as Prometheus
  ])('q=%s of %j is %s', (q, counts, expected) => {
    expect(histogramQuantile(q, counts, bounds)).toBeCloseTo(expected, 9);
  });
  it('is undefined for an empty histogram', () => {
    expect(histogramQuantile(0.95, [0, 0, 0, 0], bounds)).toBeUndefined();
  });
});
