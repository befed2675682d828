import { describe, expect, it } from 'vitest';
import type { Bucket } from './histogram.js';
import { quantile, toHistogram, valueAtRank } from './histogram.js';
import { compareLatency, latencyVerdict, quantileBounds } from './latency.js';
import { createRandom, type Random } from './random.js';

/** The builtin provider's bounds around the interesting range (ms), then +Inf. */
const BOUNDS = [50, 100, 120, 150, 200, 250, 300, 400, 500, 650, 800, 1_000, 1_200, 1_500, 2_000, 5_000];

/** Cumulative buckets of `n` lognormal latencies with the given p95 (σ = 0.5). */
function sample(random: Random, n: number, p95: number, into = new Array<number>(BOUNDS.length + 1).fill(0)) {
  const mu = Math.log(p95) - 1.645 * 0.5;
  for (let i = 0; i < n; i++) {
    const v = random.lognormal(mu, 0.5);
    let b = BOUNDS.findIndex((le) => v <= le);
    if (b === -1) b = BOUNDS.length;
    into[b]!++;
  }
  return into;
}

function cumulative(perBucket: readonly number[]): Bucket[] {
  let sum = 0;
  return perBucket.map((c, i) => {
    sum += c;
    return { le: i < BOUNDS.length ? BOUNDS[i]! : Number.POSITIVE_INFINITY, count: sum };
  });
}

describe('histogram', () => {
  const h = toHistogram([
    { le: Number.POSITIVE_INFINITY, count: 100 },
    { le: 100, count: 50 },
    { le: 200, count: 90 },
    { le: 200, count: 0 }, // a second instance with no traffic
  ]);
  const cases: [string, number, number][] = [
    ['median at the first bound', 0.5, 100],
    ['interpolated inside a bucket', 0.7, 150],
    ['first bucket starts at 0', 0.25, 50],
    ['in +Inf: the highest finite bound', 0.95, 200],
  ];
  it.each(cases)('%s', (_name, q, value) => {
    expect(quantile(h, q)).toBeCloseTo(value, 9);
  });
  it('an upper bound in +Inf is infinite', () => {
    expect(valueAtRank(h, 95, 'infinite')).toBe(Number.POSITIVE_INFINITY);
  });
  it('repairs counts that go down and has no quantile without events', () => {
    const odd = toHistogram([
      { le: 100, count: 10 },
      { le: 200, count: 8 },
    ]);
    expect(odd.buckets.map((b) => b.count)).toEqual([10, 10]);
    expect(quantile(toHistogram([]), 0.5)).toBeNaN();
  });
});

describe('quantileBounds', () => {
  it('bracket the estimate and narrow with data', () => {
    const random = createRandom(3);
    const small = toHistogram(cumulative(sample(random, 200, 300)));
    const large = toHistogram(cumulative(sample(random, 20_000, 300)));
    for (const h of [small, large]) {
      const b = quantileBounds(h, 0.95, 0.01);
      expect(b.lower).toBeLessThanOrEqual(quantile(h, 0.95));
      expect(b.upper).toBeGreaterThanOrEqual(quantile(h, 0.95));
    }
    const width = (h: ReturnType<typeof toHistogram>) => {
      const b = quantileBounds(h, 0.95, 0.01);
      return b.upper - b.lower;
    };
    expect(width(large)).toBeLessThan(width(small));
  });
});

describe('compareLatency', () => {
  const random = createRandom(11);
  const base = cumulative(sample(random, 9_500, 300));
  const cases: [string, number, number, 'fail' | 'pass' | 'undecided'][] = [
    ['p95 300 → 650 ms, 500 canary requests', 500, 650, 'fail'],
    ['same distribution, 5,000 canary requests', 5_000, 300, 'pass'],
    ['same distribution, 20 canary requests', 20, 300, 'undecided'],
    ['20 % faster, 5,000 canary requests', 5_000, 240, 'pass'],
    ['10 % slower, 200 canary requests', 200, 330, 'undecided'],
  ];
  it.each(cases)('%s', (_name, n, p95, verdict) => {
    const canary = cumulative(sample(createRandom(n + p95), n, p95));
    const r = compareLatency({ canary, baseline: base, quantile: 0.95, tolerance: 0.25, alpha: 0.01 });
    expect(r.verdict).toBe(verdict);
    expect(latencyVerdict({ canary, baseline: base, quantile: 0.95, tolerance: 0.25, alpha: 0.01 })).toBe(
      verdict,
    );
  });

  it('reports both quantiles and a ratio', () => {
    const canary = cumulative(sample(createRandom(5), 500, 650));
    const r = compareLatency({ canary, baseline: base, quantile: 0.95, tolerance: 0.25, alpha: 0.01 });
    expect(r.baseline.value).toBeGreaterThan(250);
    expect(r.baseline.value).toBeLessThan(350);
    expect(r.canary.value).toBeGreaterThan(550);
    expect(r.ratio).toBeCloseTo(r.canary.value / r.baseline.value, 9);
    expect(r.lower).toBeGreaterThan(1.25);
  });

  it('a slowdown of both arms is not the canary', () => {
    const canary = cumulative(sample(createRandom(6), 2_000, 650));
    const baseline = cumulative(sample(createRandom(7), 38_000, 650));
    expect(
      compareLatency({ canary, baseline, quantile: 0.95, tolerance: 0.25, alpha: 0.01 }).verdict,
    ).not.toBe('fail');
  });

  it('estimates the canary requests needed when undecided', () => {
    const canary = cumulative(sample(createRandom(8), 30, 450));
    const r = compareLatency({ canary, baseline: base, quantile: 0.95, tolerance: 0.25, alpha: 0.01 });
    expect(r.verdict).toBe('undecided');
    expect(r.neededEvents).toBeGreaterThan(0);
  });

  it('no events in an arm is undecided', () => {
    expect(
      compareLatency({ canary: [], baseline: base, quantile: 0.95, tolerance: 0.25, alpha: 0.01 }).verdict,
    ).toBe('undecided');
  });
});

describe('anytime validity (seeded simulation)', () => {
  // Identical distributions, tolerance 0 (the boundary of the null), 25 % of 20 requests/s, checked every second.
  it('false alarms ≤ alpha over 600 looks', () => {
    const alpha = 0.05;
    let alarms = 0;
    const runs = 1_000;
    for (let run = 0; run < runs; run++) {
      const random = createRandom(100 + run);
      const c = new Array<number>(BOUNDS.length + 1).fill(0);
      const b = new Array<number>(BOUNDS.length + 1).fill(0);
      for (let t = 1; t <= 600; t++) {
        const nc = random.binomial(20, 0.25);
        sample(random, nc, 300, c);
        sample(random, 20 - nc, 300, b);
        const v = latencyVerdict({
          canary: cumulative(c),
          baseline: cumulative(b),
          quantile: 0.95,
          tolerance: 0,
          alpha,
        });
        if (v === 'fail') {
          alarms++;
          break;
        }
      }
    }
    expect(alarms / runs).toBeLessThanOrEqual(alpha + 0.015);
  });
});
