import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { BuiltinProvider } from '../analysis/providers/builtin.js';
import { type GatewayConfig, gatewayConfig, serviceConfig } from './gateway-config.js';
import { type RunningGateway, startGateway } from './index.js';
import { startUpstream, type TestUpstream } from './testing/upstream-server.js';
import { TrafficStats } from './traffic-stats.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

const config = (
  stable: string[],
  canary: string[],
  extra: Partial<Parameters<typeof serviceConfig>[0]> = {},
): GatewayConfig =>
  gatewayConfig({
    services: [
      serviceConfig({
        name: 'wallet',
        match: { pathPrefix: '/wallet' },
        stable: { version: 'v1', upstreams: stable },
        canary: { version: 'v2', upstreams: canary },
        ...extra,
      }),
    ],
  });

async function upstreams(n: number, version: string): Promise<TestUpstream[]> {
  const list = await Promise.all(Array.from({ length: n }, () => startUpstream(version)));
  open.push(...list);
  return list;
}

/** Answers after a short delay, so requests are in flight while the gateway is reconfigured. */
function slow(u: TestUpstream, version: string): void {
  u.handle((_req, res) => {
    setTimeout(() => res.end(JSON.stringify({ version })), 2);
  });
}

describe('hot reconfiguration', () => {
  it('drops no request while routes and whole configs change under a few hundred concurrent requests', async () => {
    const [a, b] = await upstreams(2, 'v1');
    const [c, d] = await upstreams(2, 'v2');
    for (const u of [a!, b!]) slow(u, 'v1');
    for (const u of [c!, d!]) slow(u, 'v2');
    const gw = await startGateway({ config: config([a!.url], [c!.url]) });
    open.push(gw);
    const agent = new Agent({ connections: 300 });
    open.push(agent);
    let changing = true;
    let changes = 0;
    const churn = (async () => {
      while (changing) {
        const k = changes++;
        gw.gateway.applyRoute(
          'wallet',
          {
            weight: (k * 7) % 101,
            mirror: k % 3 === 0 ? 50 : 0,
            ...(k % 2 ? { segment: 'market == "SE"' } : {}),
          },
          { rolloutStep: k % 5 },
        );
        if (k % 4 === 0)
          gw.gateway.reconfigure(
            config(k % 8 === 0 ? [a!.url, b!.url] : [b!.url], k % 8 === 0 ? [c!.url] : [c!.url, d!.url]),
          );
        await new Promise((r) => setImmediate(r));
      }
    })();
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 300 }, async (_, w) => {
        for (let i = 0; i < 4; i++) {
          const res = await request(`${gw.url}/wallet/spin`, {
            dispatcher: agent,
            headers: { 'x-player-id': `p-${w}-${i}`, 'x-market': w % 2 ? 'SE' : 'DK' },
          });
          await res.body.dump();
          statuses.push(res.statusCode);
        }
      }),
    );
    changing = false;
    await churn;
    expect(changes).toBeGreaterThan(10);
    expect(statuses).toHaveLength(1200);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('lets requests in flight on a removed upstream finish there', async () => {
    const [a, b] = await upstreams(2, 'v1');
    const held: ServerResponse[] = [];
    a!.handle((_req, res) => held.push(res));
    const gw = await startGateway({ config: config([a!.url], [b!.url]) });
    open.push(gw);
    const pending = Array.from({ length: 20 }, () => request(`${gw.url}/wallet/x`));
    while (held.length < 20) await new Promise((r) => setTimeout(r, 5));
    gw.gateway.reconfigure(config([b!.url], [b!.url]));
    const after = await request(`${gw.url}/wallet/y`);
    expect(((await after.body.json()) as { version: string }).version).toBe('v1');
    expect(b!.seen.map((r) => r.url)).toEqual(['/wallet/y']);
    for (const res of held) res.end('"from a"');
    const done = await Promise.all(pending);
    expect(done.map((r) => r.statusCode)).toEqual(new Array(20).fill(200));
    expect(await Promise.all(done.map((r) => r.body.text()))).toEqual(new Array(20).fill('"from a"'));
  });

  it('keeps the upstream of a request routed before its body arrived, across a reconfiguration', async () => {
    const [a, b] = await upstreams(2, 'v1');
    const gw = await startGateway({ config: config([a!.url], [a!.url]) });
    open.push(gw);
    const socket = connect(gw.port, '127.0.0.1');
    await once(socket, 'connect');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString();
    });
    socket.write(
      'POST /wallet/deposit HTTP/1.1\r\nHost: g\r\nContent-Length: 10\r\nConnection: close\r\n\r\n12345',
    );
    await new Promise((r) => setTimeout(r, 20));
    gw.gateway.reconfigure(config([b!.url], [b!.url])); // a is no longer in any pool
    socket.write('67890');
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(a!.seen.map((r) => r.body)).toEqual(['1234567890']);
    expect(b!.seen).toHaveLength(0);
  });

  it('keeps the routing the controller applied across a config reload', async () => {
    const [a] = await upstreams(1, 'v1');
    const [c] = await upstreams(1, 'v2');
    const gw = await startGateway({ config: config([a!.url], [c!.url]) });
    open.push(gw);
    gw.gateway.applyRoute(
      'wallet',
      { weight: 30, mirror: 5 },
      {
        rolloutStep: 2,
        spec: { stable: { version: 'v1', upstreams: [] }, canary: { version: 'v2-rc', upstreams: [] } },
      },
    );
    gw.gateway.reconfigure(config([a!.url], [c!.url]));
    expect(gw.gateway.route('wallet')).toEqual({ weight: 30, mirror: 5 });
    expect(gw.gateway.rolloutStep('wallet')).toBe(2);
    expect(gw.gateway.describe()[0]).toMatchObject({ canary: 'v2-rc' });
  });
});

