import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  const setup = () => {
    let t = 0;
    const b = new CircuitBreaker(3, 1000, () => t);
    return { b, advance: (ms: number) => (t += ms) };
  };

  it('opens after consecutive failures; a success in between resets the count', () => {
    const { b } = setup();
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
  });

  it('lets one probe through after the cooldown; its success closes, its failure reopens', () => {
    const { b, advance } = setup();
    for (let i = 0; i < 3; i++) b.failure();
    advance(999);
    expect(b.allow()).toBe(false);
    advance(1);
    expect(b.allow()).toBe(true);
    expect(b.state).toBe('halfOpen');
    expect(b.allow()).toBe(false); // one probe at a time
    b.failure();
    expect(b.state).toBe('open');
    advance(1000);
    expect(b.allow()).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
  });

  it('frees the probe slot when the probe ends without a verdict', () => {
    const { b, advance } = setup();
    for (let i = 0; i < 3; i++) b.failure();
    advance(1000);
    expect(b.allow()).toBe(true);
    b.release();
    expect(b.allow()).toBe(true);
  });

  it('is never available to mirrors unless closed', () => {
    const { b, advance } = setup();
    for (let i = 0; i < 3; i++) b.failure();
    advance(1000);
    expect(b.available).toBe(false);
  });
});
