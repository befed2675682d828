import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { criticalCount, logEValue, proportionBound, rejects } from './binomial-mixture.js';
import { createRandom } from './random.js';

describe('logEValue', () => {
  const cases: [string, number, number, number, 'greater' | 'less', boolean][] = [
    ['no trials: no evidence', 0, 0, 0.5, 'greater', false],
    ['10 of 10 against θ ≤ 0.05', 10, 10, 0.05, 'greater', true],
    ['1 of 10 against θ ≤ 0.05', 1, 10, 0.05, 'greater', false],
    ['0 of 200 against θ ≥ 0.05', 0, 200, 0.05, 'less', true],
    ['10 of 200 against θ ≥ 0.05', 10, 200, 0.05, 'less', false],
    ['60 of 100 against θ ≤ 0.5', 60, 100, 0.5, 'greater', false],
    ['700 of 1000 against θ ≤ 0.5', 700, 1000, 0.5, 'greater', true],
  ];
  it.each(cases)('%s', (_name, x, n, theta0, side, rejected) => {
    expect(rejects(x, n, theta0, side, 0.01)).toBe(rejected);
  });

  it('grows with the successes against "θ ≤ θ0" and shrinks against "θ ≥ θ0"', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (n, t) => {
          const x = Math.floor(n / 2);
          expect(logEValue(x + 1, n, t, 'greater')).toBeGreaterThanOrEqual(logEValue(x, n, t, 'greater'));
          expect(logEValue(x + 1, n, t, 'less')).toBeLessThanOrEqual(logEValue(x, n, t, 'less'));
        },
      ),
    );
  });
});

describe('criticalCount', () => {
  it('is the boundary of rejection on both sides', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 100_000 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (n, q) => {
          const up = criticalCount(n, q, 'greater', 0.01);
          if (Number.isFinite(up)) {
            expect(rejects(up, n, q, 'greater', 0.01)).toBe(true);
            expect(rejects(up - 1e-3 * (1 + up), n, q, 'greater', 0.01)).toBe(false);
          } else expect(rejects(n, n, q, 'greater', 0.01)).toBe(false);
          const down = criticalCount(n, q, 'less', 0.01);
          if (Number.isFinite(down)) {
            expect(rejects(down, n, q, 'less', 0.01)).toBe(true);
            expect(rejects(down + 1e-3 * (1 + down), n, q, 'less', 0.01)).toBe(false);
          } else expect(rejects(0, n, q, 'less', 0.01)).toBe(false);
        },
      ),
    );
  });
});

describe('proportionBound', () => {
  it('brackets the observed proportion', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const x = Math.round(n * f);
        const lo = proportionBound(x, n, 'greater', 0.05);
        const hi = proportionBound(x, n, 'less', 0.05);
        expect(lo).toBeLessThanOrEqual(x / n + 1e-9);
        expect(hi).toBeGreaterThanOrEqual(x / n - 1e-9);
      }),
    );
  });

  it('narrows as trials accumulate', () => {
    const width = (n: number) =>
      proportionBound(n / 10, n, 'less', 0.01) - proportionBound(n / 10, n, 'greater', 0.01);
    expect(width(100)).toBeGreaterThan(width(1_000));
    expect(width(1_000)).toBeGreaterThan(width(10_000));
    expect(width(10_000)).toBeLessThan(0.027); // a fixed-n 99 % interval is 0.015 wide: the price of looking anytime
  });
});

describe('anytime validity (seeded simulation)', () => {
  // The hardest null: θ exactly θ0. Checked after every trial for 2,000 trials, 2,000 sequences.
  it.each([0.05, 0.3])('false alarms stay ≤ alpha when θ = θ0 = %s, checked at every trial', (theta) => {
    const alpha = 0.05;
    const random = createRandom(20_250_101);
    let alarms = 0;
    const runs = 2_000;
    for (let run = 0; run < runs; run++) {
      let x = 0;
      for (let n = 1; n <= 2_000; n++) {
        if (random.next() < theta) x++;
        if (rejects(x, n, theta, 'greater', alpha)) {
          alarms++;
          break;
        }
      }
    }
    expect(alarms / runs).toBeLessThanOrEqual(alpha + 0.01);
  });

  it('a true effect is found', () => {
    const random = createRandom(7);
    let found = 0;
    for (let run = 0; run < 200; run++) {
      let x = 0;
      for (let n = 1; n <= 2_000; n++) {
        if (random.next() < 0.1) x++;
        if (rejects(x, n, 0.05, 'greater', 0.01)) {
          found++;
          break;
        }
      }
    }
    expect(found).toBeGreaterThanOrEqual(198);
  });
});
