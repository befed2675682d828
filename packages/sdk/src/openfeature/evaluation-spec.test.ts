// The OpenFeature specification's gherkin evaluation scenarios, run through the real OpenFeature server SDK with
// the Pitboss provider, table-driven (no cucumber). Which scenarios pass and which do not apply: docs/sdk.md.
import type { EvaluationContext, Hook, JsonValue } from '@openfeature/server-sdk';
import { type Client, OpenFeature, ProviderStatus } from '@openfeature/server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type PitbossClient } from '../node/index.js';
import { PitbossProvider } from './server.js';
import { FakeNodeClient } from './testing/fake-clients.js';
import { SPEC_FLAGS } from './testing/spec-flags.js';
import { SPEC_SCENARIOS, type SpecType } from './testing/spec-scenarios.js';

let domains = 0;

// The scenarios run over the real Node client (offline, the spec's flags as bootstrap) and over the engine-backed
// fake the other provider tests drive, so the two cannot drift apart.
const CLIENTS: [string, () => PitbossClient][] = [
  ['Node client', () => createClient({ environment: 'prod', offline: true, bootstrap: SPEC_FLAGS })],
  ['fake client', () => new FakeNodeClient().load(SPEC_FLAGS)],
];

async function stableClient(open: () => PitbossClient): Promise<Client> {
  const domain = `spec-${++domains}`;
  await OpenFeature.setProviderAndWait(domain, new PitbossProvider(open()));
  return OpenFeature.getClient(domain);
}

function details(
  client: Client,
  type: SpecType,
  key: string,
  fallback: unknown,
  context?: EvaluationContext,
) {
  switch (type) {
    case 'Boolean':
      return client.getBooleanDetails(key, fallback as boolean, context);
    case 'String':
      return client.getStringDetails(key, fallback as string, context);
    case 'Integer':
    case 'Float':
      return client.getNumberDetails(key, fallback as number, context);
    case 'Object':
      return client.getObjectDetails(key, fallback as JsonValue, context);
  }
}

afterAll(() => OpenFeature.close());

describe.each(CLIENTS)('OpenFeature gherkin evaluation scenarios (server provider, %s)', (_, open) => {
  it.each(SPEC_SCENARIOS.map((s) => [`${s.scenario}: ${s.type} ${s.key}`, s] as const))(
    '%s',
    async (_, s) => {
      const client = await stableClient(open);
      const d = await details(client, s.type, s.key, s.defaultValue, s.context);
      expect(d.flagKey).toBe(s.key);
      expect(d.value).toEqual(s.value);
      expect(d.reason).toBe(s.reason);
      expect(d.variant).toBe(s.variant);
      expect(d.errorCode).toBe(s.errorCode);
    },
  );

  it('Error message in evaluation details: names the missing flag', async () => {
    const d = await (await stableClient(open)).getBooleanDetails('error-flag', false);
    expect(d.reason).toBe('ERROR');
    expect(d.errorMessage).toContain('error-flag');
  });

  it('Provider not ready error: the SDK short-circuits before Pitboss has a config', async () => {
    OpenFeature.setProvider(
      'not-ready',
      new PitbossProvider(new FakeNodeClient(), { readyTimeoutMs: 60_000 }),
    );
    const client = OpenFeature.getClient('not-ready');
    expect(client.providerStatus).toBe(ProviderStatus.NOT_READY);
    for (const type of ['Boolean', 'String', 'Integer', 'Float', 'Object'] as const) {
      const d = await details(client, type, 'boolean-flag', null);
      expect([d.reason, d.errorCode]).toEqual(['ERROR', 'PROVIDER_NOT_READY']);
    }
  });

  it.each([
    ['stable', 'READY'],
    ['not ready', 'NOT_READY'],
    ['error', 'ERROR'],
    ['stale', 'STALE'],
  ] as const)('Provider status accessibility: a %s provider is %s', async (state, status) => {
    const fake = new FakeNodeClient();
    if (state !== 'not ready' && state !== 'error') fake.load(SPEC_FLAGS);
    const domain = `status-${state}-${++domains}`;
    const provider = new PitbossProvider(fake, { readyTimeoutMs: state === 'error' ? 10 : 60_000 });
    if (state === 'not ready') OpenFeature.setProvider(domain, provider);
    else await OpenFeature.setProviderAndWait(domain, provider).catch(() => {});
    if (state === 'stale') fake.emit('stale');
    expect(OpenFeature.getClient(domain).providerStatus).toBe(status);
  });

  it('Evaluation options with hooks: hooks run in order around the Pitboss resolution', async () => {
    const calls: string[] = [];
    const hook = (name: string): Hook => ({
      before: () => void calls.push(`${name}.before`),
      after: (_, d) => void calls.push(`${name}.after:${d.value}`),
    });
    const d = await (await stableClient(open)).getBooleanDetails(
      'boolean-flag',
      false,
      {},
      {
        hooks: [hook('a'), hook('b')],
      },
    );
    expect(d.value).toBe(true);
    expect(calls).toEqual(['a.before', 'b.before', 'b.after:true', 'a.after:true']);
  });

  it('Evaluation context immutability: the caller context is untouched, the details are frozen', async () => {
    const context = { targetingKey: 'p-1', user: { tier: 'vip' }, email: 'a@b.c' };
    const copy = structuredClone(context);
    const d = await (await stableClient(open)).getBooleanDetails('boolean-flag', false, context);
    expect(context).toEqual(copy);
    expect(Object.isFrozen(d.flagMetadata)).toBe(true);
  });

  it('Asynchronous flag evaluation: a promise equivalent to the value API', async () => {
    const client = await stableClient(open);
    const pending = client.getBooleanDetails('boolean-flag', false);
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).value).toBe(await client.getBooleanValue('boolean-flag', false));
  });
});
