import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SseMessage } from '../shared/sse-parser.js';
import { type EventStreamHandlers, openEventStream } from './event-stream.js';
import { FakeControlPlane } from './fake-control-plane.js';
import type { PitbossHttpError } from './remote-evaluation.js';

/**
 * vi.waitFor with a bound that only fails when something never arrives: reconnects are jittered (up to 1 s after
 * a `shutdown`), and CI machines are shared, so the default 1 s bound made these tests flaky.
 */
const waitFor = <T>(fn: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) =>
  vi.waitFor(fn, { timeout: 10_000, interval: 20, ...options });

/** A stream on a fake control plane, recording what reaches the handlers. */
function harness(
  options: { idleTimeoutMs?: number; lastEventId?: () => string | undefined; fake?: FakeControlPlane } = {},
) {
  const fake = options.fake ?? new FakeControlPlane();
  const seen = {
    events: [] as SseMessage[],
    comments: [] as string[],
    drops: [] as unknown[],
    fatal: [] as PitbossHttpError[],
  };
  let onEvent: (m: SseMessage) => void = () => {};
  const handlers: EventStreamHandlers = {
    onEvent: (m) => {
      seen.events.push(m);
      onEvent(m);
    },
    onComment: (text) => seen.comments.push(text),
    onDrop: (error) => seen.drops.push(error),
    onFatal: (error) => seen.fatal.push(error),
  };
  const close = openEventStream(
    {
      url: 'https://flags.example.com/sdk/v1/stream?environment=prod',
      headers: { authorization: 'Bearer pb_sdk_test' },
      fetch: fake.fetch,
      reconnect: { initialMs: 1, maxMs: 4 },
      random: () => 0, // no jitter: a shutdown reconnects at once
      lastEventId: options.lastEventId ?? (() => undefined),
      ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    },
    handlers,
  );
  const eventCount = (n: number) =>
    new Promise<void>((resolve) => {
      onEvent = () => seen.events.length >= n && resolve();
    });
  return { fake, seen, close, eventCount };
}

let closeAll: (() => void)[] = [];
afterEach(() => {
  for (const close of closeAll) close();
  closeAll = [];
});
const open = (...args: Parameters<typeof harness>) => {
  const h = harness(...args);
  closeAll.push(h.close);
  return h;
};

describe('openEventStream', () => {
  it('sends the key and the current Last-Event-ID, and parses events and comments split anywhere', async () => {
    const { fake, seen, eventCount } = open({ lastEventId: () => '41' });
    const stream = await fake.stream(1);
    expect(stream.request.headers.get('authorization')).toBe('Bearer pb_sdk_test');
    expect(stream.request.headers.get('accept')).toBe('text/event-stream');
    expect(stream.request.headers.get('last-event-id')).toBe('41');
    const two = eventCount(2);
    stream.send(': up to date\n\nevent: cha');
    stream.send('nge\r\nid: 42\r\ndata: {"version":42,"note":"caf');
    const e = new TextEncoder().encode('é"}\n\nevent: change\nid: 43\ndata: {}\n\n');
    stream.send(e.slice(0, 1)); // the first byte of "é": the decoder must wait for the second
    stream.send(e.slice(1));
    await two;
    expect(seen.comments).toEqual(['up to date']);
    expect(seen.events).toEqual([
      { event: 'change', id: '42', data: '{"version":42,"note":"café"}' },
      { event: 'change', id: '43', data: '{}' },
    ]);
  });

  it('reconnects after the connection ends, asking for the Last-Event-ID anew', async () => {
    let id = '1';
    const { fake, seen } = open({ lastEventId: () => id });
    (await fake.stream(1)).end();
    id = '7';
    const second = await fake.stream(2);
    expect(second.request.headers.get('last-event-id')).toBe('7');
    expect(seen.drops).toHaveLength(1);
  });

  it('reconnects after resync (a drop) and after shutdown (not a drop)', async () => {
    const { fake, seen } = open();
    (await fake.stream(1)).event('resync', undefined, { reason: 'slow_consumer' });
    (await fake.stream(2)).event('shutdown', undefined, { reason: 'shutdown' });
    await fake.stream(3);
    expect(seen.events.map((e) => e.event)).toEqual(['resync', 'shutdown']);
    expect(seen.drops).toHaveLength(1);
  });

  it('retries a stream refused with 503', async () => {
    const fake = new FakeControlPlane();
    fake.refuseStreams = { status: 503, body: { code: 'UNAVAILABLE', message: 'starting' } };
    const { seen } = open({ fake });
    fake.refuseStreams = undefined;
    await fake.stream(1);
    expect(fake.requests).toHaveLength(2);
    expect(seen.drops).toMatchObject([{ status: 503, code: 'UNAVAILABLE' }]);
  });

  it('gives up for good on 401', async () => {
    const fake = new FakeControlPlane();
    fake.refuseStreams = { status: 401, body: { code: 'UNAUTHENTICATED', message: 'revoked' } };
    const { seen } = open({ fake });
    await waitFor(() => expect(seen.fatal).toMatchObject([{ status: 401, code: 'UNAUTHENTICATED' }]));
    expect(seen.drops).toEqual([]);
  });

  it('drops a connection that stays silent past the idle timeout and reconnects', async () => {
    const { fake, seen } = open({ idleTimeoutMs: 20 });
    const first = await fake.stream(1);
    await fake.stream(2);
    expect(first.request.signal?.aborted).toBe(true);
    expect(String(seen.drops[0])).toMatch(/silent/);
  });

  it('aborts the connection on close', async () => {
    const { fake, close } = open();
    const stream = await fake.stream(1);
    close();
    expect(stream.request.signal?.aborted).toBe(true);
  });
});
