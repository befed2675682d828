import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { BuiltinProvider } from '../analysis/providers/builtin.js';
import { gatewayConfig, serviceConfig } from './gateway-config.js';
import { type RunningGateway, startGateway } from './index.js';
import { startUpstream, type TestUpstream } from './testing/upstream-server.js';
import { TrafficStats } from './traffic-stats.js';

// v2 is a build slow to answer WebSocket pings; the players themselves are fast (local, automatic pongs).
let v1: TestUpstream;
let v2: TestUpstream;
let gw: RunningGateway;
let stats: TrafficStats;

beforeAll(async () => {
  v1 = await startUpstream('v1');
  v2 = await startUpstream('v2', { pongDelayMs: 150 });
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

async function open(playerId: string): Promise<WebSocket> {
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/table/live`, {
    headers: { 'x-player-id': playerId },
  });
  await once(ws, 'open');
  return ws;
}

const samples = (version: string) =>
  stats.queryWsRtt({ match: { service: 'table', version }, from: 0, to: Date.now() + 60_000, by: [] })[0]
    ?.count ?? 0;

describe('WebSocket RTT per version', () => {
  it('ws_rtt_p95 times the upstream version, not the player: a slow-pong v2 stands out', async () => {
    gw.gateway.applyRoute('table', { weight: 0, mirror: 0 });
    const onV1 = await open('p-1');
    gw.gateway.applyRoute('table', { weight: 100, mirror: 0 });
    const onV2 = await open('p-2');
    while (samples('v1') < 5 || samples('v2') < 5) await new Promise((r) => setTimeout(r, 20));

    const builtin = new BuiltinProvider(stats);
    const p95 = async (version: string) => {
      const r = await builtin.query(
        { kind: 'builtin' },
        `ws_rtt_p95{service="table",version="${version}"}[5m]`,
        new Date(Date.now() + 1_000),
      );
      if (!r.ok) throw new Error(r.error);
      return r.series[0]!.value;
    };
    const rttV1 = await p95('v1');
    const rttV2 = await p95('v2');
    expect(rttV2).toBeGreaterThan(100);
    expect(rttV2).toBeGreaterThan(rttV1);
    expect(rttV1).toBeLessThan(100);

    // The players' own (fast) round trips are measured too, apart: Prometheus, side="client".
    const metrics = await gw.gateway.metrics.registry.metrics();
    expect(metrics).toMatch(
      /pitboss_gateway_ws_rtt_seconds_count\{[^}]*version="v2"[^}]*side="upstream"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /pitboss_gateway_ws_rtt_seconds_count\{[^}]*version="v2"[^}]*side="client"\} [1-9]/,
    );
    const clientV2 = metrics.match(
      /pitboss_gateway_ws_rtt_seconds_bucket\{service="table",version="v2",rollout_step="",side="client",le="0\.1"\} (\d+)/,
    );
    const clientV2Count = metrics.match(
      /pitboss_gateway_ws_rtt_seconds_count\{service="table",version="v2",rollout_step="",side="client"\} (\d+)/,
    );
    expect(clientV2?.[1]).toBe(clientV2Count?.[1]); // every player pong under 100 ms

    onV1.close();
    onV2.close();
    await Promise.all([once(onV1, 'close'), once(onV2, 'close')]);
  });
});
