import { type RequestRecord, TrafficStats } from '../../../gateway/traffic-stats.js';

/** The time the deposits are recorded around, and a query time one minute later (inside every `[5m]` range). */
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
export const AT = new Date(T0 + 60_000);

/** A v2 wallet deposit via PSP A, 200 in 100 ms, 30 s after T0, on the given endpoint. */
export function deposit(endpoint: string, over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    service: 'wallet',
    version: 'v2',
    endpoint,
    method: 'POST',
    status: 200,
    latencyMs: 100,
    psp: 'A',
    at: T0 + 30_000,
    ...over,
  };
}

/**
 * The builtin provider's test traffic: v1 100 deposits via A, 1 fails; v2 50 via A (all fine) and 50 via B
 * (3 fail), latencies 1..100 ms on v2. Shared by the in-process and the remote (admin API) provider tests, which
 * must answer alike.
 */
export function depositTraffic(endpoint: string): TrafficStats {
  const stats = new TrafficStats();
  for (let i = 0; i < 100; i++)
    stats.recordRequest(deposit(endpoint, { version: 'v1', status: i === 0 ? 500 : 200 }));
  for (let i = 0; i < 100; i++) {
    stats.recordRequest(
      deposit(endpoint, { psp: i < 50 ? 'A' : 'B', status: i >= 50 && i < 53 ? 503 : 200, latencyMs: i + 1 }),
    );
  }
  return stats;
}
