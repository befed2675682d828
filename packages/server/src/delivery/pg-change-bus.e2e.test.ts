import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, startTestApp, type TestApp } from '../testing/test-app.js';
import type { Change } from './change-bus.js';
import { CHANGE_CHANNEL, PgChangeBus } from './pg-change-bus.js';
import { type SseEvent, SseTestClient } from './sse-test-client.js';

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const killSwitch = (e: SseEvent): boolean => JSON.parse(e.data).config.flags[0].environments.prod.killSwitch;

describe('change fan-out across replicas over PostgreSQL LISTEN/NOTIFY', () => {
  let a: TestApp;
  let b: TestApp;
  let baseB: string;
  let admin: pg.Client;
  const clients: SseTestClient[] = [];
  const kill = async (via: TestApp, on: boolean) => {
    const res = await via.call('POST', '/api/v1/flags/payments_v2/environments/prod/kill', {
      token: via.tokens.editor,
      body: { on, reason: 'replica test' },
    });
    expect(res.status).toBe(200);
  };
  const streamB = async () => {
    const c = await SseTestClient.connect(baseB, '/sdk/v1/stream?environment=prod', {
      authorization: `Bearer ${b.tokens.sdkProd}`,
    });
    clients.push(c);
    await c.waitFor((e) => e.event === 'snapshot');
    return c;
  };

  beforeAll(async () => {
    a = await startTestApp('postgres');
    b = await startTestApp('postgres', { url: a.url }); // the same schema: two replicas of one control plane
    await listen(a);
    baseB = await listen(b);
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    const created = await a.call('POST', '/api/v1/flags', {
      token: a.tokens.editor,
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
    await admin?.end();
    await b?.close();
    await a?.close(); // drops the schema
  });

  it('chooses the LISTEN/NOTIFY bus for PostgreSQL', () => {
    expect(a.services.bus).toBeInstanceOf(PgChangeBus);
    expect((b.services.bus as PgChangeBus).connected).toBe(true);
  });

  it("delivers a kill switch flipped through A's API to a stream on B, and B's snapshot reflects it", async () => {
    const c = await streamB();
    expect(killSwitch(c.events[0]!)).toBe(false);
    await kill(a, true);
    const change = await c.waitFor((e) => e.event === 'change');
    expect(killSwitch(change)).toBe(true);
    const snap = await b.call('GET', '/sdk/v1/snapshot?environment=prod', { token: b.tokens.sdkProd });
    expect(snap.body.config.flags[0].environments.prod.killSwitch).toBe(true);
    expect(snap.headers.etag).toBe(`"${change.id}"`);
  });

  it("writes each version once, though a replica's own NOTIFY comes back to it", async () => {
    const c = await streamB();
    await kill(b, false); // published locally by B, then echoed to B by PostgreSQL
    await kill(a, true); // heard by B only through NOTIFY
    await c.waitFor((e) => e.event === 'change' && killSwitch(e));
    const ids = c.events.filter((e) => e.event === 'change').map((e) => e.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('reconnects after losing its LISTEN connection and catches up on what it missed meanwhile', async () => {
    const c = await streamB();
    const busB = b.services.bus as PgChangeBus;
    await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
      [`pitboss-change-bus:${new URL(a.url).searchParams.get('schema')}`],
    );
    await until(() => !busB.connected, 'B to notice its connection is gone');
    await kill(a, false); // B is not listening: this NOTIFY never reaches it
    const change = await c.waitFor((e) => e.event === 'change' && !killSwitch(e));
    expect(busB.connected).toBe(true);
    const snap = await b.call('GET', '/sdk/v1/snapshot?environment=prod', { token: b.tokens.sdkProd });
    expect(snap.body.version).toBe(Number(change.id));
    await kill(a, true); // and it listens again
    await c.waitFor((e) => e.event === 'change' && killSwitch(e));
  });

  it('ignores notifications of other schemas and malformed payloads', async () => {
    const heard: Change[] = [];
    const off = b.services.bus.subscribe((change) => heard.push(change));
    try {
      const schema = new URL(a.url).searchParams.get('schema');
      for (const payload of [
        JSON.stringify({ version: 1e9, environments: ['prod'], schema: 'someone_else' }),
        JSON.stringify({ version: 1e9, environments: ['prod'] }), // no schema: a database without ?schema=
        JSON.stringify({ version: 'x', environments: ['prod'], schema }),
        'not json',
        JSON.stringify({ version: 1e9 + 1, environments: ['dev'], schema }),
      ])
        await admin.query('select pg_notify($1, $2)', [CHANGE_CHANNEL, payload]);
      await until(() => heard.length > 0, 'the valid notification');
      expect(heard).toEqual([{ version: 1e9 + 1, environments: ['dev'] }]);
    } finally {
      off();
    }
  });
});
