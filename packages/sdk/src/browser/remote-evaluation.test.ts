import { describe, expect, it } from 'vitest';
import { FakeControlPlane } from './fake-control-plane.js';
import { evaluateRemote, httpError, PitbossHttpError, parseValues, sdkUrl } from './remote-evaluation.js';

const endpoint = (fake: FakeControlPlane, url = 'https://flags.example.com') => ({
  url,
  sdkKey: 'pb_sdk_test',
  environment: 'prod',
  fetch: fake.fetch,
});

describe('evaluateRemote', () => {
  it('posts the context with the SDK key and answers the values by key', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = () => ({
      body: {
        version: 42,
        values: { payments_v2: { value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 0 } },
      },
    });
    const answer = await evaluateRemote(endpoint(fake), { market: 'DE' });
    expect(answer.version).toBe(42);
    expect(answer.values.get('payments_v2')).toMatchObject({ value: true, variant: 'on' });
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url.search).toBe('?environment=prod');
    expect(request?.headers.get('authorization')).toBe('Bearer pb_sdk_test');
    expect(request?.body).toEqual({ environment: 'prod', context: { market: 'DE' } });
  });

  it('rejects with the server code, and says whether a retry can help', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = () => ({
      status: 401,
      body: { id: 'req_1', code: 'UNAUTHENTICATED', message: 'revoked' },
    });
    const error = await evaluateRemote(endpoint(fake), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PitbossHttpError);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', retryable: false });
    expect((error as Error).message).toBe('401 UNAUTHENTICATED: revoked');
  });
});

describe('parseValues', () => {
  it('refuses an answer without a version or values', () => {
    expect(() => parseValues(undefined)).toThrow(PitbossHttpError);
    expect(() => parseValues({ values: {} })).toThrow(/malformed/);
    expect(() => parseValues({ version: 1, values: null })).toThrow(/malformed/);
  });

  it('drops malformed entries and keeps the rest', () => {
    const { values } = parseValues({
      version: 1,
      values: { ok: { value: 1, variant: 'a', reason: 'DEFAULT' }, bad: 3 },
    });
    expect([...values.keys()]).toEqual(['ok']);
  });
});

describe('httpError', () => {
  it.each([
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
    [429, true],
    [500, true],
    [503, true],
  ])('status %i is retryable: %s', async (status, retryable) => {
    const error = await httpError(new Response(JSON.stringify({ code: 'X', message: 'm' }), { status }));
    expect(error.retryable).toBe(retryable);
  });

  it('reads Retry-After in seconds, and survives a body that is not JSON', async () => {
    const limited = await httpError(new Response('{}', { status: 429, headers: { 'retry-after': '3' } }));
    expect(limited.retryAfterMs).toBe(3000);
    const html = await httpError(
      new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    expect([html.status, html.code, html.message]).toEqual([502, undefined, '502: Bad Gateway']);
  });
});

describe('sdkUrl', () => {
  it.each([
    ['https://flags.example.com', 'https://flags.example.com/sdk/v1/evaluate?environment=prod'],
    ['https://flags.example.com/', 'https://flags.example.com/sdk/v1/evaluate?environment=prod'],
    ['https://example.com/pitboss/', 'https://example.com/pitboss/sdk/v1/evaluate?environment=prod'],
  ])('%s', (url, expected) => {
    expect(sdkUrl({ ...endpoint(new FakeControlPlane(), url) }, 'evaluate')).toBe(expected);
  });
});
