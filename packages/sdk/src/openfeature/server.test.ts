import { type EventDetails, OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { PitbossProvider } from './server.js';
import { FakeNodeClient } from './testing/fake-clients.js';

const CONFIG = {
  schemaVersion: 1,
  environments: ['prod'],
  flags: [
    {
      key: 'payments_v2',
      rules: [{ if: "market == 'DE'", rollout: 1 }],
      environments: { prod: { prerequisites: [{ flag: 'kyc', variant: 'on' }] } },
    },
    { key: 'kyc', rules: [{ if: "user.id == 'p-1'" }] },
    { key: 'killed', killSwitch: true },
    { key: 'theme', variants: { dark: 'dark', light: 'light' }, defaultVariant: 'light' },
    { key: 'limit', variants: { low: 10, high: 100 }, defaultVariant: 'low' },
    { key: 'layout', variants: { a: { cols: 2 }, b: { cols: 3 } }, defaultVariant: 'a' },
  ],
};

let domains = 0;
async function setUp(fake = new FakeNodeClient().load(CONFIG), options = {}) {
  const provider = new PitbossProvider(fake, options);
  const domain = `server-${++domains}`;
  const events: string[] = [];
  const client = OpenFeature.getClient(domain);
  for (const event of Object.values(ProviderEvents)) {
    client.addHandler(event, (d?: EventDetails) => {
      const extra = d && 'flagsChanged' in d ? ` ${JSON.stringify(d.flagsChanged)}` : '';
      events.push(`${event}${d?.message ? `: ${d.message}` : ''}${extra}`);
    });
  }
  await OpenFeature.setProviderAndWait(domain, provider).catch(() => {});
  return { fake, provider, client, events };
}

afterAll(() => OpenFeature.close());

describe('PitbossProvider resolution', () => {
  it('is named pitboss and runs on servers', () => {
    const provider = new PitbossProvider(new FakeNodeClient());
    expect(provider.metadata.name).toBe('pitboss');
    expect(provider.runsOn).toBe('server');
  });

  it('resolves every type with variant, reason and metadata', async () => {
    const { client } = await setUp();
    const on = await client.getBooleanDetails('payments_v2', false, { targetingKey: 'p-1', market: 'DE' });
    expect(on).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH' });
    expect(on.flagMetadata).toEqual({ pitbossReason: 'TARGETING_MATCH', ruleIndex: 0, version: 1 });
    expect(await client.getStringDetails('theme', 'x')).toMatchObject({
      value: 'light',
      variant: 'light',
      reason: 'DEFAULT',
    });
    expect(await client.getNumberValue('limit', 0)).toBe(10);
    expect(await client.getObjectValue('layout', {})).toEqual({ cols: 2 });
  });

  it('maps the kill switch and a failed prerequisite to DISABLED, keeping the engine reason', async () => {
    const { client } = await setUp();
    const killed = await client.getBooleanDetails('killed', true);
    expect(killed).toMatchObject({
      value: false,
      reason: 'DISABLED',
      flagMetadata: { pitbossReason: 'KILL_SWITCH' },
    });
    const blocked = await client.getBooleanDetails('payments_v2', true, {
      targetingKey: 'p-2',
      market: 'DE',
    });
    expect(blocked).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(blocked.flagMetadata.pitbossReason).toBe('PREREQUISITE_FAILED');
  });

  it('maps targetingKey to user.id, or to the configured attribute, without touching the caller context', async () => {
    const fake = new FakeNodeClient().load(CONFIG);
    const { client } = await setUp(fake);
    const context = { targetingKey: 'p-1', market: 'DE' };
    await client.getBooleanValue('payments_v2', false, context);
    expect(fake.contexts.at(-1)).toEqual({ targetingKey: 'p-1', market: 'DE', user: { id: 'p-1' } });
    expect(context).toEqual({ targetingKey: 'p-1', market: 'DE' });
    const custom = await setUp(new FakeNodeClient().load(CONFIG), { targetingKeyAttribute: 'player.uid' });
    await custom.client.getBooleanValue('kyc', false, { targetingKey: 'p-9' });
    expect(custom.fake.contexts.at(-1)).toEqual({ targetingKey: 'p-9', player: { uid: 'p-9' } });
  });

  it('answers a type mismatch before evaluating, so nothing is counted or logged', async () => {
    const { client, fake } = await setUp();
    const d = await client.getNumberDetails('theme', 5);
    expect(d).toMatchObject({
      value: 5,
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
      errorMessage: "flag 'theme' is string, not number",
    });
    expect(fake.contexts).toEqual([]);
  });

  it('answers FLAG_NOT_FOUND, and PROVIDER_NOT_READY while the client has no config', async () => {
    const { client } = await setUp();
    expect(await client.getBooleanDetails('nope', true)).toMatchObject({
      value: true,
      errorCode: 'FLAG_NOT_FOUND',
    });
    const provider = new PitbossProvider(new FakeNodeClient());
    expect(await provider.resolveBooleanEvaluation('kyc', true, {})).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'PROVIDER_NOT_READY',
    });
  });
});

