import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('admits a burst, then one request per refill interval, per key', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(3, 2, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).toEqual([true, true, true, false]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(limiter.take('b').allowed).toBe(true);
    now += 250;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 250 });
    now += 250;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('never holds more than the burst, however long a key was idle', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 1, () => now);
    limiter.take('a');
    now += 3_600_000;
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, false]);
  });

  it('forgets keys whose bucket filled up again', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 1, () => now);
    for (let i = 0; i < 100; i++) limiter.take(`key-${i}`);
    expect(limiter.size).toBe(100);
    now += 2_000;
    limiter.take('other');
    expect(limiter.size).toBe(1);
  });
});
