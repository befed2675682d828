import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createProviders } from '../analysis/providers/index.js';
import { SseTestClient } from '../delivery/sse-test-client.js';
import { TrafficStats } from '../gateway/traffic-stats.js';
import { NopRouter } from '../routing/routers/nop.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import type { ReleaseHealth } from './release-health.js';
import { walletRollout } from './testing/fixtures.js';

/**
 * Release health read from a real in-process TrafficStats, as the built-in gateway fills it. The app's clock is
 * fixed on a step boundary T a minute ago, so the last sample covers (T - 5 s, T] whatever the test's speed.
 */
const STEP = 5000;
const T = Math.floor(Date.now() / STEP) * STEP - 60_000;
const clock = () => new Date(T + 2000);

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function feed(stats: TrafficStats): void {
  const at = T - 2000;
  const deposit = (version: string, psp: string, status: number, latencyMs: number) =>
    stats.recordRequest({
      service: 'wallet',
      version,
      endpoint: 'deposit',
      method: 'POST',
      status,
      latencyMs,
      psp,
      at,
    });
  for (let i = 0; i < 10; i++) deposit('v1', 'A', 200, 50);
  for (let i = 0; i < 10; i++) deposit('v1', 'B', i < 2 ? 500 : 200, 50);
  for (let i = 0; i < 20; i++) {
    stats.recordRequest({
      service: 'wallet',
      version: 'v1',
      endpoint: 'login',
      method: 'POST',
      status: 200,
      latencyMs: 5,
      at,
    });
  }
  for (let i = 0; i < 10; i++) deposit('v2', 'A', i < 5 ? 500 : 200, 300);
  // Another service, and an older interval: neither belongs in the last sample.
  stats.recordRequest({
    service: 'cashier',
    version: 'v1',
    endpoint: 'x',
    method: 'GET',
    status: 500,
    latencyMs: 1,
    at,
  });
  deposit('v1', 'A', 500, 50);
  stats.recordRequest({
    service: 'wallet',
    version: 'v1',
    endpoint: 'deposit',
    method: 'POST',
    status: 500,
    latencyMs: 9,
    psp: 'A',
    at: T - 7000,
  });
  stats.recordWsRtt({ service: 'wallet', version: 'v2', rttMs: 20, at });
}

async function start(stats: TrafficStats | undefined): Promise<TestApp> {
  t = await startTestApp('sqlite', {
    rollouts: {
      router: new NopRouter(),
      providers: createProviders(stats ? { trafficStats: stats } : {}),
      clock,
    },
  });
  const started = await t.call('POST', '/api/v1/rollouts', {
    token: t.tokens.editor,
    body: walletRollout([{ setWeight: 20 }, { pause: {} }]),
  });
  expect(started.status).toBe(201);
  return t;
}

