import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../server/src/testing/test-app.js';
import { createBrowserClient, type PitbossBrowserClient } from './browser-client.js';
import { next } from './fake-control-plane.js';

// The browser SDK against a real control plane over real HTTP: Node 20's fetch and ReadableStream stand in for
// the browser's.
describe('browser SDK against a control plane', () => {
  let t: TestApp;
  let client: PitbossBrowserClient;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const created = await t.call('POST', '/api/v1/flags', {
      token: t.tokens.editor,
      body: {
        feature: 'payments_v2',
        rules: [{ if: "market in ['DE','SE']", rollout: 1 }],
        kill_switch: false,
      },
    });
    expect(created.status).toBe(201);
    client = createBrowserClient({
      url: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`,
      sdkKey: t.tokens.clientProd,
      environment: 'prod',
      context: { user: { id: 'p-42' }, market: 'DE' },
      debounceMs: 10,
      reconnect: { initialMs: 20, maxMs: 100 },
    });
  });
  afterAll(async () => {
    client?.close();
    await t?.close();
  });

  it('becomes ready with the values the server evaluated for its context', async () => {
    expect(await client.ready()).toBe(true);
    expect(client.status).toBe('READY');
    expect(client.isEnabled('payments_v2')).toBe(true);
    expect(client.evaluate('payments_v2')).toMatchObject({
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
    });
    expect(client.evaluate('nope')).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
  });

  it('changes values with setContext', async () => {
    const change = next(client, 'change');
    await client.setContext({ user: { id: 'p-42' }, market: 'MT' });
    expect(await change).toMatchObject({ flagKeys: ['payments_v2'] });
    expect(client.value('payments_v2', true)).toBe(false);
    await client.setContext({ user: { id: 'p-42' }, market: 'DE' });
    expect(client.value('payments_v2', false)).toBe(true);
  });

  it('receives a kill switch as a change event with the new value', async () => {
    const before = client.version!;
    const change = next(client, 'change');
    const killed = await t.call('POST', '/api/v1/flags/payments_v2/environments/prod/kill', {
      token: t.tokens.editor,
      body: { on: true, reason: 'incident' },
    });
    expect(killed.status).toBe(200);
    expect(await change).toMatchObject({ flagKeys: ['payments_v2'] });
    expect(client.version).toBeGreaterThan(before);
    expect(client.evaluate('payments_v2')).toMatchObject({ value: false, reason: 'KILL_SWITCH' });
  });

  it('keeps the last values and emits error when the server refuses an evaluation', async () => {
    const error = next(client, 'error');
    // Over the 64 KiB evaluate body limit: the server answers 413 PAYLOAD_TOO_LARGE.
    await client.setContext({ market: 'DE', blob: 'x'.repeat(70_000) });
    expect(await error).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(client.status).toBe('STALE');
    expect(client.evaluate('payments_v2')).toMatchObject({ value: false, reason: 'KILL_SWITCH' });
  });
});
