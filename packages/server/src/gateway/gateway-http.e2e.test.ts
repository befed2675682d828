import { connect } from 'node:net';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gatewayConfig, serviceConfig } from './gateway-config.js';
import { type RunningGateway, startGateway } from './index.js';
import { deadPort, startUpstream, type TestUpstream } from './testing/upstream-server.js';
import { TrafficStats } from './traffic-stats.js';

let stable: TestUpstream;
let canary: TestUpstream;
let gw: RunningGateway;
let stats: TrafficStats;

beforeAll(async () => {
  stable = await startUpstream('v1');
  canary = await startUpstream('v2');
  stats = new TrafficStats();
  gw = await startGateway({
    config: gatewayConfig({
      services: [
        serviceConfig({
          name: 'wallet',
          match: { pathPrefix: '/wallet' },
          stable: { version: 'v1', upstreams: [stable.url] },
          canary: { version: 'v2', upstreams: [canary.url] },
          maxBodyBytes: 1024,
          endpoints: [{ name: 'deposit', method: 'POST', path: '/wallet/deposit', pspHeader: 'x-psp' }],
        }),
      ],
    }),
    trafficStats: stats,
  });
});

afterAll(async () => {
  await gw.close();
  await stable.close();
  await canary.close();
});

afterEach(() => {
  gw.gateway.applyRoute('wallet', { weight: 0, mirror: 0 });
  stable.seen.length = 0;
  canary.seen.length = 0;
});

