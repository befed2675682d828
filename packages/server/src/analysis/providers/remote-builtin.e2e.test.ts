import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAdmin, startAdminServer } from '../../gateway/admin-api.js';
import { gatewayConfig, serviceConfig } from '../../gateway/gateway-config.js';
import { type RunningGateway, startGateway } from '../../gateway/index.js';
import { startUpstream, type TestUpstream } from '../../gateway/testing/upstream-server.js';
import { TrafficStats } from '../../gateway/traffic-stats.js';
import { type RunningServer, startServer } from '../../server.js';
import type { QueryResult } from '../provider.js';
import { BuiltinProvider } from './builtin.js';
import { createProviders } from './index.js';
import { providerContract } from './provider-contract.js';
import { RemoteBuiltinProvider } from './remote-builtin.js';
import { AT, depositTraffic, T0 } from './testing/deposit-traffic.js';

/**
 * The `builtin` provider of a control plane whose gateway is its own process: real admin servers on ephemeral
 * ports, answering over HTTP what the in-process provider answers over the same TrafficStats.
 */

const TOKEN = 'remote-builtin-admin-token';
const SPEC = { kind: 'builtin' } as const;

/** The shared deposit traffic on the `deposit` endpoint, and WebSocket RTTs of games v1. */
function fixture(): TrafficStats {
  const stats = depositTraffic('deposit');
  for (let i = 0; i < 20; i++)
    stats.recordWsRtt({ service: 'games', version: 'v1', rttMs: 5 + i, at: T0 + 1_000 });
  return stats;
}

/** A gateway with no services: the admin API is what these tests talk to. */
async function admin(trafficStats?: TrafficStats): Promise<{ admin: RunningAdmin; close(): Promise<void> }> {
  const running = await startGateway({ config: gatewayConfig({ services: [] }) });
  const api = await startAdminServer(running.gateway, {
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    ...(trafficStats ? { trafficStats } : {}),
  });
  return {
    admin: api,
    async close() {
      await api.close();
      await running.close();
    },
  };
}

/** A plain HTTP server answering every request with `answer` (or never, when it is undefined). */
async function fakeServer(answer?: {
  status: number;
  body: string;
}): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    if (!answer) return;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

providerContract('builtin (remote, gateway admin API)', async () => {
  const a = await admin(fixture());
  return {
    provider: new RemoteBuiltinProvider({ url: a.admin.url, token: TOKEN }),
    spec: SPEC,
    data: {
      query: 'success_ratio{service="wallet",version="v2"}[5m] by (psp)',
      at: AT,
      expected: [
        { labels: { psp: 'A' }, value: 1, samples: 50 },
        { labels: { psp: 'B' }, value: 0.94, samples: 50 },
      ],
    },
    empty: { query: 'success_ratio{service="wallet",version="v3"}[5m] by (psp)', at: AT },
    malformed: 'success_ratio{service=wallet}[5m]',
    close: a.close,
  };
});