describe('PitbossProvider lifecycle and events', () => {
  it('initialize waits for the client; one READY, not two', async () => {
    const fake = new FakeNodeClient();
    const provider = new PitbossProvider(fake);
    const init = provider.initialize();
    fake.load(CONFIG);
    await init;
    const { events } = await setUp(new FakeNodeClient().load(CONFIG));
    expect(events).toEqual(['PROVIDER_READY']);
  });

  it('initialize rejects on timeout (ERROR), then READY when the config arrives', async () => {
    const fake = new FakeNodeClient();
    const { client, events } = await setUp(fake, { readyTimeoutMs: 5 });
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    fake.load(CONFIG);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(events.at(-1)).toBe('PROVIDER_READY');
  });

  it('forwards changes with the version, and flagsChanged when the client knows them', async () => {
    const { fake, events } = await setUp();
    fake.load(CONFIG, 8);
    fake.emit('change', { version: 9, flagKeys: ['kyc'] });
    expect(events.slice(1)).toEqual([
      'PROVIDER_CONFIGURATION_CHANGED',
      'PROVIDER_CONFIGURATION_CHANGED ["kyc"]',
    ]);
  });

  it('goes STALE, then READY again on the next change or on the next evaluation once the client recovered', async () => {
    const { fake, client, events } = await setUp();
    fake.status = 'STALE';
    fake.emit('stale');
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    fake.status = 'READY';
    await client.getBooleanValue('kyc', false);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    fake.emit('stale');
    fake.load(CONFIG);
    expect(events.slice(1)).toEqual([
      expect.stringMatching(/^PROVIDER_STALE: /),
      'PROVIDER_READY',
      expect.stringMatching(/^PROVIDER_STALE: /),
      'PROVIDER_READY',
      'PROVIDER_CONFIGURATION_CHANGED',
    ]);
  });

  it('reports ERROR only when the client has nothing to serve', async () => {
    const { fake, client, events } = await setUp();
    fake.emit('error', new Error('snapshot refused'));
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    fake.status = 'ERROR';
    fake.emit('error', new Error('401 key revoked'));
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(events.at(-1)).toBe('PROVIDER_ERROR: 401 key revoked');
  });

  it('closes the client on close and stops forwarding', async () => {
    const { fake, provider, events } = await setUp();
    await provider.onClose();
    expect(fake.closed).toBe(true);
    fake.emit('stale');
    expect(events).toEqual(['PROVIDER_READY']);
  });

  it('creates and owns a Node client from ClientOptions', async () => {
    const provider = new PitbossProvider({ environment: 'prod', offline: true, bootstrap: CONFIG });
    await provider.initialize();
    expect(await provider.resolveStringEvaluation('theme', 'x', {})).toMatchObject({
      value: 'light',
      variant: 'light',
    });
    await provider.onClose();
    expect(provider.client.status).not.toBe('NOT_READY');
  });
});
