import { describe, expect, it } from 'vitest';
import { type Arm, compileRoute, decide, needsStickyKey } from './route-decision.js';

const none = () => ({});
const share = (weight: number, n: number, salt = 'wallet') => {
  const route = compileRoute(salt, { weight, mirror: 0 });
  let canary = 0;
  for (let i = 0; i < n; i++) if (decide(route, none, () => `player-${i}`).arm === 'canary') canary++;
  return (canary / n) * 100;
};

describe('decide: sticky weight', () => {
  it.each([0.5, 1, 5, 25, 50, 75, 99])(
    'sends %s %% of 100,000 players to the canary (±1 point)',
    (weight) => {
      expect(Math.abs(share(weight, 100_000) - weight)).toBeLessThanOrEqual(1);
    },
  );

  it('sends nobody at 0 and everybody at 100, without hashing', () => {
    expect(share(0, 1000)).toBe(0);
    expect(share(100, 1000)).toBe(100);
    expect(needsStickyKey(compileRoute('s', { weight: 0, mirror: 0 }))).toBe(false);
    expect(needsStickyKey(compileRoute('s', { weight: 100, mirror: 0 }))).toBe(false);
    expect(needsStickyKey(compileRoute('s', { weight: 0.1, mirror: 0 }))).toBe(true);
  });

  it('never moves a player back from canary to stable as the weight grows 1 → 5 → 25 → 50 → 100', () => {
    const players = Array.from({ length: 20_000 }, (_, i) => `p-${i}`);
    let previous: Arm[] = players.map(() => 'stable');
    for (const weight of [1, 5, 25, 50, 100]) {
      const route = compileRoute('wallet', { weight, mirror: 0 });
      const now = players.map((p) => decide(route, none, () => p).arm);
      const movedBack = now.filter((arm, i) => previous[i] === 'canary' && arm === 'stable').length;
      expect(movedBack, `at ${weight} %`).toBe(0);
      previous = now;
    }
    expect(previous.every((a) => a === 'canary')).toBe(true);
  });

  it('splits each service independently (salt = service name)', () => {
    const a = compileRoute('wallet', { weight: 10, mirror: 0 });
    const b = compileRoute('lobby', { weight: 10, mirror: 0 });
    let both = 0;
    for (let i = 0; i < 50_000; i++) {
      const key = () => `p-${i}`;
      if (decide(a, none, key).arm === 'canary' && decide(b, none, key).arm === 'canary') both++;
    }
    // Independent 10 % splits overlap on ~1 % of players, not on 10 %.
    expect(both / 50_000).toBeLessThan(0.02);
  });
});

describe('decide: order', () => {
  const route = compileRoute('wallet', {
    weight: 0,
    mirror: 0,
    segment: 'market == "SE" || user.isEmployee',
  });

  it('sends a segment match to the canary whatever the weight', () => {
    expect(
      decide(
        route,
        () => ({ market: 'SE' }),
        () => 'p',
      ),
    ).toEqual({ arm: 'canary', reason: 'segment' });
    expect(
      decide(
        route,
        () => ({ user: { isEmployee: true } }),
        () => 'p',
      ),
    ).toEqual({ arm: 'canary', reason: 'segment' });
    expect(
      decide(
        route,
        () => ({ market: 'DK' }),
        () => 'p',
      ),
    ).toEqual({ arm: 'stable', reason: 'weight' });
  });

  it('lets an override win over the segment and the weight', () => {
    expect(
      decide(
        route,
        () => ({ market: 'SE' }),
        () => 'p',
        'stable',
      ),
    ).toEqual({ arm: 'stable', reason: 'override' });
    const all = compileRoute('wallet', { weight: 100, mirror: 0 });
    expect(decide(all, none, () => 'p', 'stable').arm).toBe('stable');
  });

  it('builds no context and no sticky key when nothing needs them', () => {
    const plain = compileRoute('wallet', { weight: 0, mirror: 0 });
    const fail = () => {
      throw new Error('not needed');
    };
    expect(decide(plain, fail, fail).arm).toBe('stable');
  });
});

describe('compileRoute', () => {
  it.each([
    [{ weight: 101, mirror: 0 }, 'weight must be a percentage from 0 to 100, got 101'],
    [{ weight: Number.NaN, mirror: 0 }, 'weight must be a percentage from 0 to 100, got NaN'],
    [{ weight: 5, mirror: -1 }, 'mirror must be a percentage from 0 to 100, got -1'],
    [{ weight: 5, mirror: 0, segment: 'market ==' }, /segment does not compile/],
  ])('refuses %j', (state, message) => {
    expect(() => compileRoute('s', state)).toThrow(message);
  });

  it('normalises an empty segment away and keeps the rollout step', () => {
    const r = compileRoute('s', { weight: 5, mirror: 1, segment: '  ' }, { rolloutStep: 2 });
    expect(r.state).toEqual({ weight: 5, mirror: 1 });
    expect(r.rolloutStep).toBe(2);
  });
});
