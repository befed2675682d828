import {
  type Context,
  type ContextManager,
  context as otelContext,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Decision, DecisionLog } from './decision-log.js';
import { HttpError } from './http.js';
import { loadTraceApi } from './trace.js';

/**
 * vi.waitFor with a bound that only fails when something never arrives: reconnects are jittered (up to 1 s after
 * a `shutdown`), and CI machines are shared, so the default 1 s bound made these tests flaky.
 */
const waitFor = <T>(fn: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) =>
  vi.waitFor(fn, { timeout: 10_000, interval: 20, ...options });

/** A sender that records batches and answers what the test queues (default: accepted). */
function fakeSender() {
  const batches: Decision[][] = [];
  const answers: (Error | undefined)[] = [];
  const send = async (batch: readonly Decision[]) => {
    const answer = answers.shift();
    if (answer) throw answer;
    batches.push([...batch]);
  };
  return { batches, answers, send };
}

let log: DecisionLog | undefined;
afterEach(async () => {
  await log?.close();
  log = undefined;
});

describe('DecisionLog', () => {
  it('keeps the first decision of each flag/variant whatever the sampling and rate limit', async () => {
    const s = fakeSender();
    log = new DecisionLog(
      { sampleRate: 0, flushIntervalMs: 60_000 },
      s.send,
      () => 0,
      () => 0.5,
    );
    for (let i = 0; i < 10; i++) log.record('f', 'on', 'SPLIT', 0, {});
    log.record('f', 'off', 'DEFAULT', undefined, {});
    log.record('g', undefined, 'ERROR', undefined, {});
    await log.flush();
    expect(s.batches.flat().map((d) => [d.flag, d.variant])).toEqual([
      ['f', 'on'],
      ['f', 'off'],
      ['g', undefined],
    ]);
  });

  it('rate-limits per flag and second after sampling', async () => {
    const s = fakeSender();
    let now = 1_000;
    log = new DecisionLog({ maxPerFlagPerSecond: 2, flushIntervalMs: 60_000 }, s.send, () => now);
    for (let i = 0; i < 10; i++) log.record('f', 'on', 'SPLIT', 0, {}); // 1 first + 2 within the rate
    now = 2_000;
    for (let i = 0; i < 10; i++) log.record('f', 'on', 'SPLIT', 0, {}); // 2 more in the next second
    expect(log.stats().queued).toBe(5);
  });

  it('bounds the queue by dropping the oldest, and counts the drops', async () => {
    const s = fakeSender();
    log = new DecisionLog({ maxBatch: 2, maxQueue: 3, flushIntervalMs: 60_000 }, s.send, () => 0);
    s.answers.push(new Error('network down'), new Error('network down'));
    for (let i = 0; i < 10; i++) log.record(`flag_${i}`, 'on', 'SPLIT', 0, {});
    await waitFor(() => expect(log!.stats().dropped).toBeGreaterThan(0));
    expect(log.stats().queued).toBeLessThanOrEqual(3);
    expect(log.stats().queued + log.stats().dropped + log.stats().posted).toBe(10);
  });

  it('keeps a batch on 429 and waits Retry-After; drops one the server refuses as invalid', async () => {
    const s = fakeSender();
    let now = 0;
    log = new DecisionLog({ flushIntervalMs: 60_000 }, s.send, () => now);
    log.record('f', 'on', 'SPLIT', 0, {});
    s.answers.push(new HttpError(429, 'rate limited', 2));
    await log.flush();
    expect(log.stats()).toEqual({ queued: 1, posted: 0, dropped: 0 });
    now = 1_999;
    await log.flush();
    expect(s.batches).toHaveLength(0);
    now = 2_000;
    await log.flush();
    expect(log.stats()).toEqual({ queued: 0, posted: 1, dropped: 0 });
    log.record('g', 'on', 'SPLIT', 0, {});
    s.answers.push(new HttpError(400, 'VALIDATION_FAILED'));
    await log.flush();
    expect(log.stats()).toEqual({ queued: 0, posted: 1, dropped: 1 });
  });

  it('takes the trace id from the active OpenTelemetry span, else from context.traceId', async () => {
    // A minimal synchronous context manager: enough for trace.getActiveSpan() inside context.with().
    let active: Context = ROOT_CONTEXT;
    const manager: ContextManager = {
      active: () => active,
      with(ctx, fn, thisArg, ...args) {
        const previous = active;
        active = ctx;
        try {
          return fn.call(thisArg, ...args);
        } finally {
          active = previous;
        }
      },
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    otelContext.setGlobalContextManager(manager);
    await loadTraceApi();
    const s = fakeSender();
    log = new DecisionLog({ flushIntervalMs: 60_000 }, s.send, () => 0);
    const span = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    otelContext.with(trace.setSpan(ROOT_CONTEXT, span), () =>
      log!.record('f', 'on', 'SPLIT', 0, { traceId: 'x' }),
    );
    log.record('f', 'off', 'DEFAULT', undefined, { traceId: 'from-context' });
    await log.flush();
    expect(s.batches.flat().map((d) => d.traceId)).toEqual(['a'.repeat(32), 'from-context']);
    otelContext.disable();
  });
});
