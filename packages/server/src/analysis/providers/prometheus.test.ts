import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSpec } from '../analysis-template.js';
import { deadUrl, sendJson, startTestServer, type TestServer } from './http-fixtures.js';
import { PrometheusProvider, parseAnswer } from './prometheus.js';
import { providerContract } from './provider-contract.js';

const AT = new Date(Date.UTC(2025, 0, 1, 12, 0, 0, 500));
const spec = (address: string, timeoutMs = 5_000, headers: Record<string, string> = {}): ProviderSpec => ({
  kind: 'prometheus',
  address,
  timeoutMs,
  headers,
});

const vector = (result: unknown[]) => ({ status: 'success', data: { resultType: 'vector', result } });

/** A fake of Prometheus's `/api/v1/query` (the real one runs in prometheus.e2e.test.ts). */
function fakePrometheus(): Promise<TestServer> {
  return startTestServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.endsWith('/api/v1/query')) return sendJson(res, 404, '404 page not found');
    const query = url.searchParams.get('query');
    if (query === 'sum by (psp) (deposits_total)') {
      return sendJson(
        res,
        200,
        vector([
          { metric: { psp: 'A' }, value: [1735732800.5, '120'] },
          { metric: { psp: 'B' }, value: [1735732800.5, '7.5'] },
        ]),
      );
    }
    if (query === 'absent_metric') return sendJson(res, 200, vector([]));
    if (query === 'echo') {
      return sendJson(
        res,
        200,
        vector([
          { metric: { time: url.searchParams.get('time') ?? '', path: url.pathname }, value: [0, '1'] },
        ]),
      );
    }
    sendJson(res, 400, {
      status: 'error',
      errorType: 'bad_data',
      error: '1:4: parse error: unexpected end of input',
    });
  });
}

let server: TestServer;
let hanging: TestServer;
let garbage: TestServer;
let dead: string;

beforeAll(async () => {
  server = await fakePrometheus();
  hanging = await startTestServer(() => {});
  garbage = await startTestServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>welcome to nginx</html>');
  });
  dead = await deadUrl();
});
afterAll(async () => {
  await Promise.all([server?.close(), hanging?.close(), garbage?.close()]);
});

providerContract('prometheus', async () => ({
  provider: new PrometheusProvider(),
  spec: spec(server.url),
  data: {
    query: 'sum by (psp) (deposits_total)',
    at: AT,
    expected: [
      { labels: { psp: 'A' }, value: 120 },
      { labels: { psp: 'B' }, value: 7.5 },
    ],
  },
  empty: { query: 'absent_metric', at: AT },
  malformed: 'sum(',
  remote: {
    dead: { spec: spec(dead), query: 'up' },
    hanging: { spec: (timeoutMs) => spec(hanging.url, timeoutMs), query: 'up' },
    garbage: { spec: spec(garbage.url), query: 'up' },
  },
}));

describe('prometheus provider', () => {
  const provider = new PrometheusProvider();

  it('sends the query time in seconds, the headers, and keeps a path prefix', async () => {
    const r = await provider.query(
      spec(`${server.url}/prom/`, 5_000, { authorization: 'Bearer s3cret' }),
      'echo',
      AT,
    );
    expect(r).toEqual({
      ok: true,
      series: [{ labels: { time: '1735732800.500', path: '/prom/api/v1/query' }, value: 1 }],
    });
    expect(server.received.at(-1)!.headers.authorization).toBe('Bearer s3cret');
  });

  it("carries Prometheus's errorType and error text", async () => {
    expect(await provider.query(spec(server.url), 'sum(', AT)).toEqual({
      ok: false,
      error: 'prometheus: bad_data: 1:4: parse error: unexpected end of input',
    });
  });

  it('answers an error for an address that is not a URL', async () => {
    expect(await provider.query(spec('not a url'), 'up', AT)).toEqual({
      ok: false,
      error: "prometheus: invalid address 'not a url'",
    });
  });
});

describe('parseAnswer', () => {
  const sample = (v: string) => [1, v];
  it.each([
    [
      'a scalar',
      { status: 'success', data: { resultType: 'scalar', result: sample('0.25') } },
      [{ labels: {}, value: 0.25 }],
    ],
    ['a NaN scalar', { status: 'success', data: { resultType: 'scalar', result: sample('NaN') } }, []],
    [
      'NaN and Inf elements as no data for them',
      vector([
        { metric: { psp: 'A' }, value: sample('NaN') },
        { metric: { psp: 'B' }, value: sample('+Inf') },
        { metric: { psp: 'C' }, value: sample('-Inf') },
        { metric: { psp: 'D' }, value: sample('1e3') },
      ]),
      [{ labels: { psp: 'D' }, value: 1000 }],
    ],
    ['an element without labels', vector([{ value: sample('2') }]), [{ labels: {}, value: 2 }]],
  ])('reads %s', (_name, body, series) => {
    expect(parseAnswer(200, JSON.stringify(body))).toEqual({ ok: true, series });
  });

  it.each([
    ['a range vector', { status: 'success', data: { resultType: 'matrix', result: [] } }, /range vector/],
    [
      'a string result',
      { status: 'success', data: { resultType: 'string', result: [1, 'x'] } },
      /unsupported result type string/,
    ],
    ['a malformed sample', vector([{ metric: {}, value: [1, 'abc'] }]), /malformed sample/],
    [
      'a malformed scalar',
      { status: 'success', data: { resultType: 'scalar', result: 3 } },
      /malformed scalar/,
    ],
    ['no status', { data: {} }, /unexpected answer/],
    ['an error without text', { status: 'error' }, /^prometheus: HTTP 200: /],
    ['JSON that is not an object', 42, /not a Prometheus API answer/],
  ])('refuses %s', (_name, body, error) => {
    const r = parseAnswer(200, JSON.stringify(body));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it('reports a non-JSON error page with its status', () => {
    expect(parseAnswer(502, '<html>\n  Bad Gateway\n</html>')).toEqual({
      ok: false,
      error: 'prometheus: HTTP 502, not a Prometheus API answer: <html> Bad Gateway </html>',
    });
  });

  it('reports an HTTP error with a JSON body that is not an API answer', () => {
    expect(parseAnswer(503, '{"message":"down"}')).toEqual({
      ok: false,
      error: 'prometheus: HTTP 503: {"message":"down"}',
    });
  });
});
