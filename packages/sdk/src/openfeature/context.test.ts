import { describe, expect, it } from 'vitest';
import { parseAttributePath, toPitbossContext } from './context.js';

const userId = parseAttributePath('user.id');

describe('toPitbossContext', () => {
  it('copies the targeting key to the stickiness attribute and keeps it', () => {
    expect(toPitbossContext({ targetingKey: 'p-1', market: 'DE' }, userId)).toEqual({
      targetingKey: 'p-1',
      market: 'DE',
      user: { id: 'p-1' },
    });
  });

  it('merges into an existing object without mutating the caller context', () => {
    const context = Object.freeze({ targetingKey: 'p-1', user: Object.freeze({ tier: 'vip' }) });
    const out = toPitbossContext(context, userId);
    expect(out).toEqual({ targetingKey: 'p-1', user: { tier: 'vip', id: 'p-1' } });
    expect(context.user).toEqual({ tier: 'vip' });
  });

  it('lets an attribute the caller set win', () => {
    expect(toPitbossContext({ targetingKey: 'p-1', user: { id: 'p-2' } }, userId)).toEqual({
      targetingKey: 'p-1',
      user: { id: 'p-2' },
    });
  });

  it('leaves a scalar in the way alone', () => {
    expect(toPitbossContext({ targetingKey: 'p-1', user: 'anonymous' }, userId)).toEqual({
      targetingKey: 'p-1',
      user: 'anonymous',
    });
  });

  it('uses a configured attribute', () => {
    expect(toPitbossContext({ targetingKey: 's-9' }, parseAttributePath('session'))).toEqual({
      targetingKey: 's-9',
      session: 's-9',
    });
  });

  it.each([[undefined], [{}], [{ targetingKey: '' }]])(
    'adds nothing without a targeting key: %j',
    (context) => {
      expect(toPitbossContext(context, userId)).toEqual({ ...context });
    },
  );
});

describe('parseAttributePath', () => {
  it.each(['', 'user.', '.id', 'user.__proto__', 'constructor', 'a.prototype.b'])('refuses %j', (path) => {
    expect(() => parseAttributePath(path)).toThrow(TypeError);
  });
});
