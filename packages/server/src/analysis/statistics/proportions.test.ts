import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareProportions, proportionsVerdict } from './proportions.js';
import { createRandom } from './random.js';

const arm = (events: number, failures: number) => ({ events, failures });

describe('compareProportions', () => {
  const cases: [string, [number, number], [number, number], 'fail' | 'pass' | 'undecided'][] = [
    ['99.5 % → 97 % on a 5 % canary after a minute', [300, 9], [5_700, 28], 'fail'],
    ['same rates, little data', [300, 2], [5_700, 28], 'undecided'],
    ['same rates, a lot of data', [200_000, 1_000], [3_800_000, 19_000], 'pass'],
    ['canary clean, baseline failing', [20_000, 0], [380_000, 1_900], 'pass'],
    ['no failures anywhere', [10_000, 0], [190_000, 0], 'undecided'],
    ['no canary events', [0, 0], [5_700, 28], 'undecided'],
    ['no baseline events', [300, 9], [0, 0], 'undecided'],
    ['shared incident: both at 97 %', [3_000, 90], [57_000, 1_710], 'undecided'],
    ['2× worse, far beyond 1.25×, enough data', [60_000, 600], [1_140_000, 5_700], 'fail'],
    ['failures above events are clamped', [10, 50], [1_000, 5], 'fail'],
  ];
  it.each(cases)('%s', (_name, [nc, xc], [nb, xb], verdict) => {
    const r = compareProportions({
      canary: arm(nc, xc),
      baseline: arm(nb, xb),
      tolerance: 0.25,
      alpha: 0.01,
    });
    expect(r.verdict).toBe(verdict);
    expect(
      proportionsVerdict({ canary: arm(nc, xc), baseline: arm(nb, xb), tolerance: 0.25, alpha: 0.01 }),
    ).toBe(verdict);
  });

  it('reports rates, the ratio and its bounds', () => {
    const r = compareProportions({
      canary: arm(300, 9),
      baseline: arm(5_700, 28),
      tolerance: 0.25,
      alpha: 0.01,
    });
    expect(r.canary).toEqual({ events: 300, value: 0.03 });
    expect(r.baseline.value).toBeCloseTo(28 / 5_700, 6);
    expect(r.ratio).toBeCloseTo(9.5 / 300 / (28.5 / 5_700), 6);
    expect(r.lower).toBeGreaterThan(1.25);
    expect(r.upper).toBeGreaterThan(r.ratio);
    expect(r.neededEvents).toBeUndefined();
  });

  it('estimates the canary events still needed when undecided', () => {
    // 2× worse but only 1,000 canary events: decidable with more of the same.
    const r = compareProportions({
      canary: arm(1_000, 10),
      baseline: arm(19_000, 95),
      tolerance: 0.25,
      alpha: 0.01,
    });
    expect(r.verdict).toBe('undecided');
    expect(r.neededEvents).toBeGreaterThan(1_000);
    const more = (r.neededEvents! + 1_000) / 1_000;
    const later = compareProportions({
      canary: arm(1_000 * more * 1.05, 10 * more * 1.05),
      baseline: arm(19_000 * more * 1.05, 95 * more * 1.05),
      tolerance: 0.25,
      alpha: 0.01,
    });
    expect(later.verdict).toBe('fail');
  });

  it('bounds agree with the verdict and stay finite', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (nc, nb, pc, pb) => {
          const r = compareProportions({
            canary: arm(nc, Math.round(nc * pc)),
            baseline: arm(nb, Math.round(nb * pb)),
            tolerance: 0.25,
            alpha: 0.01,
          });
          expect(Number.isFinite(r.lower) && Number.isFinite(r.upper) && Number.isFinite(r.ratio)).toBe(true);
          expect(r.lower).toBeLessThanOrEqual(r.upper);
          if (r.verdict === 'fail') expect(r.lower).toBeGreaterThanOrEqual(1.25 * (1 - 1e-6));
          if (r.verdict === 'pass') expect(r.upper).toBeLessThanOrEqual(1.25 * (1 + 1e-6));
        },
      ),
    );
  });
});

/** One second of 100 events/s split by `weight`, failures Poisson per arm; the verdict checked every second. */
function simulate(seed: number, weight: number, pc: number, pb: number, seconds: number, tolerance: number) {
  const random = createRandom(seed);
  let nc = 0;
  let nb = 0;
  let xc = 0;
  let xb = 0;
  for (let t = 1; t <= seconds; t++) {
    const c = random.binomial(100, weight);
    nc += c;
    nb += 100 - c;
    xc += random.poisson(c * pc);
    xb += random.poisson((100 - c) * pb);
    const v = proportionsVerdict({ canary: arm(nc, xc), baseline: arm(nb, xb), tolerance, alpha: 0.01 });
    if (v !== 'undecided') return { verdict: v, at: t };
  }
  return { verdict: 'undecided' as const, at: seconds };
}

describe('anytime validity under continuous monitoring (seeded simulation)', () => {
  it('false alarms ≤ alpha at the boundary of the null (ρ = 1 + tolerance), checked every second', () => {
    // Canary fails exactly 1.25× as often as the baseline: the hardest case for "fail".
    let alarms = 0;
    for (let run = 0; run < 2_000; run++) {
      if (simulate(1_000 + run, 0.05, 0.0125, 0.01, 900, 0.25).verdict === 'fail') alarms++;
    }
    expect(alarms / 2_000).toBeLessThanOrEqual(0.01 + 0.005);
  });

  it('never fails a healthy canary of one hour (identical rates), 200 runs at 25 %', () => {
    let alarms = 0;
    for (let run = 0; run < 200; run++) {
      if (simulate(50_000 + run, 0.25, 0.005, 0.005, 3_600, 0.25).verdict === 'fail') alarms++;
    }
    expect(alarms).toBeLessThanOrEqual(2);
  });

  it('fails a 99.5 % → 97 % canary at 5 % within minutes, every time', () => {
    const times = Array.from({ length: 200 }, (_, run) =>
      simulate(9_000 + run, 0.05, 0.03, 0.005, 900, 0.25),
    );
    expect(times.every((r) => r.verdict === 'fail')).toBe(true);
    const sorted = times.map((r) => r.at).sort((a, b) => a - b);
    expect(sorted[100]).toBeLessThanOrEqual(90);
  });
});
