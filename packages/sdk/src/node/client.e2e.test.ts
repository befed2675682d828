import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type PitbossApp } from '../../../server/src/api/app.js';
import { openDatabase } from '../../../server/src/storage/database.js';
import { startTestApp, type TestApp } from '../../../server/src/testing/test-app.js';
import { createClient, type PitbossClient } from './index.js';

/**
 * vi.waitFor with a bound that only fails when something never arrives: reconnects are jittered (up to 1 s after
 * a `shutdown`), and CI machines are shared, so the default 1 s bound made these tests flaky.
 */
const waitFor = <T>(fn: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) =>
  vi.waitFor(fn, { timeout: 10_000, interval: 20, ...options });

// The Node SDK against a real control plane on a SQLite file, so the server can die and come back on the same
// database. Waits are bounded and fail only when something never happens; nothing asserts on wall-clock time.
const dir = mkdtempSync(join(tmpdir(), 'pitboss-sdk-e2e-'));
const databaseUrl = `sqlite:${join(dir, 'pitboss.db')}`;
const cacheFile = join(dir, 'prod-snapshot.json');
const DE = { user: { id: 'p-42' }, market: 'DE' };
const wait = { timeout: 15_000, interval: 20 };

let t: TestApp;
let port: number;
let restarted: PitbossApp | undefined;
const clients: PitbossClient[] = [];
const url = () => `http://127.0.0.1:${port}`;
const open = (extra: Partial<Parameters<typeof createClient>[0]> = {}) => {
  const client = createClient({
    url: url(),
    sdkKey: t.tokens.sdkProd,
    environment: 'prod',
    cacheFile,
    reconnect: { initialMs: 20, maxMs: 200 },
    ...extra,
  });
  clients.push(client);
  return client;
};

async function inject(app: PitbossApp, method: 'POST' | 'GET', path: string, body?: unknown) {
  const res = await app.app.inject({
    method,
    url: path,
    headers: { authorization: `Bearer ${t.tokens.editor}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  expect(res.statusCode).toBeLessThan(300);
  return res.json();
}
const kill = (app: PitbossApp, key: string, on: boolean) =>
  inject(app, 'POST', `/api/v1/flags/${key}/environments/prod/kill`, { on, reason: 'sdk e2e' });

beforeAll(async () => {
  t = await startTestApp('sqlite', { url: databaseUrl });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
  await inject(t, 'POST', '/api/v1/flags', {
    feature: 'payments_v2',
    rules: [{ if: "market in ['DE','SE']", rollout: 1 }],
    kill_switch: false,
  });
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await restarted?.close();
});

describe('Node SDK against a real control plane', () => {
  let main: PitbossClient;

  it('passes the article example: ready, then a kill switch propagates as a change', async () => {
    main = open();
    const changes: unknown[] = [];
    main.on('change', (p) => changes.push(p));
    expect(await main.ready({ timeoutMs: 15_000 })).toBe(true);
    expect(main.isEnabled('payments_v2', DE)).toBe(true);
    const before = main.version!;
    await kill(t, 'payments_v2', true);
    await waitFor(() => expect(main.isEnabled('payments_v2', DE)).toBe(false), wait);
    expect(main.version!).toBeGreaterThan(before);
    expect(changes).toContainEqual({ version: main.version });
    expect(main.evaluate('payments_v2', DE)).toMatchObject({ reason: 'KILL_SWITCH' });
  });

  it('keeps serving the last config with zero errors when the server dies; a new client starts from the cache', async () => {
    await waitFor(
      () =>
        expect(createClient({ environment: 'prod', offline: true, cacheFile }).version).toBe(main.version),
      wait,
    );
    const errors: unknown[] = [];
    main.on('error', (e) => errors.push(e));
    await t.close();
    await waitFor(() => expect(errors.length).toBeGreaterThan(0), wait);
    for (let i = 0; i < 100; i++) expect(main.evaluate('payments_v2', DE).errorCode).toBeUndefined();
    expect(main.isEnabled('payments_v2', DE)).toBe(false);

    const cold = open();
    expect(await cold.ready({ timeoutMs: 1 })).toBe(true);
    expect(cold.version).toBe(main.version);
    expect(cold.evaluate('payments_v2', DE)).toMatchObject({ reason: 'KILL_SWITCH' });
  });

  it('resyncs after a restart on the same database with every change made meanwhile', async () => {
    // Changes while no server listens: an app on the same database file, never listening.
    const offline = await buildApp({ database: await openDatabase(databaseUrl), logger: false });
    await kill(offline, 'payments_v2', false);
    await inject(offline, 'POST', '/api/v1/flags', { feature: 'new_lobby', rules: [], kill_switch: false });
    await kill(offline, 'new_lobby', true);
    await offline.close();

    restarted = await buildApp({ database: await openDatabase(databaseUrl), logger: false });
    await restarted.app.listen({ port, host: '127.0.0.1' });
    await waitFor(() => expect(main.evaluate('new_lobby', DE).reason).toBe('KILL_SWITCH'), wait);
    expect(main.isEnabled('payments_v2', DE)).toBe(true);
    expect(main.status).toBe('READY');
  });

  it('posts decision logs the server stores, with the trace id, keeping the first decision per variant', async () => {
    const app = restarted!;
    const logged = open({
      cacheFile: undefined,
      decisionLog: { flushIntervalMs: 20, sampleRate: 0, maxPerFlagPerSecond: 1 },
    });
    await logged.ready({ timeoutMs: 15_000 });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    for (let i = 0; i < 50; i++) logged.isEnabled('payments_v2', { ...DE, traceId });
    logged.isEnabled('payments_v2', { market: 'UK', user: { id: 'p-1' }, traceId });
    const read = async () => {
      const res = await app.app.inject({
        method: 'GET',
        url: `/api/v1/decisions?traceId=${traceId}&limit=1000`,
        headers: { authorization: `Bearer ${t.tokens.viewer}` },
      });
      return res.json().decisions as { flag: string; variant: string; reason: string; environment: string }[];
    };
    await waitFor(async () => expect(await read()).toHaveLength(2), wait);
    // sampleRate 0 drops everything but the first decision of each variant.
    expect((await read()).map((d) => [d.flag, d.variant, d.reason, d.environment]).sort()).toEqual([
      ['payments_v2', 'off', 'DEFAULT', 'prod'],
      ['payments_v2', 'on', 'TARGETING_MATCH', 'prod'],
    ]);
    expect(logged.metrics()).toEqual([
      { flag: 'payments_v2', variant: 'on', count: 50 },
      { flag: 'payments_v2', variant: 'off', count: 1 },
    ]);
    await logged.close();
    expect(logged.decisionStats()).toEqual({ queued: 0, posted: 2, dropped: 0 });
  });
});
