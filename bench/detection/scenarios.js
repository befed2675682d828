// The benchmark's scenarios (issue 5, "Detection benchmark"): what each arm's deposits look like over time.
import { latencyBuckets } from './traffic.js';

/** Lognormal shape of deposit latencies: p50 ≈ 132 ms, p95 300 ms, p99 ≈ 420 ms when healthy. */
export const SIGMA = 0.5;
export const HEALTHY_FAIL = 0.005; // 99.5 % deposit success
export const HEALTHY_P95_MS = 300;

/**
 * @param {readonly number[]} bounds latency bucket bounds (ms)
 * @returns {Record<string, { about: string, horizonS: number, regression: boolean,
 *   incident?: { fromS: number, toS: number },
 *   arm: (arm: 'canary'|'stable', tS: number) => { fail: number, latency: {index:number,p:number}[] } }>}
 */
export function scenarios(bounds) {
  const healthyLatency = latencyBuckets(bounds, HEALTHY_P95_MS, SIGMA);
  const slowLatency = latencyBuckets(bounds, 650, SIGMA);
  const healthy = { fail: HEALTHY_FAIL, latency: healthyLatency };
  const canaryOnly = (bad) => (arm) => (arm === 'canary' ? bad : healthy);
  return {
    'success-97': {
      about: 'deposit success 99.5 % → 97 % on the canary',
      horizonS: 1_800,
      regression: true,
      arm: canaryOnly({ fail: 0.03, latency: healthyLatency }),
    },
    'success-99': {
      about: 'deposit success 99.5 % → 99 % on the canary',
      horizonS: 3_600,
      regression: true,
      arm: canaryOnly({ fail: 0.01, latency: healthyLatency }),
    },
    'latency-650': {
      about: 'p95 deposit latency 300 → 650 ms on the canary (lognormal)',
      horizonS: 1_800,
      regression: true,
      arm: canaryOnly({ fail: HEALTHY_FAIL, latency: slowLatency }),
    },
    healthy: {
      about: 'healthy canary, one hour (identical arms)',
      horizonS: 3_600,
      regression: false,
      arm: () => healthy,
    },
    'shared-incident': {
      about: 'both arms drop to 97 % from minute 10 to 20 (a PSP outage), 30 minutes',
      horizonS: 1_800,
      regression: false,
      incident: { fromS: 600, toS: 1_200 },
      arm: (_arm, tS) => (tS >= 600 && tS < 1_200 ? { fail: 0.03, latency: healthyLatency } : healthy),
    },
  };
}
