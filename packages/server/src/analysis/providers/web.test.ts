import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSpec } from '../analysis-template.js';
import type { QueryResult } from '../provider.js';
import { deadUrl, sendJson, startTestServer, type TestServer } from './http-fixtures.js';
import { providerContract } from './provider-contract.js';
import { parseJsonPath, WebProvider } from './web.js';

const AT = new Date(Date.UTC(2025, 0, 1, 12, 0, 0));
const web = (over: Partial<Extract<ProviderSpec, { kind: 'web' }>> = {}): ProviderSpec => ({
  kind: 'web',
  method: 'GET',
  headers: {},
  timeoutMs: 5_000,
  ...over,
});

const ANSWERS: Record<string, unknown> = {
  '/ratio': { data: { ratio: 0.997, by_psp: { A: 0.999, B: 0.971, note: null } } },
  '/list': { items: [{ v: 1 }, { v: 2 }], values: [3, 'x', true, null] },
  '/empty': { data: { ratio: null, items: [], by_psp: {} } },
  '/argo': { message: 'ok', 'odd key': 7 },
  '/nested': { by_psp: { A: { ratio: 1 } } },
  '/scalar': 42,
};

let server: TestServer;
let hanging: TestServer;
let garbage: TestServer;
let dead: string;

beforeAll(async () => {
  server = await startTestServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/echo')
      return sendJson(res, 200, {
        method: req.method,
        body: req.body,
        type: req.headers['content-type'] ?? '',
      });
    if (path === '/fail') return sendJson(res, 503, { error: 'maintenance' });
    if (path in ANSWERS) return sendJson(res, 200, ANSWERS[path]);
    sendJson(res, 404, { error: 'not found' });
  });
  hanging = await startTestServer(() => {});
  garbage = await startTestServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('all good!');
  });
  dead = await deadUrl();
});
afterAll(async () => {
  await Promise.all([server?.close(), hanging?.close(), garbage?.close()]);
});

providerContract('web', async () => ({
  provider: new WebProvider(),
  spec: web({ jsonPath: '$.data.by_psp' }),
  data: {
    query: `${server.url}/ratio`,
    at: AT,
    expected: [
      { labels: { key: 'A' }, value: 0.999 },
      { labels: { key: 'B' }, value: 0.971 },
    ],
  },
  empty: { query: `${server.url}/empty`, at: AT },
  malformed: 'not a url',
  remote: {
    dead: { spec: web(), query: `${dead}/ratio` },
    hanging: { spec: (timeoutMs) => web({ timeoutMs }), query: `${hanging.url}/ratio` },
    garbage: { spec: web(), query: `${garbage.url}/ratio` },
  },
}));

describe('web provider', () => {
  const provider = new WebProvider();
  const get = (path: string, jsonPath?: string): Promise<QueryResult> =>
    provider.query(web(jsonPath === undefined ? {} : { jsonPath }), `${server.url}${path}`, AT);

  it.each([
    ['/ratio', '$.data.ratio', [{ labels: {}, value: 0.997 }]],
    ['/ratio', '{$.data.ratio}', [{ labels: {}, value: 0.997 }]],
    ['/argo', '{$.message}', [{ labels: {}, value: 'ok' }]],
    ['/argo', "$['odd key']", [{ labels: {}, value: 7 }]],
    ['/list', '$.items[1].v', [{ labels: {}, value: 2 }]],
    ['/list', '$.items[-1].v', [{ labels: {}, value: 2 }]],
    ['/list', '$.values[2]', [{ labels: {}, value: true }]],
    [
      '/list',
      '$.values',
      [
        { labels: { index: '0' }, value: 3 },
        { labels: { index: '1' }, value: 'x' },
        { labels: { index: '2' }, value: true },
      ],
    ],
    [
      '/list',
      '$.items[*].v',
      [
        { labels: { index: '0' }, value: 1 },
        { labels: { index: '1' }, value: 2 },
      ],
    ],
    ['/scalar', undefined, [{ labels: {}, value: 42 }]],
    ['/empty', '$.data.ratio', []],
    ['/empty', '$.data.items', []],
    ['/empty', '$.data.items[*].v', []],
  ])('GET %s with %s', async (path, jsonPath, series) => {
    expect(await get(path, jsonPath)).toEqual({ ok: true, series });
  });

  it.each([
    ['/ratio', '$.data.missing', "web: jsonPath '$.data.missing' matched nothing in the answer"],
    [
      '/list',
      '$.items',
      `web: jsonPath '$.items' selects nested data at {"index":"0"}; select numbers, strings or booleans`,
    ],
    [
      '/nested',
      '$.by_psp',
      `web: jsonPath '$.by_psp' selects nested data at {"key":"A"}; select numbers, strings or booleans`,
    ],
    ['/ratio', 'data.ratio', "web: jsonPath 'data.ratio' must start with $"],
    ['/fail', '$.x', 'web: HTTP 503: {"error":"maintenance"}'],
  ])('GET %s with %s is an error', async (path, jsonPath, error) => {
    expect(await get(path, jsonPath)).toEqual({ ok: false, error });
  });

  it('POSTs the body as JSON with the headers', async () => {
    const r = await provider.query(
      web({ method: 'POST', body: '{"q":1}', headers: { 'x-api-key': 'k' }, jsonPath: '$' }),
      `${server.url}/echo`,
      AT,
    );
    expect(r).toEqual({
      ok: true,
      series: [
        { labels: { key: 'method' }, value: 'POST' },
        { labels: { key: 'body' }, value: '{"q":1}' },
        { labels: { key: 'type' }, value: 'application/json' },
      ],
    });
    expect(server.received.at(-1)!.headers['x-api-key']).toBe('k');
  });

  it('refuses URLs it should not fetch', async () => {
    expect(await provider.query(web(), 'file:///etc/passwd', AT)).toEqual({
      ok: false,
      error: 'web: unsupported URL scheme file:',
    });
  });
});

describe('parseJsonPath', () => {
  it.each([
    ['$', []],
    [
      '$.a.b[0].c',
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: 'b' },
        { kind: 'index', index: 0 },
        { kind: 'key', key: 'c' },
      ],
    ],
    [' { $.message } ', [{ kind: 'key', key: 'message' }]],
    ['$["a.b"][*]', [{ kind: 'key', key: 'a.b' }, { kind: 'all' }]],
    ['$.*', [{ kind: 'all' }]],
  ])('%s', (text, segments) => {
    expect(parseJsonPath(text)).toEqual(segments);
  });

  it.each([
    ['$.a[x]', "jsonPath '$.a[x]': unexpected '[' at column 4"],
    ['$a', "jsonPath '$a': unexpected 'a' at column 2"],
    ['{ $.a[x] }', "jsonPath '{ $.a[x] }': unexpected '[' at column 6"],
    ['a', "jsonPath 'a' must start with $"],
  ])('refuses %s', (text, error) => {
    expect(parseJsonPath(text)).toBe(error);
  });
});
