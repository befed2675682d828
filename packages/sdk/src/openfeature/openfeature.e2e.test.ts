import type { AddressInfo } from 'node:net';
import { ProviderEvents as ServerEvents, OpenFeature as ServerOpenFeature } from '@openfeature/server-sdk';
import { ProviderEvents as WebEvents, OpenFeature as WebOpenFeature } from '@openfeature/web-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../../server/src/testing/test-app.js';
import { PitbossProvider } from './server.js';
import { PitbossWebProvider } from './web.js';

/**
 * vi.waitFor with a bound that only fails when something never arrives: reconnects are jittered (up to 1 s after
 * a `shutdown`), and CI machines are shared, so the default 1 s bound made these tests flaky.
 */
const waitFor = <T>(fn: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) =>
  vi.waitFor(fn, { timeout: 10_000, interval: 20, ...options });

// Both providers over the real clients against a real control plane: flags written through the API reach
// OpenFeature, and a kill switch arrives as PROVIDER_CONFIGURATION_CHANGED.
const wait = { timeout: 15_000, interval: 20 };
const DE = { targetingKey: 'p-42', market: 'DE' };
let t: TestApp;
let url: string;

const kill = async (on: boolean) => {
  const res = await t.call('POST', '/api/v1/flags/payments_v2/environments/prod/kill', {
    token: t.tokens.editor,
    body: { on, reason: 'openfeature e2e' },
  });
  expect(res.status).toBeLessThan(300);
};

beforeAll(async () => {
  t = await startTestApp('sqlite');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  for (const body of [
    { feature: 'payments_v2', rules: [{ if: "market in ['DE','SE']", rollout: 1 }], kill_switch: false },
    { key: 'lobby_theme', variants: { dark: 'dark', light: 'light' }, defaultVariant: 'light' },
  ]) {
    const res = await t.call('POST', '/api/v1/flags', { token: t.tokens.editor, body });
    expect(res.status, res.text).toBe(201);
  }
});
afterAll(async () => {
  await ServerOpenFeature.close();
  await WebOpenFeature.close();
  await t.close();
});

describe('OpenFeature providers against a real control plane', () => {
  it('server provider: evaluates locally and follows a kill switch', async () => {
    const provider = new PitbossProvider({
      url,
      sdkKey: t.tokens.sdkProd,
      environment: 'prod',
      reconnect: { initialMs: 20, maxMs: 200 },
    });
    await ServerOpenFeature.setProviderAndWait('e2e', provider);
    const client = ServerOpenFeature.getClient('e2e');
    const changes: unknown[] = [];
    client.addHandler(ServerEvents.ConfigurationChanged, (d) => changes.push(d));

    const on = await client.getBooleanDetails('payments_v2', false, DE);
    expect(on).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH' });
    expect(on.flagMetadata).toMatchObject({ ruleIndex: 0, version: provider.client.version });
    expect(await client.getStringValue('lobby_theme', 'x')).toBe('light');
    expect(await client.getNumberDetails('lobby_theme', 1)).toMatchObject({ errorCode: 'TYPE_MISMATCH' });

    await kill(true);
    await waitFor(() => expect(changes.length).toBeGreaterThan(0), wait);
    const off = await client.getBooleanDetails('payments_v2', true, DE);
    expect(off).toMatchObject({
      value: false,
      reason: 'DISABLED',
      flagMetadata: { pitbossReason: 'KILL_SWITCH' },
    });
    await kill(false);
  });

  it('web provider: evaluates remotely for the static context and re-evaluates on setContext', async () => {
    const provider = new PitbossWebProvider({
      url,
      sdkKey: t.tokens.sdkProd,
      environment: 'prod',
      debounceMs: 10,
    });
    await WebOpenFeature.setProviderAndWait(provider, DE);
    const client = WebOpenFeature.getClient();
    const changes: { flagsChanged?: string[] }[] = [];
    client.addHandler(WebEvents.ConfigurationChanged, (d) => changes.push(d ?? {}));

    await waitFor(() => expect(client.getBooleanValue('payments_v2', false)).toBe(true), wait);
    expect(client.getBooleanDetails('payments_v2', false).reason).toBe('TARGETING_MATCH');

    await kill(true);
    await waitFor(() => expect(client.getBooleanValue('payments_v2', true)).toBe(false), wait);
    expect(changes.at(-1)?.flagsChanged).toEqual(['payments_v2']);
    await kill(false);
    await waitFor(() => expect(client.getBooleanValue('payments_v2', false)).toBe(true), wait);

    await WebOpenFeature.setContext({ targetingKey: 'p-42', market: 'UK' });
    expect(client.getBooleanDetails('payments_v2', true)).toMatchObject({ value: false, reason: 'DEFAULT' });
  });
});
