import { describe, expect, it } from 'vitest';
import { ago } from './time.js';

describe('ago', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it.each([
    [now - 5_000, '5 s ago'],
    [now - 125_000, '2 min ago'],
    [now - 3 * 3_600_000, '3 h ago'],
    [now - 2 * 86_400_000, '2 d ago'],
    [now + 2 * 86_400_000, 'in 2 d'],
    [now + 30_000, 'in 30 s'],
  ])('%s → %s', (then, text) => expect(ago(then, now)).toBe(text));
});