describe('health checks', () => {
  it('takes a target failing its health check out of rotation and brings it back', async () => {
    const [a, b] = await upstreams(2, 'v1');
    const gw = await startGateway({
      config: config([a!.url, b!.url], [a!.url], {
        healthCheck: {
          path: '/healthz',
          intervalMs: 20,
          timeoutMs: 1000,
          unhealthyThreshold: 2,
          healthyThreshold: 1,
        },
      }),
    });
    open.push(gw);
    const hits = async (n: number) => {
      a!.seen.length = 0;
      b!.seen.length = 0;
      for (let i = 0; i < n; i++) await (await request(`${gw.url}/wallet/h`)).body.dump();
      return { a: a!.seen.length, b: b!.seen.length };
    };
    expect(await hits(10)).toEqual({ a: 5, b: 5 }); // round robin
    b!.healthy = false;
    while ((await hits(4)).b > 0) await new Promise((r) => setTimeout(r, 10));
    expect(await hits(20)).toEqual({ a: 20, b: 0 });
    b!.healthy = true;
    while ((await hits(4)).b === 0) await new Promise((r) => setTimeout(r, 10));
  });

  it('answers 502 when no target of the pool is healthy', async () => {
    const [a] = await upstreams(1, 'v1');
    const gw = await startGateway({
      config: config([a!.url], [a!.url], {
        healthCheck: {
          path: '/healthz',
          intervalMs: 20,
          timeoutMs: 1000,
          unhealthyThreshold: 1,
          healthyThreshold: 1,
        },
      }),
    });
    open.push(gw);
    a!.healthy = false;
    let status = 200;
    while (status === 200) {
      const res = await request(`${gw.url}/wallet/h`);
      await res.body.dump();
      status = res.statusCode;
    }
    expect(status).toBe(502);
  });
});

describe('the builtin metric provider', () => {
  it('answers success_ratio by version from what the gateway recorded', async () => {
    const [a] = await upstreams(1, 'v1');
    const [c] = await upstreams(1, 'v2');
    let n = 0;
    c!.handle((_req, res) => {
      res.writeHead(n++ % 4 === 0 ? 500 : 200);
      res.end('{}');
    });
    const stats = new TrafficStats();
    const gw: RunningGateway = await startGateway({
      config: config([a!.url], [c!.url]),
      trafficStats: stats,
    });
    open.push(gw);
    gw.gateway.applyRoute('wallet', { weight: 50, mirror: 0 });
    const served = { v1: 0, v2: 0 };
    for (let i = 0; i < 400; i++) {
      const res = await request(`${gw.url}/wallet/deposit`, { headers: { 'x-player-id': `p-${i}` } });
      await res.body.dump();
      served[res.headers['x-pitboss-version'] as 'v1' | 'v2']++;
    }
    const provider = new BuiltinProvider(stats);
    const result = await provider.query(
      { kind: 'builtin' },
      'success_ratio{service="wallet"}[5m] by (version)',
      new Date(Date.now() + 10_000),
    );
    expect(result.ok).toBe(true);
    const series = (result as { series: { labels: Record<string, string>; value: number }[] }).series;
    const v2Failures = Math.ceil(served.v2 / 4);
    expect(series).toEqual([
      { labels: { version: 'v1' }, value: 1, samples: served.v1 },
      { labels: { version: 'v2' }, value: (served.v2 - v2Failures) / served.v2, samples: served.v2 },
    ]);
  });
});
