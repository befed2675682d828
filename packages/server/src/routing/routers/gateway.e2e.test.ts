import { describe, expect, it } from 'vitest';
import { startAdminServer } from '../../gateway/admin-api.js';
import { gatewayConfig, serviceConfig } from '../../gateway/gateway-config.js';
import { startGateway } from '../../gateway/index.js';
import { startUpstream } from '../../gateway/testing/upstream-server.js';
import type { RouteSpec } from '../router.js';
import { routerContract } from '../router-contract.js';
import { GatewayRouter, RemoteGatewayRouter } from './gateway.js';
import { createRouter } from './index.js';

const TOKEN = 'admin-token-for-tests';

async function fixture() {
  const v1 = await startUpstream('v1');
  const v2 = await startUpstream('v2');
  const routes = ['wallet', 'lobby'].map(
    (service): RouteSpec => ({
      service,
      stable: { version: 'v1', upstreams: [v1.url] },
      canary: { version: 'v2', upstreams: [v2.url] },
      stickiness: 'playerId',
    }),
  ) as [RouteSpec, RouteSpec];
  const running = await startGateway({
    config: gatewayConfig({
      services: routes.map((r) =>
        serviceConfig({
          name: r.service,
          match: { pathPrefix: `/${r.service}` },
          stable: r.stable,
          canary: r.canary,
        }),
      ),
    }),
  });
  const admin = await startAdminServer(running.gateway, { host: '127.0.0.1', port: 0, token: TOKEN });
  return {
    running,
    admin,
    routes,
    async close() {
      await admin.close();
      await running.close();
      await v1.close();
      await v2.close();
    },
  };
}

routerContract('gateway (in process)', async () => {
  const f = await fixture();
  return { router: new GatewayRouter(f.running.gateway), routes: f.routes, close: f.close };
});

routerContract('gateway (admin API)', async () => {
  const f = await fixture();
  return {
    router: new RemoteGatewayRouter({ url: f.admin.url, token: TOKEN }),
    routes: f.routes,
    close: f.close,
  };
});

describe('gateway routers', () => {
  it('move real traffic, label it with the rollout versions and carry the rollout step', async () => {
    const f = await fixture();
    const router = createRouter('gateway', { gateway: f.running.gateway });
    const spec = { ...f.routes[0], canary: { version: 'v2-rc1', upstreams: [] }, rolloutStep: 3 };
    await router.setWeight(spec, 100);
    const res = await fetch(`${f.running.url}/wallet/x`, { headers: { 'x-player-id': 'p-1' } });
    expect(res.headers.get('x-pitboss-version')).toBe('v2-rc1');
    expect(((await res.json()) as { version: string }).version).toBe('v2');
    expect(f.running.gateway.rolloutStep('wallet')).toBe(3);
    const metrics = await f.running.gateway.metrics.registry.metrics();
    expect(metrics).toContain('version="v2-rc1",rollout_step="3"');
    await f.close();
  });

  it('refuses a service the gateway does not have, and a segment that does not compile', async () => {
    const f = await fixture();
    const local = new GatewayRouter(f.running.gateway);
    const remote = new RemoteGatewayRouter({ url: f.admin.url, token: TOKEN });
    const ghost = { ...f.routes[0], service: 'ghost' };
    for (const r of [local, remote]) {
      await expect(r.setWeight(ghost, 5)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(r.setSegment(f.routes[0], 'market ==')).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    }
    await f.close();
  });

  it('admin API: refuses a wrong token, serves /metrics and /healthz without one', async () => {
    const f = await fixture();
    const wrong = new RemoteGatewayRouter({ url: f.admin.url, token: 'nope' });
    await expect(wrong.verify(f.routes[0], { weight: 0, mirror: 0 })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const bare = await fetch(`${f.admin.url}/v1/routes/wallet`);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({ code: 'UNAUTHENTICATED', id: expect.any(String) });
    expect((await fetch(`${f.admin.url}/healthz`)).status).toBe(200);
    const metrics = await fetch(`${f.admin.url}/metrics`);
    expect(await metrics.text()).toContain('pitboss_gateway_requests_total');
    const bad = await fetch(`${f.admin.url}/v1/routes/wallet`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    await f.close();
  });

  it('createRouter needs a gateway or an admin URL for kind gateway', () => {
    expect(() => createRouter('gateway')).toThrow(/needs the built-in gateway/);
    expect(createRouter('gateway', { gatewayAdmin: { url: 'http://127.0.0.1:1', token: 't' } }).kind).toBe(
      'gateway',
    );
  });
});
