import { describe, expect, it } from 'vitest';
import type { Series } from '../analysis/provider.js';
import { isPitbossError } from '../errors.js';
import { buildHealthSample, healthQueries, lastBoundary, readHealthRange } from './release-health.js';

const AT = new Date('2025-01-01T12:00:05.000Z');
const VERSIONS = { stable: 'v1', canary: 'v2' };

/** A latency_p95 series as the builtin provider answers it: cumulative counts over bounds 10, 100, +Inf. */
function latency(
  version: string,
  endpoint: string,
  perBucket: [number, number, number],
  p95: number,
): Series {
  const counts = [perBucket[0], perBucket[0] + perBucket[1], perBucket[0] + perBucket[1] + perBucket[2]];
  return {
    labels: { version, endpoint },
    value: p95,
    samples: counts[2],
    quantile: 0.95,
    histogram: { bounds: [10, 100, Number.POSITIVE_INFINITY], counts },
  };
}

const ratio = (
  version: string,
  endpoint: string,
  psp: string,
  requests: number,
  failures: number,
): Series => ({
  labels: { version, endpoint, psp },
  value: (requests - failures) / requests,
  samples: requests,
});

describe('buildHealthSample', () => {
  it('adds up both arms by endpoint and PSP from one grouped answer per metric', () => {
    const sample = buildHealthSample(AT, VERSIONS, {
      ratio: [
        ratio('v1', 'deposit', 'A', 60, 0),
        ratio('v1', 'deposit', 'B', 40, 2),
        ratio('v1', 'login', '', 100, 1),
        ratio('v2', 'deposit', 'A', 10, 5),
        ratio('v3', 'deposit', 'A', 999, 999),
      ],
      latency: [latency('v1', 'deposit', [0, 100, 0], 95.5), latency('v1', 'login', [100, 0, 0], 9.5)],
      wsRtt: [{ labels: { version: 'v2' }, value: 42, samples: 3, quantile: 0.95 }],
    });
    expect(sample.at).toBe('2025-01-01T12:00:05.000Z');
    expect(sample.stable).toEqual({
      requests: 200,
      successRatio: 197 / 200,
      // 200 requests, half under 10 ms, half 10–100 ms: rank 190 lies 90/100 into the second bucket.
      p95Ms: 91,
      endpoints: {
        deposit: { requests: 100, successRatio: 0.98, p95Ms: 95.5 },
        login: { requests: 100, successRatio: 0.99, p95Ms: 9.5 },
      },
      psps: { A: { requests: 60, successRatio: 1 }, B: { requests: 40, successRatio: 0.95 } },
      wsRttP95Ms: null,
    });
    expect(sample.canary).toEqual({
      requests: 10,
      successRatio: 0.5,
      p95Ms: null,
      endpoints: { deposit: { requests: 10, successRatio: 0.5, p95Ms: null } },
      psps: { A: { requests: 10, successRatio: 0.5 } },
      wsRttP95Ms: 42,
    });
  });

  it('gives an arm without traffic zero requests and null figures, never 0 or NaN', () => {
    const sample = buildHealthSample(AT, VERSIONS, { ratio: [], latency: [], wsRtt: [] });
    const empty = { requests: 0, successRatio: null, p95Ms: null, endpoints: {}, psps: {}, wsRttP95Ms: null };
    expect(sample).toEqual({ at: AT.toISOString(), stable: empty, canary: empty });
  });

  it('falls back to the worst endpoint p95 when the provider sends no histograms', () => {
    const bare = (endpoint: string, value: number): Series => ({
      labels: { version: 'v1', endpoint },
      value,
    });
    const sample = buildHealthSample(AT, VERSIONS, {
      ratio: [],
      latency: [bare('a', 12), bare('b', 30)],
      wsRtt: [],
    });
    expect(sample.stable.p95Ms).toBe(30);
  });
});

describe('healthQueries', () => {
  it('groups by version so one query serves both arms, over exactly one step', () => {
    expect(healthQueries('wal"let', 5000)).toEqual({
      ratio: 'success_ratio{service="wal\\"let"}[5000ms] by (version, endpoint, psp)',
      latency: 'latency_p95{service="wal\\"let"}[5000ms] by (version, endpoint)',
      wsRtt: 'ws_rtt_p95{service="wal\\"let"}[5000ms] by (version)',
    });
  });
});

describe('readHealthRange', () => {
  const field = (q: { window?: string; step?: string }) => {
    try {
      readHealthRange(q);
      return 'ok';
    } catch (e) {
      if (!isPitbossError(e) || e.code !== 'VALIDATION_FAILED') throw e;
      return (e.details as { path: string[] }[])[0]!.path[1];
    }
  };

  it('defaults to 5 minutes of 5-second samples', () => {
    expect(readHealthRange({})).toEqual({ windowMs: 300_000, stepMs: 5000 });
    expect(readHealthRange({ window: '1h', step: '5s' })).toEqual({ windowMs: 3_600_000, stepMs: 5000 });
  });

  it('names the field that is wrong', () => {
    expect(field({ step: '500ms' })).toBe('step');
    expect(field({ step: 'soon' })).toBe('step');
    expect(field({ window: '2h' })).toBe('window');
    expect(field({ window: '1h', step: '1s' })).toBe('window'); // 3600 samples
    expect(field({ window: '1s', step: '5s' })).toBe('window');
    expect(field({ window: '12m', step: '1s' })).toBe('ok'); // 720 samples
  });
});

describe('lastBoundary', () => {
  it('ends samples on whole steps', () => {
    expect(lastBoundary(12_345, 5000)).toBe(10_000);
    expect(lastBoundary(10_000, 5000)).toBe(10_000);
  });
});
