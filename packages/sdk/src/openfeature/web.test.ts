import { type EventDetails, OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/web-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBrowserClient } from './testing/fake-clients.js';
import { SPEC_FLAGS } from './testing/spec-flags.js';
import { PitbossWebProvider } from './web.js';

const CONFIG = {
  schemaVersion: 1,
  environments: ['prod'],
  flags: [
    { key: 'vip_lobby', rules: [{ if: "user.id == 'p-1'" }] },
    { key: 'theme', variants: { dark: 'dark', light: 'light' }, defaultVariant: 'light' },
    { key: 'killed', killSwitch: true },
  ],
};

async function setUp(fake = new FakeBrowserClient().load(CONFIG), context = { targetingKey: 'p-1' }) {
  const provider = new PitbossWebProvider(fake);
  const events: string[] = [];
  for (const event of Object.values(ProviderEvents)) {
    OpenFeature.addHandler(event, (d?: EventDetails) => {
      const changed = d && 'flagsChanged' in d ? ` ${JSON.stringify(d.flagsChanged)}` : '';
      events.push(`${event}${changed}`);
    });
  }
  // A READY handler runs at once when added while the (no-op) provider is ready: count from here.
  events.length = 0;
  await OpenFeature.setProviderAndWait(provider, context).catch(() => {});
  return { fake, provider, client: OpenFeature.getClient(), events };
}

afterEach(async () => {
  await OpenFeature.clearProviders();
  OpenFeature.clearHandlers();
  await OpenFeature.clearContexts();
});

describe('PitbossWebProvider with OpenFeature.setProviderAndWait', () => {
  it('is named pitboss, runs on clients, and resolves synchronously for the static context', async () => {
    const { provider, client, fake } = await setUp();
    expect([provider.metadata.name, provider.runsOn]).toEqual(['pitboss', 'client']);
    expect(fake.context).toEqual({ targetingKey: 'p-1', user: { id: 'p-1' } });
    const d = client.getBooleanDetails('vip_lobby', false);
    expect(d).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH' });
    expect(d.flagMetadata).toEqual({ pitbossReason: 'TARGETING_MATCH', ruleIndex: 0, version: 1 });
    expect(client.getStringValue('theme', 'x')).toBe('light');
    expect(client.getBooleanDetails('killed', true)).toMatchObject({ value: false, reason: 'DISABLED' });
  });

  it('maps errors: type mismatch and missing flag serve the default', async () => {
    const { client } = await setUp();
    expect(client.getNumberDetails('theme', 3)).toMatchObject({ value: 3, errorCode: 'TYPE_MISMATCH' });
    expect(client.getStringDetails('nope', 'd')).toMatchObject({
      value: 'd',
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
  });

  it('re-evaluates on setContext: RECONCILING then CONTEXT_CHANGED, no CONFIGURATION_CHANGED', async () => {
    const { client, fake, events } = await setUp();
    await OpenFeature.setContext({ targetingKey: 'p-2' });
    expect(fake.context).toEqual({ targetingKey: 'p-2', user: { id: 'p-2' } });
    expect(client.getBooleanValue('vip_lobby', true)).toBe(false);
    expect(events).toEqual(['PROVIDER_READY', 'PROVIDER_RECONCILING', 'PROVIDER_CONTEXT_CHANGED']);
  });

  it('forwards configuration changes with flagsChanged, STALE and recovery', async () => {
    const { fake, client, events } = await setUp();
    fake.load(SPEC_FLAGS, 2);
    expect(events.at(-1)).toMatch(/^PROVIDER_CONFIGURATION_CHANGED \["boolean-flag",/);
    fake.status = 'STALE';
    fake.emit('stale');
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    fake.status = 'READY';
    fake.emit('change', { version: 3, flagKeys: ['theme'] });
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(events.slice(-3)).toEqual([
      'PROVIDER_STALE',
      'PROVIDER_READY',
      'PROVIDER_CONFIGURATION_CHANGED ["theme"]',
    ]);
  });

  it('is ERROR when the first evaluation does not come in time, READY once it does', async () => {
    const fake = new FakeBrowserClient();
    const provider = new PitbossWebProvider(fake, { readyTimeoutMs: 5 });
    await OpenFeature.setProviderAndWait(provider).catch(() => {});
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(client.getBooleanDetails('vip_lobby', false).errorCode).toBe('PROVIDER_NOT_READY');
    fake.load(CONFIG);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it('closes the browser client with OpenFeature', async () => {
    const { fake } = await setUp();
    await OpenFeature.close();
    expect(fake.closed).toBe(true);
  });

  it('without a client: answers PROVIDER_NOT_READY before initialize', () => {
    const provider = new PitbossWebProvider({
      url: 'http://127.0.0.1:9',
      sdkKey: 'pb_sdk_x',
      environment: 'prod',
    });
    expect(provider.client).toBeUndefined();
    expect(provider.resolveBooleanEvaluation('x', true)).toMatchObject({
      value: true,
      errorCode: 'PROVIDER_NOT_READY',
    });
  });
});
