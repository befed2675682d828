import { describe, expect, it } from 'vitest';
import { PitbossError } from '../../errors.js';
import { TrafficStats } from '../../gateway/traffic-stats.js';
import type { ProviderSpec } from '../analysis-template.js';
import { createProviders } from './index.js';

describe('createProviders', () => {
  it('gives one provider per kind, made once', () => {
    const providers = createProviders({ trafficStats: new TrafficStats() });
    for (const kind of ['builtin', 'prometheus', 'web'] as const) {
      expect(providers(kind).kind).toBe(kind);
      expect(providers(kind)).toBe(providers(kind));
    }
  });

  it('refuses an unknown kind instead of falling back to Prometheus', () => {
    const providers = createProviders();
    const call = () => providers('datadog' as ProviderSpec['kind']);
    expect(call).toThrow(PitbossError);
    expect(call).toThrow("unknown metric provider 'datadog' (known: builtin, prometheus, web)");
    try {
      call();
    } catch (e) {
      expect((e as PitbossError).code).toBe('VALIDATION_FAILED');
    }
  });

  it('hands the injected fetch to the HTTP providers', async () => {
    const urls: string[] = [];
    const fakeFetch = (async (url: string | URL | Request) => {
      urls.push(String(url));
      return new Response(
        JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '3'] } }),
      );
    }) as typeof fetch;
    const providers = createProviders({ fetch: fakeFetch });
    const spec: ProviderSpec = {
      kind: 'prometheus',
      address: 'http://prom.test:9090',
      timeoutMs: 1_000,
      headers: {},
    };
    expect(await providers('prometheus').query(spec, 'vector(3)', new Date(0))).toEqual({
      ok: true,
      series: [{ labels: {}, value: 3 }],
    });
    expect(urls).toEqual(['http://prom.test:9090/api/v1/query?query=vector%283%29&time=0.000']);
  });

  it('answers builtin queries with an error when there is no gateway', async () => {
    const r = await createProviders()('builtin').query({ kind: 'builtin' }, 'requests[5m]', new Date());
    expect(r.ok).toBe(false);
  });
});
