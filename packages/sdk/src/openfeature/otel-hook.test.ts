import { AsyncLocalStorage } from 'node:async_hooks';
import { OpenFeature } from '@openfeature/server-sdk';
import {
  type Context,
  type ContextManager,
  context as otelContext,
  ROOT_CONTEXT,
  type Span,
  trace,
} from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { PitbossProvider } from './server.js';
import { FakeNodeClient } from './testing/fake-clients.js';

/** An AsyncLocalStorage context manager: the active span survives the awaits inside an OpenFeature evaluation. */
function asyncContextManager(): ContextManager {
  const storage = new AsyncLocalStorage<Context>();
  return {
    active: () => storage.getStore() ?? ROOT_CONTEXT,
    with: (ctx, fn, thisArg, ...args) => storage.run(ctx, () => fn.call(thisArg, ...args)),
    bind: (_ctx, target) => target,
    enable() {
      return this;
    },
    disable() {
      storage.disable();
      return this;
    },
  };
}

/** A span that only records its events: what an OpenTelemetry SDK's span would export. */
function recordingSpan(events: { name: string; attributes: unknown }[]): Span {
  const span = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
  return Object.assign(Object.create(span), {
    addEvent(name: string, attributes?: unknown) {
      events.push({ name, attributes });
      return this;
    },
  }) as Span;
}

describe('OpenTelemetry span events from the server provider', () => {
  otelContext.setGlobalContextManager(asyncContextManager());
  afterAll(async () => {
    otelContext.disable();
    await OpenFeature.close();
  });

  it('records each evaluation on the active span under the feature_flag.* names', async () => {
    const fake = new FakeNodeClient().load({
      flags: [{ key: 'payments_v2', rules: [{ if: "market == 'DE'" }] }],
    });
    await OpenFeature.setProviderAndWait('otel', new PitbossProvider(fake));
    const client = OpenFeature.getClient('otel');
    const events: { name: string; attributes: unknown }[] = [];
    const value = await otelContext.with(trace.setSpan(ROOT_CONTEXT, recordingSpan(events)), () =>
      client.getBooleanValue('payments_v2', false, { targetingKey: 'p-1', market: 'DE' }),
    );
    expect(value).toBe(true);
    expect(events).toEqual([
      {
        name: 'feature_flag.evaluation',
        attributes: expect.objectContaining({
          'feature_flag.key': 'payments_v2',
          'feature_flag.provider.name': 'pitboss',
          'feature_flag.result.variant': 'on',
          'feature_flag.result.reason': 'targeting_match',
          'pitboss.rule_index': 0,
        }),
      },
    ]);
  });

  it('records nothing when switched off, or outside a span', async () => {
    const fake = new FakeNodeClient().load({ flags: [{ key: 'f', rules: [{ if: 'true' }] }] });
    await OpenFeature.setProviderAndWait('otel-off', new PitbossProvider(fake, { spanEvents: false }));
    const events: { name: string; attributes: unknown }[] = [];
    await otelContext.with(trace.setSpan(ROOT_CONTEXT, recordingSpan(events)), () =>
      OpenFeature.getClient('otel-off').getBooleanValue('f', false),
    );
    expect(events).toEqual([]);
    await OpenFeature.setProviderAndWait('otel-nospan', new PitbossProvider(fake));
    expect(await OpenFeature.getClient('otel-nospan').getBooleanValue('f', false)).toBe(true);
  });
});