describe('remote builtin provider', () => {
  let a: Awaited<ReturnType<typeof admin>>;
  const stats = fixture();
  beforeAll(async () => {
    a = await admin(stats);
  });
  afterAll(async () => {
    await a.close();
  });

  it('answers exactly what the in-process provider answers, histograms and +Inf bounds included', async () => {
    const remote = new RemoteBuiltinProvider({ url: `${a.admin.url}/`, token: TOKEN });
    const local = new BuiltinProvider(stats);
    const queries = [
      'success_ratio{service="wallet",endpoint="deposit"}[5m] by (version, psp)',
      'latency_p95{service="wallet",version="v2"}[5m]',
      'latency_bucket{service="wallet",version="v2"}[5m]',
      'failures{service="wallet"}[5m] by (version)',
      'requests{service="wallet"}[5m] by (version)',
      'ws_rtt_p95{service="games"}[5m] by (version)',
    ];
    for (const q of queries) {
      const expected = await local.query(SPEC, q, AT);
      expect(expected.ok, q).toBe(true);
      expect(await remote.query(SPEC, q, AT), q).toEqual(expected);
    }
    const p95 = await remote.query(SPEC, queries[1]!, AT);
    if (!p95.ok) throw new Error(p95.error);
    expect(p95.series[0]!.histogram!.bounds.at(-1)).toBe(Number.POSITIVE_INFINITY);
    expect(p95.series[0]!.quantile).toBe(0.95);
  });

  it('asks at the time given: before the traffic there is no data', async () => {
    const remote = new RemoteBuiltinProvider({ url: a.admin.url, token: TOKEN });
    const before = await remote.query(SPEC, 'requests{service="wallet"}[5s]', new Date(T0 - 60_000));
    expect(before).toEqual({ ok: true, series: [] });
  });

  it('answers an error naming the status for a wrong token, never data', async () => {
    const remote = new RemoteBuiltinProvider({ url: a.admin.url, token: 'not-the-token' });
    const r = await remote.query(SPEC, 'requests[5m]', AT);
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/HTTP 401: a valid admin bearer token/) });
  });

  it('refuses bad query bodies and methods on the admin API itself', async () => {
    const post = (body: string, method = 'POST', token = TOKEN) =>
      fetch(`${a.admin.url}/v1/query`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body }),
      });
    const cases: [string, string, number, string][] = [
      ['{}', 'POST', 400, 'VALIDATION_FAILED'],
      ['{"query":"requests[5m]","at":"yesterday"}', 'POST', 400, 'VALIDATION_FAILED'],
      ['{"query":"requests[5m]","at":true}', 'POST', 400, 'VALIDATION_FAILED'],
      ['[1]', 'POST', 400, 'BAD_REQUEST'],
      ['not json', 'POST', 400, 'BAD_REQUEST'],
      ['', 'GET', 400, 'BAD_REQUEST'],
    ];
    for (const [body, method, status, code] of cases) {
      const res = await post(body, method);
      expect([body, res.status], body).toEqual([body, status]);
      expect(((await res.json()) as { code: string }).code).toBe(code);
    }
    const anonymous = await fetch(`${a.admin.url}/v1/query`, {
      method: 'POST',
      body: '{"query":"requests[5m]"}',
    });
    expect(anonymous.status).toBe(401);
    // Epoch milliseconds are accepted as well as ISO times.
    const ok = await post(`{"query":"requests{service=\\"wallet\\"}[5m]","at":${AT.getTime()}}`);
    expect(((await ok.json()) as QueryResult).ok).toBe(true);
  });

  it('answers an error when the gateway keeps no measurements', async () => {
    const bare = await admin();
    try {
      const r = await new RemoteBuiltinProvider({ url: bare.admin.url, token: TOKEN }).query(
        SPEC,
        'requests[5m]',
        AT,
      );
      expect(r).toEqual({ ok: false, error: expect.stringMatching(/no traffic source/) });
    } finally {
      await bare.close();
    }
  });

  it('answers errors for a dead, a hanging and a garbage-speaking endpoint, and honours the signal', async () => {
    const dead = await fakeServer({ status: 200, body: '{}' });
    const deadUrl = dead.url;
    await closeServer(dead.server);
    const r1 = await new RemoteBuiltinProvider({ url: deadUrl, token: TOKEN }).query(
      SPEC,
      'requests[5m]',
      AT,
    );
    expect(r1).toEqual({ ok: false, error: expect.stringMatching(/ECONNREFUSED|refused/i) });

    const hanging = await fakeServer();
    const garbage = await fakeServer({ status: 200, body: '<html>hello</html>' });
    const wrongShape = await fakeServer({ status: 200, body: '{"ok":true,"series":[{"value":1}]}' });
    try {
      const slow = new RemoteBuiltinProvider({ url: hanging.url, token: TOKEN }, fetch, 150);
      expect(await slow.query(SPEC, 'requests[5m]', AT)).toEqual({
        ok: false,
        error: expect.stringMatching(/timed out after 150 ms/),
      });
      const controller = new AbortController();
      const pending = new RemoteBuiltinProvider({ url: hanging.url, token: TOKEN }).query(
        SPEC,
        'requests[5m]',
        AT,
        controller.signal,
      );
      setTimeout(() => controller.abort(), 50);
      expect(await pending).toEqual({ ok: false, error: expect.stringMatching(/aborted/) });
      const r3 = await new RemoteBuiltinProvider({ url: garbage.url, token: TOKEN }).query(
        SPEC,
        'requests[5m]',
        AT,
      );
      expect(r3).toEqual({ ok: false, error: expect.stringMatching(/not JSON/) });
      const r4 = await new RemoteBuiltinProvider({ url: wrongShape.url, token: TOKEN }).query(
        SPEC,
        'requests[5m]',
        AT,
      );
      expect(r4).toEqual({ ok: false, error: expect.stringMatching(/not a query result/) });
    } finally {
      await Promise.all([
        closeServer(hanging.server),
        closeServer(garbage.server),
        closeServer(wrongShape.server),
      ]);
    }
  });

  it('is what createProviders gives for builtin when a gateway admin API is configured', async () => {
    const providers = createProviders({ gatewayAdmin: { url: a.admin.url, token: TOKEN } });
    expect(providers('builtin')).toBeInstanceOf(RemoteBuiltinProvider);
    const r = await providers('builtin').query(SPEC, 'requests{service="wallet"}[5m] by (version)', AT);
    expect(r).toEqual({
      ok: true,
      series: [
        { labels: { version: 'v1' }, value: 100 },
        { labels: { version: 'v2' }, value: 100 },
      ],
    });
    expect(createProviders({ trafficStats: stats })('builtin')).toBeInstanceOf(BuiltinProvider);
  });
});

