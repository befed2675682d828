import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type BrowserClientOptions,
  createBrowserClient,
  type PitbossBrowserClient,
} from './browser-client.js';
import { type FakeAnswer, FakeControlPlane, next } from './fake-control-plane.js';

/**
 * vi.waitFor with a bound that only fails when something never arrives: reconnects are jittered (up to 1 s after
 * a `shutdown`), and CI machines are shared, so the default 1 s bound made these tests flaky.
 */
const waitFor = <T>(fn: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) =>
  vi.waitFor(fn, { timeout: 10_000, interval: 20, ...options });

const served = (version: number, values: Record<string, unknown>): FakeAnswer => ({
  body: {
    version,
    values: Object.fromEntries(
      Object.entries(values).map(([k, v]) => [
        k,
        { value: v, variant: String(v), reason: 'TARGETING_MATCH', ruleIndex: 0 },
      ]),
    ),
  },
});

let clients: PitbossBrowserClient[] = [];
afterEach(() => {
  for (const c of clients) c.close();
  clients = [];
});

function client(fake: FakeControlPlane, options: Partial<BrowserClientOptions> = {}): PitbossBrowserClient {
  const c = createBrowserClient({
    url: 'https://flags.example.com',
    sdkKey: 'pb_sdk_test',
    environment: 'prod',
    context: { market: 'DE' },
    fetch: fake.fetch,
    debounceMs: 0,
    reconnect: { initialMs: 1, maxMs: 4 },
    ...options,
  });
  clients.push(c);
  return c;
}

describe('createBrowserClient', () => {
  it('serves the values evaluated for its context once ready', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = () => served(3, { payments_v2: true, theme: 'dark' });
    const c = client(fake, { streaming: false });
    expect([c.status, c.value('payments_v2', false), c.evaluate('payments_v2').errorCode]).toEqual([
      'NOT_READY',
      false,
      'PROVIDER_NOT_READY',
    ]);
    expect(await c.ready()).toBe(true);
    expect([c.status, c.version]).toEqual(['READY', 3]);
    expect(c.isEnabled('payments_v2')).toBe(true);
    expect(c.value('theme', 'light')).toBe('dark');
    expect(c.value('theme', false)).toBe(false); // type mismatch: the fallback
    expect(c.value('missing', 7)).toBe(7);
    expect(c.variant('theme')).toBe('dark');
    expect(c.evaluate('payments_v2')).toEqual({
      flagKey: 'payments_v2',
      value: true,
      variant: 'true',
      reason: 'TARGETING_MATCH',
      ruleIndex: 0,
    });
    expect(fake.evaluations[0]?.body).toEqual({ environment: 'prod', context: { market: 'DE' } });
  });

  it('resolves ready with false when the first evaluation fails, and emits ready when a retry succeeds', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = () => ({ status: 503, body: { code: 'UNAVAILABLE', message: 'starting' } });
    const c = client(fake, { streaming: false });
    const error = next(c, 'error');
    const ready = next(c, 'ready');
    expect(await c.ready()).toBe(false);
    expect(await error).toMatchObject({ status: 503 });
    expect(c.status).toBe('ERROR');
    fake.evaluate = () => served(1, { payments_v2: true });
    await ready;
    expect([c.status, c.value('payments_v2', false), await c.ready()]).toEqual(['READY', true, true]);
  });

  it('resolves ready with false on timeout and on close, and never rejects', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = () => new Promise<never>(() => {});
    const c = client(fake, { streaming: false });
    expect(await c.ready({ timeoutMs: 1 })).toBe(false);
    const pending = c.ready();
    c.close();
    expect(await pending).toBe(false);
  });

  it('re-evaluates on a change event, once for a burst, and emits the changed keys', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = () => served(1, { payments_v2: true, theme: 'dark' });
    const c = client(fake);
    await c.ready();
    const stream = await fake.stream(1);
    expect(stream.request.headers.get('last-event-id')).toBe('1'); // resume from our values: no snapshot resent
    fake.evaluate = () => served(3, { payments_v2: false, theme: 'dark' });
    const change = next(c, 'change');
    stream.send('event: change\nid: 2\ndata: {}\n\nevent: change\nid: 3\ndata: {}\n\n');
    expect(await change).toEqual({ version: 3, flagKeys: ['payments_v2'] });
    expect(fake.evaluations).toHaveLength(2);
    expect(c.value('payments_v2', true)).toBe(false);
  });

  it('re-evaluates for a new context and emits the flags that changed for it', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = (r) =>
      served(1, {
        payments_v2: (r.body as { context: { market: string } }).context.market === 'DE',
        theme: 'dark',
      });
    const c = client(fake, { streaming: false });
    await c.ready();
    const change = next(c, 'change');
    await c.setContext({ market: 'SE' });
    expect(await change).toEqual({ version: 1, flagKeys: ['payments_v2'] });
    expect(c.isEnabled('payments_v2')).toBe(false);
    expect(fake.evaluations[1]?.body).toEqual({ environment: 'prod', context: { market: 'SE' } });
  });

  it('lets the newest context win when answers cross', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = () => served(1, { market: 'DE' });
    const c = client(fake, { streaming: false });
    await c.ready();
    let release: (a: FakeAnswer) => void = () => {};
    fake.evaluate = () => new Promise((resolve) => (release = resolve));
    const slow = c.setContext({ market: 'SE' });
    const releaseSlow = release;
    fake.evaluate = () => served(1, { market: 'MT' });
    await c.setContext({ market: 'MT' });
    releaseSlow(served(1, { market: 'SE' }));
    await slow;
    expect(c.value('market', '')).toBe('MT');
  });

  it('keeps the last values when a re-evaluation fails, goes STALE, and recovers on retry', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = () => served(1, { payments_v2: true });
    const c = client(fake, { streaming: false });
    await c.ready();
    let calls = 0;
    fake.evaluate = () =>
      ++calls === 1
        ? { status: 500, body: { code: 'INTERNAL', message: 'boom' } }
        : served(1, { payments_v2: true });
    const stale = next(c, 'stale');
    const error = next(c, 'error');
    await c.setContext({ market: 'SE' });
    expect(await error).toMatchObject({ status: 500, code: 'INTERNAL' });
    await stale;
    expect([c.status, c.value('payments_v2', false)]).toEqual(['STALE', true]);
    await waitFor(() => expect(c.status).toBe('READY'), { timeout: 10_000 }); // the retry's answer
  });

  it('does not retry an evaluation the server refuses for good', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = () => ({ status: 401, body: { code: 'UNAUTHENTICATED', message: 'revoked' } });
    const c = client(fake, { streaming: false });
    expect(await c.ready()).toBe(false);
    fake.evaluate = () => served(1, {});
    await c.setContext({ market: 'SE' }); // only an explicit call asks again
    expect(fake.evaluations).toHaveLength(2);
  });

  it('stops everything on close', async () => {
    const fake = new FakeControlPlane();
    fake.evaluate = () => served(1, { payments_v2: true });
    const c = client(fake);
    await c.ready();
    const stream = await fake.stream(1);
    c.close();
    expect(stream.request.signal?.aborted).toBe(true);
    expect(c.value('payments_v2', false)).toBe(true); // the cache still answers
  });
});
