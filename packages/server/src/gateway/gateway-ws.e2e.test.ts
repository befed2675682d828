import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { gatewayConfig, serviceConfig } from './gateway-config.js';
import { type RunningGateway, startGateway } from './index.js';
import { deadPort, startUpstream, type TestUpstream } from './testing/upstream-server.js';
import { TrafficStats } from './traffic-stats.js';

let v1: TestUpstream;
let v2: TestUpstream;
let gw: RunningGateway;
let stats: TrafficStats;

beforeAll(async () => {
  v1 = await startUpstream('v1');
  v2 = await startUpstream('v2');
  stats = new TrafficStats();
  gw = await startGateway({
    config: gatewayConfig({
      wsPingIntervalMs: 20,
      services: [
        serviceConfig({
          name: 'table',
          match: { pathPrefix: '/table' },
          stable: { version: 'v1', upstreams: [v1.url] },
          canary: { version: 'v2', upstreams: [v2.url] },
        }),
      ],
    }),
    trafficStats: stats,
  });
});

afterAll(async () => {
  await gw.close();
  await v1.close();
  await v2.close();
});

/** Opens a player socket through the gateway and collects what it receives. */
async function player(headers: Record<string, string>) {
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/table/live?seat=3`, { headers });
  const received: { data: string; binary: boolean }[] = [];
  let upgradeVersion: string | undefined;
  ws.on('upgrade', (res) => {
    upgradeVersion = res.headers['x-pitboss-version'] as string;
  });
  ws.on('message', (data, binary) =>
    received.push({ data: binary ? `bin:${(data as Buffer).toString()}` : data.toString(), binary }),
  );
  await once(ws, 'open');
  const next = async (n: number) => {
    while (received.length < n) await new Promise((r) => setTimeout(r, 5));
  };
  return { ws, received, next, version: () => upgradeVersion };
}

const all = () => ({ match: { service: 'table' }, from: 0, to: Date.now() + 60_000, by: ['version'] });

describe('WebSocket proxying', () => {
  it('relays text and binary both ways, on the version chosen at the upgrade', async () => {
    gw.gateway.applyRoute('table', { weight: 100, mirror: 0 });
    const p = await player({ 'x-player-id': 'p-1' });
    expect(p.version()).toBe('v2');
    await p.next(1);
    expect(p.received[0]!.data).toBe('hello from v2 /table/live?seat=3');
    p.ws.send('bet 10');
    p.ws.send(Buffer.from([0x68, 0x69]), { binary: true });
    await p.next(3);
    expect(p.received.slice(1)).toEqual([
      { data: 'v2:bet 10', binary: false },
      { data: 'bin:v2:hi', binary: true },
    ]);
    // A new routing does not move the open connection.
    gw.gateway.applyRoute('table', { weight: 0, mirror: 0 });
    p.ws.send('still here');
    await p.next(4);
    expect(p.received[3]!.data).toBe('v2:still here');
    p.ws.close(1000);
    await once(p.ws, 'close');
  });

  it('propagates close codes both ways', async () => {
    const p = await player({ 'x-player-id': 'p-2' });
    p.ws.send('close-me'); // the upstream closes with 4001
    const [code, reason] = (await once(p.ws, 'close')) as [number, Buffer];
    expect(code).toBe(4001);
    expect(reason.toString()).toBe('asked to');

    const q = await player({ 'x-player-id': 'p-3' });
    const upstream = q.version() === 'v1' ? v1 : v2;
    q.ws.close(4100, 'player left');
    await once(q.ws, 'close');
    while (!upstream.wsCloses.includes(4100)) await new Promise((r) => setTimeout(r, 5));
  });

  it('records the RTT from ping/pong (upstream and client legs) and counts open connections per version', async () => {
    gw.gateway.applyRoute('table', { weight: 0, mirror: 0 });
    const p = await player({ 'x-player-id': 'p-4' });
    while (stats.queryWsRtt(all()).find((g) => g.labels.version === 'v1') === undefined)
      await new Promise((r) => setTimeout(r, 10));
    const rtt = stats.queryWsRtt(all()).find((g) => g.labels.version === 'v1')!;
    expect(rtt.count).toBeGreaterThan(0);
    expect(
      stats.queryWsConnections({ match: { service: 'table' }, at: Date.now() + 1, by: ['version'] }),
    ).toContainEqual({
      labels: { version: 'v1' },
      value: 1,
    });
    const metrics = await gw.gateway.metrics.registry.metrics();
    expect(metrics).toMatch(
      /pitboss_gateway_ws_rtt_seconds_count\{service="table",version="v1",rollout_step="",side="upstream"\} [1-9]/,
    );
    while (!/side="client"\} [1-9]/.test(await gw.gateway.metrics.registry.metrics()))
      await new Promise((r) => setTimeout(r, 10));
    p.ws.close();
    await once(p.ws, 'close');
    while (
      stats.queryWsConnections({ match: { service: 'table', version: 'v1' }, at: Date.now() + 1, by: [] })[0]
        ?.value !== 0
    )
      await new Promise((r) => setTimeout(r, 10));
  });

  it('answers 502 to the upgrade when the chosen version is down, and counts it against that version', async () => {
    const port = await deadPort();
    const g = await startGateway({
      config: gatewayConfig({
        services: [
          serviceConfig({
            name: 'table',
            match: { pathPrefix: '/' },
            stable: { version: 'v1', upstreams: [v1.url] },
            canary: { version: 'v2', upstreams: [`http://127.0.0.1:${port}`] },
          }),
        ],
      }),
      trafficStats: stats,
    });
    g.gateway.applyRoute('table', { weight: 100, mirror: 0 });
    const ws = new WebSocket(`${g.url.replace('http', 'ws')}/x`, { headers: { 'x-player-id': 'p' } });
    ws.on('error', () => {}); // terminating a refused socket reports an error; expected here
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(502);
    ws.terminate();
    await g.close();
  });
});
