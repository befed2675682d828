import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayConfig, serviceConfig } from './gateway-config.js';
import { type RunningGateway, startGateway } from './index.js';
import { deadPort, startUpstream } from './testing/upstream-server.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(canaryUrl?: string) {
  const stable = await startUpstream('v1');
  const canary = await startUpstream('v2');
  const gw = await startGateway({
    config: gatewayConfig({
      services: [
        serviceConfig({
          name: 'wallet',
          match: { pathPrefix: '/' },
          stable: { version: 'v1', upstreams: [stable.url] },
          canary: { version: 'v2', upstreams: [canaryUrl ?? canary.url] },
          mirror: { maxConcurrent: 4, maxBodyBytes: 100 },
          timeouts: { connectMs: 1000, responseMs: 30_000 },
        }),
      ],
    }),
  });
  open.push(stable, canary, gw);
  return { stable, canary, gw };
}

async function send(gw: RunningGateway, i: number, body?: string) {
  const res = await request(`${gw.url}/wallet/bet`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-player-id': `p-${i}` },
    ...(body === undefined ? {} : { body }),
  });
  const json = (await res.body.json()) as { version: string };
  return { status: res.statusCode, version: json.version };
}

describe('shadow traffic', () => {
  it('answers players while the shadow upstream holds every mirrored request, within the concurrency bound', async () => {
    const { stable, canary, gw } = await setup();
    const held: ServerResponse[] = [];
    canary.handle((_req, res) => held.push(res)); // the shadow never answers until released
    gw.gateway.applyRoute('wallet', { weight: 0, mirror: 100 });
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await send(gw, i, i % 2 === 0 ? '{"stake":1}' : undefined));
    // Every player got stable's answer while the shadow still sat on its requests: nothing waited for it.
    expect(results.every((r) => r.status === 200 && r.version === 'v1')).toBe(true);
    expect(stable.seen).toHaveLength(30);
    while (canary.seen.length < 4) await new Promise((r) => setTimeout(r, 5));
    expect(held.length).toBe(4);
    expect(canary.seen).toHaveLength(4); // maxConcurrent: the other 26 were skipped, not queued
    expect(canary.seen.every((r) => r.headers['x-pitboss-mirror'] === '1')).toBe(true);
    expect(stable.seen.some((r) => r.headers['x-pitboss-mirror'] !== undefined)).toBe(false);
    const metrics = await gw.gateway.metrics.registry.metrics();
    expect(metrics).toMatch(
      /pitboss_gateway_mirrored_requests_total\{service="wallet",version="v2",result="skipped"\} 26/,
    );
    for (const res of held) res.end('{}');
    while (!(await gw.gateway.metrics.registry.metrics()).includes('result="sent"} 4'))
      await new Promise((r) => setTimeout(r, 5));
  });

  it('mirrors bodies whole and skips bodies over mirror.maxBodyBytes', async () => {
    const { canary, gw } = await setup();
    gw.gateway.applyRoute('wallet', { weight: 0, mirror: 100 });
    await send(gw, 1, '{"stake":1}');
    await send(gw, 2, 'x'.repeat(101));
    while (canary.seen.length < 1) await new Promise((r) => setTimeout(r, 5));
    await send(gw, 3); // by the time this is answered, a mirror of request 2 would have been sent
    while (canary.seen.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(canary.seen.map((r) => r.body)).toEqual(['{"stake":1}', '']);
    expect(canary.seen[0]!.method).toBe('POST');
  });

  it('changes nothing for players when the shadow upstream is down', async () => {
    const port = await deadPort();
    const { gw } = await setup(`http://127.0.0.1:${port}`);
    gw.gateway.applyRoute('wallet', { weight: 0, mirror: 100 });
    for (let i = 0; i < 40; i++)
      expect(await send(gw, i, i % 3 === 0 ? 'body' : undefined)).toEqual({ status: 200, version: 'v1' });
  });

  it('never mirrors a request the canary serves, and mirrors about the asked share of the rest', async () => {
    const { canary, gw } = await setup();
    gw.gateway.applyRoute('wallet', { weight: 100, mirror: 100 });
    for (let i = 0; i < 20; i++) await send(gw, i);
    expect(canary.seen).toHaveLength(20);
    expect(canary.seen.some((r) => r.headers['x-pitboss-mirror'] !== undefined)).toBe(false);
  });
});

describe('mirror sampling', () => {
  it('mirrors the configured percent of stable requests (sample drawn from the injected random)', async () => {
    const stable = await startUpstream('v1');
    const canary = await startUpstream('v2');
    let i = 0;
    const gw = await startGateway({
      config: gatewayConfig({
        services: [
          serviceConfig({
            name: 'w',
            match: { pathPrefix: '/' },
            stable: { version: 'v1', upstreams: [stable.url] },
            canary: { version: 'v2', upstreams: [canary.url] },
          }),
        ],
      }),
      random: () => (i++ % 100) / 100, // 0.00, 0.01, … : exactly `mirror` of every 100 are below mirror/100
    });
    open.push(stable, canary, gw);
    gw.gateway.applyRoute('w', { weight: 0, mirror: 10 });
    for (let k = 0; k < 200; k++) await send(gw, k);
    while (canary.seen.length < 20) await new Promise((r) => setTimeout(r, 5));
    await send(gw, 999); // i = 200 → 0.00 → mirrored: the 21st
    while (canary.seen.length < 21) await new Promise((r) => setTimeout(r, 5));
    expect(canary.seen).toHaveLength(21);
  });
});