describe('a control plane driving a standalone gateway (startServer with gatewayAdmin)', () => {
  let v1: TestUpstream;
  let v2: TestUpstream;
  let gateway: RunningGateway;
  let gatewayAdmin: RunningAdmin;
  let server: RunningServer;
  const ADMIN = 'pb_api_remote_builtin_e2e_admin_0001';
  beforeAll(async () => {
    v1 = await startUpstream('v1');
    v2 = await startUpstream('v2');
    const stats = new TrafficStats();
    gateway = await startGateway({
      trafficStats: stats,
      config: gatewayConfig({
        services: [
          serviceConfig({
            name: 'wallet',
            match: { pathPrefix: '/wallet' },
            stable: { version: 'v1', upstreams: [v1.url] },
            canary: { version: 'v2', upstreams: [v2.url] },
            context: { playerId: { header: 'x-player-id' } },
            endpoints: [{ name: 'deposit', method: 'POST', path: '/wallet/deposit' }],
          }),
        ],
      }),
    });
    gatewayAdmin = await startAdminServer(gateway.gateway, {
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      trafficStats: stats,
    });
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      database: 'sqlite::memory:',
      adminToken: ADMIN,
      gatewayAdmin: { url: gatewayAdmin.url, token: TOKEN },
      logLevel: 'silent',
    });
  });
  afterAll(async () => {
    await server?.close();
    await gatewayAdmin?.close();
    await gateway?.close();
    await v1?.close();
    await v2?.close();
  });

  it('routes through the admin API and judges the analysis by the gateway’s own measurements', async () => {
    let stop = false;
    const players = (async () => {
      for (let i = 0; !stop; i++) {
        const res = await fetch(`${gateway.url}/wallet/deposit`, {
          method: 'POST',
          headers: { 'x-player-id': `p-${i % 50}` },
          body: '{}',
        });
        await res.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await res.json()) as { phase: string; gates: { metrics: { successful: number }[] }[] };
    };
    const template = {
      apiVersion: 'pitboss.dev/v1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'canary-served' },
      spec: {
        metrics: [
          {
            name: 'canary-deposits',
            interval: '1s',
            count: 3,
            successCondition: 'result >= 1',
            provider: {
              builtin: {
                query: 'requests{service="wallet",endpoint="deposit",version="{{version}}"}[{{window}}]',
              },
            },
          },
        ],
      },
    };
    const rollout = {
      apiVersion: 'pitboss.dev/v1',
      kind: 'Rollout',
      metadata: { name: 'wallet' },
      spec: {
        service: 'wallet',
        stable: { version: 'v1', upstreams: [v1.url] },
        canary: { version: 'v2', upstreams: [v2.url] },
        strategy: {
          canary: {
            steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: 'canary-served' }] } }],
          },
        },
      },
    };
    try {
      const started = await call('POST', '/api/v1/rollouts', { rollout, templates: [template] });
      expect(started.phase, JSON.stringify(started)).toBeDefined();
      let status = await call('GET', '/api/v1/rollouts/wallet');
      for (let i = 0; i < 300 && status.phase !== 'Healthy'; i++) {
        expect(['Progressing', 'Analyzing']).toContain(status.phase);
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = await call('GET', '/api/v1/rollouts/wallet');
      }
      expect(status.phase).toBe('Healthy');
    } finally {
      stop = true;
      await players;
    }
    // The routing reached the gateway through its admin API, and the canary's deposits were what passed the gate.
    expect(gateway.gateway.route('wallet')?.weight).toBe(100);
    expect(v2.seen.length).toBeGreaterThan(0);
  });
});
