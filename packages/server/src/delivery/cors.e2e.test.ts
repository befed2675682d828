import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/test-app.js';

const PAGE = 'https://casino.example';

/** The status and headers of a raw request; the body is not read (the stream never ends). */
function head(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      res.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

describe('CORS for the browser SDK', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { delivery: { corsOrigins: [PAGE] } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it('answers the preflight of an allowed origin, and not of another', async () => {
    const allowed = await t.call('OPTIONS', '/sdk/v1/evaluate?environment=prod', {
      headers: {
        origin: PAGE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers).toMatchObject({
      'access-control-allow-origin': PAGE,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type, last-event-id',
    });
    const other = await t.call('OPTIONS', '/sdk/v1/evaluate', {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('marks SDK answers, errors included, but never the management API', async () => {
    const values = await t.call('POST', '/sdk/v1/evaluate?environment=prod', {
      token: t.tokens.clientProd,
      body: { environment: 'prod', context: {} },
      headers: { origin: PAGE },
    });
    expect(values.status).toBe(200);
    expect(values.headers['access-control-allow-origin']).toBe(PAGE);
    const denied = await t.call('GET', '/sdk/v1/snapshot?environment=prod', {
      token: t.tokens.clientProd,
      headers: { origin: PAGE },
    });
    expect(denied.status).toBe(403);
    expect(denied.headers['access-control-allow-origin']).toBe(PAGE);
    const api = await t.call('GET', '/api/v1/flags', { token: t.tokens.viewer, headers: { origin: PAGE } });
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('writes the header on the stream, which bypasses fastify', async () => {
    const stream = await head(`${base}/sdk/v1/stream?environment=prod`, 'GET', {
      authorization: `Bearer ${t.tokens.clientProd}`,
      origin: PAGE,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers['access-control-allow-origin']).toBe(PAGE);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });
});