/** Writes raw bytes on a fresh connection and returns everything the gateway answered. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(gw.port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => {
      out += d.toString('latin1');
    });
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('HTTP proxying', () => {
  it('sends traffic to stable by default, keeping path and query, and names the version served', async () => {
    const res = await request(`${gw.url}/wallet/balance?currency=EUR`, { headers: { 'x-player-id': 'p-1' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-pitboss-version']).toBe('v1');
    expect(await res.body.json()).toEqual({
      version: 'v1',
      method: 'GET',
      url: '/wallet/balance?currency=EUR',
    });
  });

  it('answers 404 for a path no service matches, and does not match a longer word', async () => {
    const res = await request(`${gw.url}/walletx`);
    expect(res.statusCode).toBe(404);
    await res.body.dump();
    expect(stable.seen).toHaveLength(0);
  });

  it('sets X-Forwarded-For (appended), -Proto and -Host', async () => {
    const res = await request(`${gw.url}/wallet/x`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    await res.body.dump();
    const h = stable.seen[0]!.headers;
    expect(h['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe(`127.0.0.1:${gw.port}`);
  });

  it('strips hop-by-hop headers both ways (RFC 9110 §7.6.1), including those Connection names', async () => {
    stable.handle((_req, res) => {
      res.setHeader('connection', 'x-upstream-private');
      res.setHeader('x-upstream-private', 'secret');
      res.setHeader('keep-alive', 'timeout=5');
      res.setHeader('trailer', 'x-t');
      res.setHeader('x-kept', 'yes');
      res.end('ok');
    });
    const answer = await raw(
      'GET /wallet/hop HTTP/1.1\r\nHost: g\r\nConnection: close, x-client-private\r\nX-Client-Private: 1\r\n' +
        'Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\nUpgrade: h2c\r\nX-Kept: 1\r\n\r\n',
    );
    const h = stable.seen[0]!.headers;
    for (const name of ['x-client-private', 'keep-alive', 'te', 'proxy-authorization', 'upgrade'])
      expect(h[name], name).toBeUndefined();
    expect(h['x-kept']).toBe('1');
    const head = answer.split('\r\n\r\n')[0]!.toLowerCase();
    expect(head).toContain('x-kept: yes');
    expect(head).not.toContain('x-upstream-private');
    expect(head).not.toContain('keep-alive: timeout');
    expect(head).not.toContain('trailer:');
    stable.handle(defaultHandler('v1'));
  });

  it('answers a malformed request with 400 and keeps serving', async () => {
    const answer = await raw('GET /wallet HTTP/1.1\r\nHost: g\r\nBad Header Line\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const target = await raw('GET * HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n');
    expect(target).toMatch(/^HTTP\/1\.1 400 /);
    const res = await request(`${gw.url}/wallet/ok`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it('survives hostile input: every answer is a clean 4xx or a closed socket, and it keeps serving', async () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const nasty = [
      'GET /wallet HTTP/1.1\r\nHost: g\r\nContent-Length: abc\r\n\r\n',
      'POST /wallet HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'POST /wallet HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /wallet HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
      `GET /wallet HTTP/1.1\r\nHost: g\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET /wallet/${'a'.repeat(70_000)} HTTP/1.1\r\nHost: g\r\n\r\n`,
      'GET /wallet/%00%ff HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n',
      'GET http://[::1/wallet HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n',
      'GET /wallet HTTP/9.9\r\nHost: g\r\n\r\n',
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', // a TLS hello on the plain port
    ];
    for (let i = 0; i < 100; i++) {
      const n = 1 + Math.floor(rand() * 200);
      nasty.push(String.fromCharCode(...Array.from({ length: n }, () => Math.floor(rand() * 256))));
    }
    for (const text of nasty) {
      const answer = await raw(text);
      if (answer !== '')
        expect(answer, JSON.stringify(text.slice(0, 80))).toMatch(/^HTTP\/1\.1 (2\d\d|4\d\d|505) /);
    }
    const res = await request(`${gw.url}/wallet/still-up`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it('accepts the absolute form of the request target (RFC 9112 §3.2.2)', async () => {
    const answer = await raw('GET http://g/wallet/abs HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(stable.seen[0]!.url).toBe('/wallet/abs');
  });

  it('refuses an oversized body with 413, by Content-Length or while reading a chunked one', async () => {
    const big = 'x'.repeat(2048);
    const res = await request(`${gw.url}/wallet/deposit`, { method: 'POST', body: big });
    expect(res.statusCode).toBe(413);
    await res.body.dump();
    const chunked = await raw(
      `POST /wallet/deposit HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${big}\r\n0\r\n\r\n`,
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    expect(stable.seen).toHaveLength(0);
    const small = await request(`${gw.url}/wallet/deposit`, { method: 'POST', body: 'x'.repeat(100) });
    expect(small.statusCode).toBe(200);
    await small.body.dump();
    expect(stable.seen[0]!.body).toHaveLength(100);
  });

  it('records requests per version with the business endpoint and its PSP', async () => {
    stable.handle((_req, res) => {
      res.setHeader('x-psp', 'trustly');
      res.end('{}');
    });
    const before = stats.queryRequests({
      match: { endpoint: 'deposit', psp: 'trustly' },
      from: 0,
      to: Date.now() + 10_000,
      by: [],
    });
    const res = await request(`${gw.url}/wallet/deposit`, { method: 'POST', body: '{}' });
    await res.body.dump();
    const after = stats.queryRequests({
      match: { endpoint: 'deposit', psp: 'trustly' },
      from: 0,
      to: Date.now() + 10_000,
      by: ['version'],
    });
    expect(after).toEqual([
      expect.objectContaining({ labels: { version: 'v1' }, requests: (before[0]?.requests ?? 0) + 1 }),
    ]);
    const text = await gw.gateway.metrics.registry.metrics();
    expect(text).toMatch(
      /pitboss_gateway_requests_total\{service="wallet",version="v1",rollout_step="",endpoint="deposit",psp="trustly",method="POST",status_class="2xx",outcome="success"\} 1/,
    );
    stable.handle(defaultHandler('v1'));
  });
});

describe('retries and timeouts', () => {
  it('retries a GET whose connection broke before any answer, never a POST', async () => {
    let n = 0;
    stable.handle((req, res) => {
      if (n++ === 0) req.socket.destroy();
      else res.end('ok');
    });
    const get = await request(`${gw.url}/wallet/retry`);
    expect(get.statusCode).toBe(200);
    await get.body.dump();
    expect(stable.seen).toHaveLength(2);

    stable.seen.length = 0;
    stable.handle((req) => req.socket.destroy());
    const post = await request(`${gw.url}/wallet/deposit`, { method: 'POST', body: '{"amount":10}' });
    expect(post.statusCode).toBe(502);
    await post.body.dump();
    expect(stable.seen).toHaveLength(1);
    stable.handle(defaultHandler('v1'));
  });

  it('answers 504 when the upstream does not answer within responseMs', async () => {
    const slow = await startUpstream('slow');
    slow.handle(() => {}); // never answers
    const g = await startGateway({
      config: gatewayConfig({
        services: [
          serviceConfig({
            name: 's',
            match: { pathPrefix: '/' },
            stable: { version: 'v1', upstreams: [slow.url] },
            timeouts: { connectMs: 1000, responseMs: 100 },
          }),
        ],
      }),
    });
    const res = await request(`${g.url}/x`);
    expect(res.statusCode).toBe(504);
    await res.body.dump();
    expect(slow.seen).toHaveLength(1); // a timed-out GET is not retried: the upstream may be working on it
    await g.close();
    await slow.close();
  });
});

describe('matching and ejection', () => {
  it('matches a service by host before path prefixes, and can leave out the version header', async () => {
    const api = await startUpstream('api');
    const g = await startGateway({
      config: gatewayConfig({
        versionHeader: false,
        services: [
          serviceConfig({
            name: 'web',
            match: { pathPrefix: '/' },
            stable: { version: 'w1', upstreams: [stable.url] },
          }),
          serviceConfig({
            name: 'api',
            match: { host: 'api.example' },
            stable: { version: 'a1', upstreams: [api.url] },
          }),
        ],
      }),
    });
    const viaHost = await request(`${g.url}/wallet/x`, { headers: { host: 'api.example:8080' } });
    expect(((await viaHost.body.json()) as { version: string }).version).toBe('api');
    expect(viaHost.headers['x-pitboss-version']).toBeUndefined();
    const other = await request(`${g.url}/wallet/x`, { headers: { host: 'www.example' } });
    expect(((await other.body.json()) as { version: string }).version).toBe('v1');
    await g.close();
    await api.close();
  });

  it('ejects a target after consecutive gateway errors (circuit breaker) and keeps serving from the others', async () => {
    const sick = await startUpstream('sick');
    sick.handle((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const g = await startGateway({
      config: gatewayConfig({
        services: [
          serviceConfig({
            name: 's',
            match: { pathPrefix: '/' },
            stable: { version: 'v1', upstreams: [sick.url, stable.url] },
            retries: 0,
            circuitBreaker: { failures: 2, cooldownMs: 3_600_000 },
          }),
        ],
      }),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      const res = await request(`${g.url}/x`);
      await res.body.dump();
      statuses.push(res.statusCode);
    }
    expect(sick.seen).toHaveLength(2); // round robin gave it two requests, then its circuit opened
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    expect(statuses.slice(4)).toEqual(new Array(20).fill(200));
    await g.close();
    await sick.close();
  });
});

describe('a dead canary', () => {
  it('counts as canary errors while every stable request succeeds', async () => {
    const port = await deadPort();
    const s = new TrafficStats();
    const g = await startGateway({
      config: gatewayConfig({
        services: [
          serviceConfig({
            name: 'lobby',
            match: { pathPrefix: '/' },
            stable: { version: 'v1', upstreams: [stable.url] },
            canary: { version: 'v2', upstreams: [`http://127.0.0.1:${port}`] },
          }),
        ],
      }),
      trafficStats: s,
    });
    g.gateway.applyRoute('lobby', { weight: 50, mirror: 0 });
    const statuses = { v1: [] as number[], v2: [] as number[] };
    for (let i = 0; i < 200; i++) {
      const res = await request(`${g.url}/games`, { headers: { 'x-player-id': `p-${i}` } });
      await res.body.dump();
      statuses[res.headers['x-pitboss-version'] as 'v1' | 'v2'].push(res.statusCode);
    }
    expect(statuses.v1.length).toBeGreaterThan(50);
    expect(statuses.v2.length).toBeGreaterThan(50);
    expect(statuses.v1.every((c) => c === 200)).toBe(true);
    expect(statuses.v2.every((c) => c === 502)).toBe(true);
    const by = s.queryRequests({
      match: { service: 'lobby' },
      from: 0,
      to: Date.now() + 10_000,
      by: ['version'],
    });
    const v2 = by.find((g) => g.labels.version === 'v2')!;
    const v1 = by.find((g) => g.labels.version === 'v1')!;
    expect(v2.failures).toBe(statuses.v2.length);
    expect(v1.failures).toBe(0);
    await g.close();
  });
});

function defaultHandler(version: string) {
  return (req: { method?: string; url?: string }, res: import('node:http').ServerResponse) => {
    const body = JSON.stringify({ version, method: req.method, url: req.url });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  };
}