describe('release health', () => {
  it('gives both arms per endpoint and PSP, with p95, one sample per step', async () => {
    const stats = new TrafficStats({ now: () => T });
    feed(stats);
    const app = await start(stats);
    const res = await app.call('GET', '/api/v1/rollouts/wallet/health?window=15s&step=5s', {
      token: app.tokens.viewer,
    });
    expect(res.status).toBe(200);
    const health = res.body as ReleaseHealth;
    expect(health).toMatchObject({
      name: 'wallet',
      service: 'wallet',
      stableVersion: 'v1',
      canaryVersion: 'v2',
      windowMs: 15_000,
      stepMs: 5000,
      available: true,
    });
    expect(health.samples.map((s) => s.at)).toEqual(
      [T - 10_000, T - 5000, T].map((ms) => new Date(ms).toISOString()),
    );
    const [oldest, middle, last] = health.samples;
    expect(oldest!.stable.requests).toBe(0);
    expect(middle!.stable).toMatchObject({ requests: 1, successRatio: 0 });
    const { stable, canary } = last!;
    expect(stable.requests).toBe(41);
    expect(stable.successRatio).toBeCloseTo(38 / 41);
    expect(stable.endpoints.login).toMatchObject({ requests: 20, successRatio: 1 });
    expect(stable.endpoints.deposit).toMatchObject({ requests: 21, successRatio: 18 / 21 });
    expect(stable.psps).toEqual({
      A: { requests: 11, successRatio: 10 / 11 },
      B: { requests: 10, successRatio: 0.8 },
    });
    // 50 ms is in the (40, 50] bucket, 5 ms in (4, 5]: p95 interpolated inside them.
    expect(stable.endpoints.deposit!.p95Ms).toBeGreaterThan(40);
    expect(stable.endpoints.deposit!.p95Ms).toBeLessThanOrEqual(50);
    expect(stable.endpoints.login!.p95Ms).toBeLessThanOrEqual(5);
    expect(stable.p95Ms).toBeGreaterThan(40);
    expect(stable.wsRttP95Ms).toBeNull();
    expect(canary).toMatchObject({
      requests: 10,
      successRatio: 0.5,
      psps: { A: { requests: 10, successRatio: 0.5 } },
    });
    expect(canary.p95Ms).toBeGreaterThan(250);
    expect(canary.p95Ms).toBeLessThanOrEqual(300);
    expect(canary.wsRttP95Ms).toBeGreaterThan(15);
  });

  it('validates window and step, naming the field', async () => {
    const app = await start(new TrafficStats());
    const bad = async (q: string) =>
      (await app.call('GET', `/api/v1/rollouts/wallet/health?${q}`, { token: app.tokens.viewer })).body;
    expect(await bad('window=2h')).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: ['querystring', 'window'] }],
    });
    expect(await bad('step=100ms')).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: ['querystring', 'step'] }],
    });
    expect(await bad('window=1h&step=1s')).toMatchObject({ code: 'VALIDATION_FAILED', message: /720/ });
    expect(await bad('since=1')).toMatchObject({ code: 'VALIDATION_FAILED' });
    const unknown = await app.call('GET', '/api/v1/rollouts/nope/health', { token: app.tokens.viewer });
    expect(unknown.status).toBe(404);
  });

  it('is unavailable, not an error, without a gateway', async () => {
    const app = await start(undefined);
    const res = await app.call('GET', '/api/v1/rollouts/wallet/health', { token: app.tokens.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ available: false, samples: [], windowMs: 300_000, stepMs: 5000 });
    expect(res.body.error).toMatch(/no traffic source/);
  });

  it('watch ?health=true sends a health sample beside the status events', async () => {
    const stats = new TrafficStats({ now: () => T });
    feed(stats);
    const app = await start(stats);
    await app.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}`;
    const c = await SseTestClient.connect(base, '/api/v1/rollouts/wallet/watch?health=true&step=5s', {
      authorization: `Bearer ${app.tokens.viewer}`,
    });
    try {
      expect(c.status).toBe(200);
      await c.waitFor((e) => e.event === 'status');
      const health = await c.waitFor((e) => e.event === 'health');
      expect(health.id).not.toBe(undefined); // the status event's id, unchanged by health events
      const sample = JSON.parse(health.data);
      expect(sample.at).toBe(new Date(T).toISOString());
      expect(sample.canary).toMatchObject({ requests: 10, successRatio: 0.5 });
      expect(sample.stable.requests).toBe(41);
    } finally {
      c.close();
    }
  });

  it('watch ?health=true says once that health is unavailable, and keeps sending statuses', async () => {
    const app = await start(undefined);
    await app.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}`;
    const c = await SseTestClient.connect(base, '/api/v1/rollouts/wallet/watch?health=true', {
      authorization: `Bearer ${app.tokens.viewer}`,
    });
    try {
      const health = await c.waitFor((e) => e.event === 'health');
      expect(JSON.parse(health.data)).toMatchObject({
        available: false,
        error: expect.stringMatching(/no traffic/),
      });
      const from = c.events.length;
      await app.call('POST', '/api/v1/rollouts/wallet/promote', { token: app.tokens.editor, body: {} });
      await c.waitFor((e) => e.event === 'status', from);
      expect(c.events.filter((e) => e.event === 'health')).toHaveLength(1);
    } finally {
      c.close();
    }
  });
});
