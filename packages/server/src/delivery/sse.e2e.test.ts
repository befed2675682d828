import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';
import { type SseEvent, SseTestClient } from './sse-test-client.js';

const STREAM = '/sdk/v1/stream?environment=prod';

/** A test app listening on a free port, with short heartbeats and a small bound so behaviour shows quickly. */
async function listening(driver: (typeof DRIVERS)[number]): Promise<{ t: TestApp; base: string }> {
  const t = await startTestApp(driver, {
    delivery: { heartbeatMs: 50, maxBufferedBytes: 64 << 10, drainGraceMs: 10_000 },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { t, base: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}` };
}

async function kill(t: TestApp, key: string, on: boolean): Promise<void> {
  const res = await t.call('POST', `/api/v1/flags/${key}/environments/prod/kill`, {
    token: t.tokens.editor,
    body: { on, reason: 'test' },
  });
  expect(res.status).toBe(200);
}

const killSwitch = (e: SseEvent, key: string): boolean =>
  JSON.parse(e.data).config.flags.find((f: { key: string }) => f.key === key).environments.prod.killSwitch;

describe.each(DRIVERS)('SSE delivery on %s', (driver) => {
  let t: TestApp;
  let base: string;
  let closed = false;
  const clients: SseTestClient[] = [];
  const open = async (headers: Record<string, string> = {}, path = STREAM, token = t.tokens.sdkProd) => {
    const c = await SseTestClient.connect(base, path, { authorization: `Bearer ${token}`, ...headers });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    ({ t, base } = await listening(driver));
    const created = await t.call('POST', '/api/v1/flags', {
      token: t.tokens.editor,
      body: {
        feature: 'payments_v2',
        rules: [{ if: "market in ['DE','SE']", rollout: 0.25 }],
        kill_switch: false,
      },
    });
    expect(created.status).toBe(201);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    if (!closed) await t.close();
  });

  it('sends the snapshot, then each change with its version as the event id', async () => {
    const c = await open();
    expect(c.status).toBe(200);
    expect(c.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const snapshot = await c.waitFor((e) => e.event === 'snapshot');
    const first = JSON.parse(snapshot.data);
    expect(snapshot.id).toBe(String(first.version));
    expect(first.environment).toBe('prod');
    expect(killSwitch(snapshot, 'payments_v2')).toBe(false);

    await kill(t, 'payments_v2', true);
    const change = await c.waitFor((e) => e.event === 'change');
    expect(Number(change.id)).toBeGreaterThan(first.version);
    expect(JSON.parse(change.data).version).toBe(Number(change.id));
    expect(killSwitch(change, 'payments_v2')).toBe(true);
    await c.waitForComment((text) => text === 'heartbeat');
  });

  it('gives a client-side key versions only: it may follow and evaluate, never read the rules', async () => {
    const c = await open({}, STREAM, t.tokens.clientProd);
    const snapshot = await c.waitFor((e) => e.event === 'snapshot');
    expect(Object.keys(JSON.parse(snapshot.data)).sort()).toEqual(['environment', 'version']);
    await kill(t, 'payments_v2', true);
    const change = await c.waitFor((e) => e.event === 'change');
    expect(JSON.parse(change.data)).toEqual({ version: Number(change.id), environment: 'prod' });
    expect(change.data).not.toContain('market');
    const rules = await t.call('GET', '/sdk/v1/snapshot?environment=prod', { token: t.tokens.clientProd });
    expect(rules.status).toBe(403);
    const values = await t.call('POST', '/sdk/v1/evaluate?environment=prod', {
      token: t.tokens.clientProd,
      body: { environment: 'prod', context: { market: 'DE', user: { id: 'p-1' } } },
    });
    expect(values.status).toBe(200);
    expect(values.body.values.payments_v2).toMatchObject({ value: false, reason: 'KILL_SWITCH' });
    await kill(t, 'payments_v2', false);
  });

  it('resumes an up-to-date client without a snapshot, and a client that is behind with one', async () => {
    const current = (await t.call('GET', '/sdk/v1/snapshot?environment=prod', { token: t.tokens.sdkProd }))
      .body.version as number;
    const upToDate = await open({ 'last-event-id': String(current) });
    await upToDate.waitForComment((text) => text === 'up to date');
    const behind = await open({ 'last-event-id': String(current - 1) });
    const resent = await behind.waitFor(() => true);
    expect(resent).toMatchObject({ event: 'snapshot', id: String(current) });
    const stranger = await open({ 'last-event-id': 'not-a-version' });
    expect(await stranger.waitFor(() => true)).toMatchObject({ event: 'snapshot', id: String(current) });

    await kill(t, 'payments_v2', false);
    const next = await upToDate.waitFor(() => true);
    expect(next.event).toBe('change'); // the first event it ever got: no snapshot was resent
    expect(Number(next.id)).toBeGreaterThan(current);
    expect(killSwitch(next, 'payments_v2')).toBe(false);
  });

  it('refuses an SDK key of another environment with 403 before any stream byte, and unknown environments', async () => {
    const other = await open({}, STREAM, t.tokens.sdkDev);
    await other.waitEnd();
    expect(other.status).toBe(403);
    expect(other.res.headers['content-type']).toContain('application/json');
    expect(JSON.parse(other.text)).toMatchObject({ code: 'FORBIDDEN' });
    expect(other.events).toEqual([]);
    const missing = await open({}, '/sdk/v1/stream?environment=nowhere', t.tokens.viewer);
    await missing.waitEnd();
    expect([missing.status, JSON.parse(missing.text).code]).toEqual([404, 'NOT_FOUND']);
  });

  it('cuts a client that stops reading off with a resync event once its backlog passes the bound', async () => {
    // A large flag makes each change event ~300 KB, so socket buffers fill after a few changes.
    const big = await t.call('POST', '/api/v1/flags', {
      token: t.tokens.editor,
      body: { key: 'big_flag', description: 'x'.repeat(300_000) },
    });
    expect(big.status).toBe(201);
    const fast = await open();
    const slow = await open();
    await slow.waitFor((e) => e.event === 'snapshot');
    await fast.waitFor((e) => e.event === 'snapshot');
    slow.pause();
    const streams = t.services.hub.size;
    let changes = 0;
    for (let on = true; t.services.hub.size === streams && changes < 400; on = !on, changes++) {
      await kill(t, 'payments_v2', on);
      await fast.waitFor(
        (e) => e.event === 'change' && killSwitch(e, 'payments_v2') === on,
        fast.events.length - 1,
      );
    }
    expect(t.services.hub.size).toBe(streams - 1);
    slow.resume();
    await slow.waitEnd();
    const last = slow.events.at(-1)!;
    expect(last).toMatchObject({ event: 'resync', data: '{"reason":"slow_consumer"}' });
    // What it got before the cut is intact and in order: the snapshot, changes with rising ids, then resync.
    const kinds = slow.events.map((e) => e.event);
    expect(kinds[0]).toBe('snapshot');
    expect(new Set(kinds.slice(1, -1))).toEqual(new Set(['change']));
    const ids = slow.events.slice(0, -1).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    // The fast client on the same environment was not affected.
    await kill(t, 'payments_v2', changes % 2 === 0);
    await fast.waitFor(
      (e) => e.event === 'change' && killSwitch(e, 'payments_v2') === (changes % 2 === 0),
      1,
    );
    expect(fast.events.some((e) => e.event === 'resync')).toBe(false);
  });

  it('ends every stream with a shutdown event when the server closes', async () => {
    const a = await open();
    const b = await open({}, '/sdk/v1/stream?environment=dev', t.tokens.sdkDev);
    await a.waitFor((e) => e.event === 'snapshot');
    await b.waitFor((e) => e.event === 'snapshot');
    closed = true;
    await t.close();
    for (const c of [a, b]) {
      await c.waitEnd();
      expect(c.events.at(-1)).toMatchObject({ event: 'shutdown' });
    }
    expect(t.services.hub.size).toBe(0);
  });
});
