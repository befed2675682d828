import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../auth/roles.js';
import { LocalChangeBus } from '../delivery/change-bus.js';
import { type SseEvent, SseTestClient } from '../delivery/sse-test-client.js';
import { Mutations } from '../mutation.js';
import { successTemplate, walletRollout } from '../rollouts/testing/fixtures.js';
import { ScriptedProvider } from '../rollouts/testing/scripted-provider.js';
import { TestClock } from '../rollouts/testing/test-clock.js';
import { NopRouter } from '../routing/routers/nop.js';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';

const EVENTS = '/api/v1/events';

const seqs = (events: readonly SseEvent[]) =>
  events.filter((e) => e.event === 'audit').map((e) => Number(e.id));
const entryOf = (e: SseEvent) => JSON.parse(e.data) as { seq: number; action: string; resource: string };

describe.each(DRIVERS)('GET /api/v1/events on %s', (driver) => {
  let t: TestApp;
  let base: string;
  let clock: TestClock;
  const clients: SseTestClient[] = [];
  const open = async (headers: Record<string, string> = {}, path = EVENTS, token = t.tokens.viewer) => {
    const c = await SseTestClient.connect(
      base,
      path,
      token ? { authorization: `Bearer ${token}`, ...headers } : headers,
    );
    clients.push(c);
    return c;
  };
  const flag = async (feature: string) => {
    const res = await t.call('POST', '/api/v1/flags', {
      token: t.tokens.editor,
      body: { feature, rules: [{ if: "market == 'DE'", rollout: 0.5 }] },
    });
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    clock = new TestClock();
    // A poll this slow never fires during a test: whatever arrives was announced on the bus.
    t = await startTestApp(driver, {
      events: { pollMs: 600_000, heartbeatMs: 50 },
      rollouts: {
        router: new NopRouter(),
        providers: () => new ScriptedProvider(ScriptedProvider.perVersion({ v1: 0.999, v2: 0.999 })),
        clock: clock.now,
      },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => t.close());

  it('refuses callers without a token (401) and SDK keys (403)', async () => {
    expect((await open({}, EVENTS, '')).status).toBe(401);
    expect((await open({}, EVENTS, t.tokens.sdkProd)).status).toBe(403);
    expect((await open({ 'last-event-id': 'x' })).status).toBe(400);
  });

  it('starts at the end with `ready`, then sends each entry as GET /api/v1/audit shows it', async () => {
    const c = await open();
    expect(c.status).toBe(200);
    expect(c.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const ready = await c.waitFor((e) => e.event === 'ready');
    const { seq } = JSON.parse(ready.data) as { seq: number };
    expect(ready.id).toBe(String(seq));
    await flag('events_flag');
    const event = await c.waitFor((e) => e.event === 'audit' && entryOf(e).resource === 'flag:events_flag');
    const listed = await t.call('GET', `/api/v1/audit?after=${seq}`, { token: t.tokens.viewer });
    const entry = listed.body.entries.find((e: { resource: string }) => e.resource === 'flag:events_flag');
    expect(JSON.parse(event.data)).toEqual(entry);
    expect(event.id).toBe(String(entry.seq));
    expect(seqs(c.events)[0]).toBe(seq + 1);
    await c.waitForComment((m) => m === 'heartbeat');
  });

  it('sends changes that touch no delivered configuration: a token, a rollout and its transitions', async () => {
    const c = await open();
    await c.waitFor((e) => e.event === 'ready');
    const token = await t.call('POST', '/api/v1/tokens', {
      token: t.tokens.admin,
      body: { name: 'ci', kind: 'api', role: 'viewer' },
    });
    expect(token.status).toBe(201);
    await c.waitFor((e) => e.event === 'audit' && entryOf(e).action === 'token.create', 0, 5000);
    const started = await t.call('POST', '/api/v1/rollouts', {
      token: t.tokens.editor,
      body: {
        rollout: walletRollout([{ setWeight: 5 }, { pause: { duration: '1m' } }]),
        templates: [successTemplate()],
      },
    });
    expect(started.status).toBe(201);
    await c.waitFor((e) => e.event === 'audit' && entryOf(e).action === 'rollout.start', 0, 5000);
    const from = c.events.length;
    clock.advance(61_000);
    await t.services.rolloutDriver.tickOnce();
    // The driver commits transitions (the pause elapsed) through its own Mutations, on the app's bus.
    const step = await c.waitFor(
      (e) => e.event === 'audit' && entryOf(e).action === 'rollout.StepCompleted',
      from,
      5000,
    );
    expect(entryOf(step).resource).toMatch(/^rollout:wallet/);
    const all = seqs(c.events);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => all[0]! + i));
  });

  it('resumes after Last-Event-ID (or ?after=) with no gap and no duplicate', async () => {
    const first = await open({}, `${EVENTS}?after=0`);
    await flag('resume_a');
    await first.waitFor((e) => e.event === 'audit' && entryOf(e).resource === 'flag:resume_a');
    const had = seqs(first.events);
    expect(had).toEqual(Array.from({ length: had.length }, (_, i) => i + 1));
    first.close();
    const lastId = had[had.length - 1]!;
    await flag('resume_b');
    await flag('resume_c');
    // The header wins over the query, as for an EventSource reconnecting to the URL it first opened.
    const again = await open({ 'last-event-id': String(lastId) }, `${EVENTS}?after=0`);
    await again.waitFor((e) => e.event === 'audit' && entryOf(e).resource === 'flag:resume_c');
    await flag('resume_d');
    await again.waitFor((e) => e.event === 'audit' && entryOf(e).resource === 'flag:resume_d');
    const got = seqs(again.events);
    expect(again.events.some((e) => e.event === 'ready')).toBe(false);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => lastId + 1 + i));
  });

  it('finds entries the bus never announced (another replica) by polling', async () => {
    const polled = await startTestApp(driver, { events: { pollMs: 50 } });
    try {
      await polled.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(polled.app.server.address() as AddressInfo).port}`;
      const c = await SseTestClient.connect(url, EVENTS, { authorization: `Bearer ${polled.tokens.viewer}` });
      clients.push(c);
      await c.waitFor((e) => e.event === 'ready');
      await new Mutations(polled.database, new LocalChangeBus()).run({ principal: SYSTEM }, async () => ({
        result: undefined,
        audit: [{ action: 'test.elsewhere', resource: 'test:replica' }],
      }));
      await c.waitFor((e) => e.event === 'audit' && entryOf(e).action === 'test.elsewhere', 0, 5000);
    } finally {
      await polled.close();
    }
  });

  it('ends its streams when the app closes', async () => {
    const other = await startTestApp(driver);
    await other.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}`;
    const c = await SseTestClient.connect(url, EVENTS, { authorization: `Bearer ${other.tokens.viewer}` });
    clients.push(c);
    await c.waitFor((e) => e.event === 'ready');
    await other.close();
    await c.waitEnd(5000);
  });
});
