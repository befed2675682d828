// Smoke test of the Node SDK propagation benchmark: a real `pitboss server` process, 20 SDK clients in another
// process, 2 kill-switch flips. Checks only that every client saw every change, with the new value and one
// increasing version per change; timings on a shared 2-core machine mean nothing here, so none are asserted.
import { beforeAll, describe, expect, it } from 'vitest';
import { runBench } from './harness.js';

const N = 20;
const CHANGES = 2;

type Change = {
  received: number;
  wrongValue: number;
  killed: boolean;
  triggerStatus: number;
  versions: { version: number | null; count: number }[];
};
type Result = {
  status: string;
  error?: string;
  ok: boolean;
  ready?: number;
  streamsOpen?: number;
  minReceivedPerChange?: number;
  latency?: { count: number };
  changes?: Change[];
};

describe('Node SDK propagation benchmark (quick mode)', () => {
  let result: Result;

  beforeAll(async () => {
    result = (await runBench({
      clients: N,
      warmup: 0,
      repeats: CHANGES,
      pauseMs: 20,
      readyTimeoutMs: 30_000,
      deliveryTimeoutMs: 10_000,
    })) as Result;
  }, 120_000);

  it('every client is ready with an open stream and sees every change', () => {
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('ok');
    expect(result.ok).toBe(true);
    expect(result.ready).toBe(N);
    expect(result.streamsOpen).toBe(N);
    expect(result.changes).toHaveLength(CHANGES);
    expect(result.minReceivedPerChange).toBe(N);
    expect(result.latency?.count).toBe(N * CHANGES);
    let previous = Number.NEGATIVE_INFINITY;
    result.changes?.forEach((c, i) => {
      expect(c.triggerStatus).toBeGreaterThanOrEqual(200);
      expect(c.triggerStatus).toBeLessThan(300);
      expect(c.killed).toBe(i % 2 === 0);
      expect(c.received).toBe(N);
      expect(c.wrongValue).toBe(0);
      expect(c.versions).toHaveLength(1);
      expect(c.versions[0]?.count).toBe(N);
      const version = c.versions[0]?.version ?? Number.NaN;
      expect(version).toBeGreaterThan(previous);
      previous = version;
    });
  });
});
