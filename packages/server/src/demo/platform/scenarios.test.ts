import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { profileFor, type Scenario } from './scenarios.js';
import type { RunningService } from './service.js';
import { get, post, type TestPlatform, testPlatform } from './testing/start-platform.js';

let platform: TestPlatform;
beforeEach(() => {
  platform = testPlatform(11);
});
afterEach(() => platform.close());

/** n deposits, 8 at a time; the number of faults is deterministic (one draw per deposit), whatever the order. */
async function deposits(s: RunningService, psp: string, n: number, tag: string): Promise<number> {
  let failed = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const r = await post(`${s.url}/wallet/deposit`, {
        playerId: `p${i % 50}`,
        amount: 1000,
        psp,
        idempotencyKey: `${tag}-${i}`,
      });
      if (r.status === 200) continue;
      failed++;
      expect(r.status).toBe(502);
      expect(r.headers.get('x-psp')).toBe(psp);
      expect(r.headers.get('x-outcome')).toBe('psp-error');
      expect(r.body).toMatchObject({ code: 'PSP_ERROR' });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return failed;
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1] as number;
}

describe('scenarios', () => {
  it('v1 and untouched services are healthy in every scenario', () => {
    const healthy = profileFor('wallet', 'v1', 'healthy');
    for (const scenario of ['psp-failure', 'latency', 'ws-regression', 'chargebacks'] as Scenario[]) {
      for (const service of ['auth', 'wallet', 'bets', 'game-gateway', 'promo'] as const) {
        const v1 = profileFor(service, 'v1', scenario);
        expect({ ...v1, service: 'wallet', scenario: 'healthy' }).toEqual(healthy);
      }
      expect(profileFor('auth', 'v2', scenario).pspFailure).toBeUndefined();
      expect(profileFor('promo', 'v2', scenario).chargebackFailureRate).toBe(0);
      expect(profileFor('bets', 'v2', scenario).pongDelay).toBeUndefined();
    }
    expect(profileFor('wallet', 'v2', 'healthy')).toEqual({ ...healthy, version: 'v2' });
  });

  it('psp-failure: wallet v2 fails ~4 % of PSP B deposits (502, x-psp: B), moving no money; v1 and A/C never', async () => {
    const v1 = await platform.start('wallet', 'v1', 'psp-failure');
    const v2 = await platform.start('wallet', 'v2', 'psp-failure');
    const v2b = await deposits(v2, 'B', 1000, 'v2b');
    expect(v2b).toBeGreaterThan(1000 * 0.02);
    expect(v2b).toBeLessThan(1000 * 0.065);
    expect(await deposits(v2, 'A', 200, 'v2a')).toBe(0);
    expect(await deposits(v2, 'C', 200, 'v2c')).toBe(0);
    expect(await deposits(v1, 'B', 300, 'v1b')).toBe(0);
    const check = await get(`${v1.url}/wallet/ledger/check`);
    expect(check.body).toMatchObject({ balanced: true, entries: 1000 - v2b + 200 + 200 + 300 });
  });

  it('is deterministic per seed: the same seed fails the same deposits', async () => {
    const a = await platform.start('wallet', 'v2', 'psp-failure');
    const other = testPlatform(11);
    try {
      const b = await other.start('wallet', 'v2', 'psp-failure');
      const pattern = async (s: RunningService) => {
        const out: number[] = [];
        for (let i = 0; i < 300; i++) {
          const r = await post(`${s.url}/wallet/deposit`, {
            playerId: 'p',
            amount: 1,
            psp: 'B',
            idempotencyKey: `k${i}`,
          });
          out.push(r.status);
        }
        return out;
      };
      const pa = await pattern(a);
      expect(pa).toContain(502);
      expect(await pattern(b)).toEqual(pa);
    } finally {
      await other.close();
    }
  });

  it('latency: wallet v2 deposits draw p95 ≈ 650 ms, v1 ≈ 300 ms; other calls stay in tens of ms', async () => {
    const v1 = await platform.start('wallet', 'v1', 'latency');
    const v2 = await platform.start('wallet', 'v2', 'latency');
    await deposits(v1, 'A', 400, 'a');
    await deposits(v2, 'A', 400, 'b');
    await post(`${v2.url}/wallet/withdraw`, { playerId: 'p1', amount: 1, idempotencyKey: 'w' });
    const l1 = platform.latencies.get('wallet/v1/psp-latency') ?? [];
    const l2 = platform.latencies.get('wallet/v2/psp-latency') ?? [];
    expect(l1).toHaveLength(400);
    expect(p95(l1)).toBeGreaterThan(230);
    expect(p95(l1)).toBeLessThan(380);
    expect(p95(l2)).toBeGreaterThan(520);
    expect(p95(l2)).toBeLessThan(800);
    expect(Math.max(...(platform.latencies.get('wallet/v2/latency') ?? [1000]))).toBeLessThan(130);
  });

  it('chargebacks: wallet v2 fails ~10 % of chargebacks (500, x-outcome) moving no money; v1 never', async () => {
    const results: Record<string, number> = {};
    for (const version of ['v1', 'v2']) {
      const s = await platform.start('wallet', version, 'chargebacks');
      let failed = 0;
      for (let i = 0; i < (version === 'v1' ? 200 : 500); i++) {
        const playerId = `${version}-p${i}`;
        await post(`${s.url}/wallet/deposit`, {
          playerId,
          amount: 1000,
          psp: 'A',
          idempotencyKey: `${playerId}-d`,
        });
        const cb = await post(`${s.url}/wallet/chargeback`, {
          playerId,
          depositKey: `${playerId}-d`,
          idempotencyKey: `${playerId}-c`,
        });
        if (cb.status === 200) continue;
        failed++;
        expect(cb).toMatchObject({ status: 500, body: { code: 'CHARGEBACK_FAILED' } });
        expect(cb.headers.get('x-outcome')).toBe('chargeback-error');
        expect((await get(`${s.url}/wallet/balance?playerId=${playerId}`)).body.balance).toBe(1000);
      }
      results[version] = failed;
    }
    expect(results.v1).toBe(0);
    expect(results.v2).toBeGreaterThan(25);
    expect(results.v2).toBeLessThan(85);
  });

  it('ws-regression: game-gateway v2 delays pongs ≈ 200 ms, v1 does not', async () => {
    for (const version of ['v1', 'v2']) {
      const s = await platform.start('game-gateway', version, 'ws-regression');
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}/games/ws`);
      await new Promise((resolve) => ws.once('open', resolve));
      let got = 0;
      ws.on('message', () => got++);
      for (let i = 0; i < 60; i++) {
        const pong = new Promise((resolve) => ws.once('pong', resolve));
        ws.ping();
        await pong;
        ws.send(JSON.stringify({ type: 'ping', id: i }));
      }
      for (let i = 0; i < 500 && got < 60; i++) await new Promise((r) => setTimeout(r, 5));
      expect(got).toBe(60);
      ws.close();
    }
    expect(platform.latencies.get('game-gateway/v1/pong-latency')).toBeUndefined();
    const v2 = platform.latencies.get('game-gateway/v2/pong-latency') ?? [];
    expect(v2).toHaveLength(120); // 60 protocol pongs + 60 game pongs
    const median = [...v2].sort((a, b) => a - b)[60] as number;
    expect(median).toBeGreaterThan(170);
    expect(median).toBeLessThan(235);
  });

  it('ws-regression: the delay is on the protocol pong itself, so a pinging gateway sees v2 slower than v1', async () => {
    const rtts: Record<string, number[]> = {};
    for (const version of ['v1', 'v2']) {
      // Real waits here: the round trip is what a gateway's ping measures.
      const s = await platform.start('game-gateway', version, 'ws-regression', {
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      });
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}/games/ws`);
      await new Promise((resolve) => ws.once('open', resolve));
      rtts[version] = [];
      for (let i = 0; i < 5; i++) {
        const sent = performance.now();
        const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
        ws.ping(`rtt-${i}`);
        expect((await pong).toString()).toBe(`rtt-${i}`); // the payload is echoed, as RFC 6455 asks
        rtts[version]!.push(performance.now() - sent);
      }
      ws.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2] as number;
    expect(median(rtts.v2!)).toBeGreaterThan(100);
    expect(median(rtts.v1!)).toBeLessThan(100);
    expect(median(rtts.v2!)).toBeGreaterThan(median(rtts.v1!));
  });
});
