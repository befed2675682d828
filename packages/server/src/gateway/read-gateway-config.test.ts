import { describe, expect, it } from 'vitest';
import { readGatewayConfig } from './read-gateway-config.js';

const doc = (spec: Record<string, unknown>) => ({ apiVersion: 'pitboss.dev/v1', kind: 'Gateway', spec });
const wallet = {
  name: 'wallet',
  match: { pathPrefix: '/wallet' },
  stable: { version: 'v1', upstreams: ['http://127.0.0.1:4001', 'http://127.0.0.1:4002'] },
  canary: { version: 'v2', upstreams: ['http://127.0.0.1:4003'] },
};

describe('readGatewayConfig', () => {
  it('fills every default', () => {
    const { config, diagnostics } = readGatewayConfig(doc({ services: [wallet] }));
    expect(diagnostics).toEqual([]);
    expect(config).toEqual({
      listen: { host: '127.0.0.1', port: 8080 },
      jwt: {},
      versionHeader: true,
      wsPingIntervalMs: 10_000,
      services: [
        {
          ...wallet,
          stickiness: 'playerId',
          context: { playerId: { header: 'x-player-id' } },
          endpoints: [],
          timeouts: { connectMs: 2000, responseMs: 30_000 },
          retries: 1,
          maxBodyBytes: 1_048_576,
          mirror: { maxConcurrent: 64, maxBodyBytes: 65_536 },
          circuitBreaker: { failures: 5, cooldownMs: 10_000 },
          route: { weight: 0, mirror: 0 },
        },
      ],
    });
  });

  it('reads the full shape of the plan', () => {
    const { config, diagnostics } = readGatewayConfig(
      doc({
        listen: { host: '0.0.0.0', port: 9000 },
        jwt: { secretEnv: 'JWT_SECRET' },
        versionHeader: false,
        websocket: { pingInterval: '5s' },
        services: [
          {
            ...wallet,
            stickiness: 'playerId',
            context: {
              playerId: { header: 'X-Player-Id' },
              brand: { jwtClaim: 'brand' },
              'user.isEmployee': { jwtClaim: 'employee' },
              market: { cookie: 'market' },
            },
            endpoints: [{ name: 'deposit', method: 'post', path: '/wallet/deposit', pspHeader: 'X-PSP' }],
            timeouts: { connectMs: 500, responseMs: 5000 },
            retries: 2,
            maxBodyBytes: 4096,
            mirror: { maxConcurrent: 8, maxBodyBytes: 1024 },
            healthCheck: { path: '/health', interval: '2s' },
            circuitBreaker: { failures: 3, cooldown: '30s' },
            route: { weight: 5, mirror: 1, segment: 'market == "SE"' },
          },
        ],
      }),
      { env: { JWT_SECRET: 'hs' } },
    );
    expect(diagnostics).toEqual([]);
    expect(config?.listen).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(config?.jwt).toEqual({ secret: 'hs' });
    expect(config?.wsPingIntervalMs).toBe(5000);
    const s = config!.services[0]!;
    expect(s.context).toEqual({
      playerId: { header: 'x-player-id' },
      brand: { jwtClaim: 'brand' },
      'user.isEmployee': { jwtClaim: 'employee' },
      market: { cookie: 'market' },
    });
    expect(s.endpoints).toEqual([
      { name: 'deposit', method: 'POST', path: '/wallet/deposit', pspHeader: 'x-psp' },
    ]);
    expect(s.healthCheck).toEqual({
      path: '/health',
      intervalMs: 2000,
      timeoutMs: 2000,
      unhealthyThreshold: 2,
      healthyThreshold: 1,
    });
    expect(s.circuitBreaker).toEqual({ failures: 3, cooldownMs: 30_000 });
    expect(s.route).toEqual({ weight: 5, mirror: 1, segment: 'market == "SE"' });
  });

  it.each([
    [{ services: [{ ...wallet, matc: {} }] }, ['spec', 'services', 0, 'matc'], "unknown field 'matc'"],
    [
      { services: [{ ...wallet, match: { pathPrefix: 'wallet' } }] },
      ['spec', 'services', 0, 'match', 'pathPrefix'],
      "must start with '/'",
    ],
    [
      { services: [{ ...wallet, match: {} }] },
      ['spec', 'services', 0, 'match'],
      'match needs pathPrefix, host or both',
    ],
    [
      { services: [{ ...wallet, stable: { version: 'v1', upstreams: ['ftp://x'] } }] },
      ['spec', 'services', 0, 'stable', 'upstreams', 0],
      'http(s) URL',
    ],
    [
      { services: [{ ...wallet, canary: { version: 'v1', upstreams: ['http://x'] } }] },
      ['spec', 'services', 0, 'canary', 'version'],
      'both version',
    ],
    [{ services: [wallet, wallet] }, ['spec', 'services', 1, 'name'], "service 'wallet' appears twice"],
    [
      { services: [{ ...wallet, context: { a: { header: 'x', cookie: 'y' } } }] },
      ['spec', 'services', 0, 'context', 'a'],
      'exactly one of',
    ],
    [
      { services: [{ ...wallet, route: { weight: 150 } }] },
      ['spec', 'services', 0, 'route', 'weight'],
      'from 0 to 100',
    ],
    [
      { services: [{ ...wallet, route: { segment: 'market ==' } }] },
      ['spec', 'services', 0, 'route', 'segment'],
      'segment',
    ],
    [
      { jwt: { secretEnv: 'MISSING' }, services: [wallet] },
      ['spec', 'jwt', 'secretEnv'],
      'MISSING is not set',
    ],
    [{ listen: { port: 70000 }, services: [wallet] }, ['spec', 'listen', 'port'], 'from 0 to 65535'],
    [{}, ['spec', 'services'], 'required'],
  ])('reports %j at its path', (spec, path, message) => {
    const { config, diagnostics } = readGatewayConfig(doc(spec), { env: {} });
    expect(config).toBeUndefined();
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ severity: 'error', path, message: expect.stringContaining(message) }),
    );
  });

  it('refuses another kind and warns when no context source gives the stickiness attribute', () => {
    expect(readGatewayConfig({ kind: 'Rollout', spec: { services: [wallet] } }).diagnostics).toContainEqual(
      expect.objectContaining({ path: ['kind'], message: 'kind must be Gateway' }),
    );
    const { config, diagnostics } = readGatewayConfig(
      doc({ services: [{ ...wallet, context: { market: { header: 'x-market' } } }] }),
    );
    expect(config).toBeDefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', path: ['spec', 'services', 0, 'stickiness'] }),
    ]);
  });
});
