import { describe, expect, it } from 'vitest';
import type { ResolvedMetric } from './analysis-template.js';
import { compileCondition } from './condition.js';
import { measure } from './measure.js';
import type { MetricProvider, Series } from './provider.js';
import { createRandom } from './statistics/random.js';
import { resolvedMetric as metric, TableProvider } from './testing/fixtures.js';
import { simpleBound, THRESHOLD_ALPHA } from './threshold-confidence.js';

const T0 = new Date('2025-01-01T00:00:00Z');
const NOW = new Date('2025-01-01T00:01:40Z'); // 100 s into the run

async function run(m: ResolvedMetric, answers: Record<string, readonly Series[]>, now = NOW) {
  const provider = new TableProvider(answers);
  return measure(m, { provider, arms: { canary: 'v2', baseline: 'v1' }, runStartedAt: T0, now });
}

const C = 'success_ratio{version="v2"}[100s]';
const B = 'success_ratio{version="v1"}[100s]';
/** A ratio of `samples` events; `labels` for dimensions. */
const ratio = (value: number, samples?: number, labels: Record<string, string> = {}): Series =>
  samples === undefined ? { labels, value } : { labels, value, samples };

/** A latency histogram of `n` events, lognormal with the given p95 (ms), in the builtin provider's form. */
function latency(p95: number, n: number, q = 0.95): Series {
  const bounds = [50, 100, 150, 200, 250, 300, 400, 500, 650, 800, 1_000, 2_000, Number.POSITIVE_INFINITY];
  const sigma = 0.5;
  const mu = Math.log(p95) - 1.6448536 * sigma;
  const cdf = (x: number) => (x === Number.POSITIVE_INFINITY ? 1 : normalCdf((Math.log(x) - mu) / sigma));
  const counts = bounds.map((b) => Math.round(n * cdf(b)));
  counts[counts.length - 1] = n;
  return { labels: {}, value: p95, samples: n, quantile: q, histogram: { bounds, counts } };
}

function normalCdf(z: number): number {
  // Abramowitz & Stegun 7.1.26.
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const poly =
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  const y = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

describe('simpleBound', () => {
  it.each([
    ['result >= 0.99', { op: '>=', value: 0.99 }],
    ['result > 0.5', { op: '>', value: 0.5 }],
    ['result <= 400', { op: '<=', value: 400 }],
    ['result < 120', { op: '<', value: 120 }],
    ['400 >= result', { op: '<=', value: 400 }],
    ['0.99 < result', { op: '>', value: 0.99 }],
    ['result[0] >= 0.95', { op: '>=', value: 0.95 }],
    ['result > 0.5 && result <= 400', undefined],
    ['result == 1', undefined],
    ['result >= result', undefined],
  ])('%s', (source, expected) => {
    expect(simpleBound(compileCondition(source))).toEqual(expected);
  });
});

describe('confident thresholds on ratios', () => {
  it('passes on the point value', async () => {
    const r = await run(metric(), { [C]: [ratio(0.995, 40)], [B]: [ratio(0.995, 4_000)] });
    expect(r.phase).toBe('success');
  });

  it('fails when the data show the violation with confidence, and says how sure', async () => {
    const r = await run(metric(), { [C]: [ratio(0.95, 2_000)], [B]: [ratio(0.995, 40_000)] });
    expect([r.phase, r.reason]).toEqual(['failure', undefined]);
    expect(r.message).toMatch(
      /^deposit-success: 95 % fails result >= 0\.99 \(at most 9\d(\.\d+)? % with 99 % confidence, 2,000 events\); baseline 99\.5 %$/,
    );
  });

  it('a point violation on few events is insufficientSamples with the events needed', async () => {
    // 3 failures in 200 deposits: 98.5 % < 99 %, but a true 99.5 % gives that about one time in twelve.
    const r = await run(metric(), { [C]: [ratio(0.985, 200)], [B]: [ratio(0.995, 4_000)] });
    expect([r.phase, r.reason]).toEqual(['inconclusive', 'insufficientSamples']);
    expect(r.message).toBe(
      'deposit-success: 98.5 % fails result >= 0.99, not yet with 99 % confidence (200 events); baseline 99.5 %',
    );
    // 200 events in 100 s: 2/s.
    expect(r.advice).toMatch(
      /^needs ~[\d,]+ more canary events \(~\d+ (s|min|h) at 2\/s\) to confirm it: raise the weight or lengthen the step$/,
    );
  });

  it('without samples (Prometheus, web) the point value decides', async () => {
    const r = await run(metric(), { [C]: [ratio(0.985)], [B]: [ratio(0.995)] });
    expect(r.phase).toBe('failure');
  });

  it('an upper bound: `result <= 0.02` fails only on confidently more than 2 %', async () => {
    const m = metric({ successCondition: 'result <= 0.02' });
    expect((await run(m, { [C]: [ratio(0.05, 2_000)] })).phase).toBe('failure');
    expect((await run(m, { [C]: [ratio(0.03, 100)] })).reason).toBe('insufficientSamples');
    expect((await run(m, { [C]: [ratio(0.01, 100)] })).phase).toBe('success');
  });

  it('a failure condition must hold with confidence: `result < 0.5` and `result > 0.2`', async () => {
    const below = metric({ successCondition: undefined, failureCondition: 'result < 0.5' });
    expect((await run(below, { [C]: [ratio(0.3, 200)] })).phase).toBe('failure');
    expect((await run(below, { [C]: [ratio(0.2, 5)] })).reason).toBe('insufficientSamples');
    expect((await run(below, { [C]: [ratio(0.6, 5)] })).phase).toBe('success');
    const above = metric({ successCondition: undefined, failureCondition: 'result > 0.2' });
    expect((await run(above, { [C]: [ratio(0.5, 500)] })).phase).toBe('failure');
    expect((await run(above, { [C]: [ratio(0.3, 20)] })).reason).toBe('insufficientSamples');
  });

  it('conditions that are not a simple bound keep point semantics', async () => {
    const m = metric({ successCondition: 'result >= 0.99 && result <= 1' });
    expect((await run(m, { [C]: [ratio(0.985, 200)] })).phase).toBe('failure');
  });

  it('a quantile series is never read as a ratio, whatever its value', async () => {
    // p95 0.45 s without a histogram: no evidence, the point value decides.
    const m = metric({ successCondition: 'result <= 0.4' });
    const p95 = { labels: {}, value: 0.45, samples: 20, quantile: 0.95 };
    expect((await run(m, { [C]: [p95] })).phase).toBe('failure');
  });
});

describe('confident thresholds on quantiles (histograms)', () => {
  const m = metric({
    name: 'p95',
    query: 'latency_p95{version="{{version}}"}[{{window}}]',
    successCondition: 'result <= 400',
  });
  const LC = 'latency_p95{version="v2"}[100s]';
  const LB = 'latency_p95{version="v1"}[100s]';

  it('fails a p95 confidently above the bound, with its lower bound', async () => {
    const r = await run(m, { [LC]: [latency(650, 500)], [LB]: [latency(300, 10_000)] });
    expect(r.phase).toBe('failure');
    expect(r.message).toMatch(
      /^p95: 650 fails result <= 400 \(at least \d+(\.\d+)? with 99 % confidence, 500 events\); baseline 300$/,
    );
  });

  it('a p95 above the bound on few events is insufficientSamples', async () => {
    const r = await run(m, { [LC]: [latency(450, 40)], [LB]: [latency(300, 10_000)] });
    expect([r.phase, r.reason]).toEqual(['inconclusive', 'insufficientSamples']);
    expect(r.advice).toMatch(/^needs ~[\d,]+ more canary events/);
  });

  it('passes a p95 under the bound', async () => {
    expect((await run(m, { [LC]: [latency(300, 30)] })).phase).toBe('success');
  });

  it('a lower bound on a quantile: `result >= 100` fails on a confidently faster p50', async () => {
    const p50 = metric({ query: m.query, successCondition: 'result >= 100' });
    const fast = (n: number) => ({ ...latency(60 * 2.27, n, 0.5), value: 60 }); // p50 ≈ 60 ms
    expect((await run(p50, { [LC]: [fast(1_000)] })).phase).toBe('failure');
    expect((await run(p50, { [LC]: [fast(4)] })).reason).toBe('insufficientSamples');
  });
});

describe('shared incidents and dimensions with confidence', () => {
  it('canary confidently failing and baseline failing: a shared incident', async () => {
    const r = await run(metric(), { [C]: [ratio(0.95, 2_000)], [B]: [ratio(0.96, 40_000)] });
    expect([r.phase, r.reason]).toEqual(['inconclusive', 'sharedIncident']);
  });

  it('canary not yet confident and baseline failing: a shared incident too', async () => {
    const r = await run(metric(), { [C]: [ratio(0.985, 200)], [B]: [ratio(0.97, 4_000)] });
    expect([r.phase, r.reason]).toEqual(['inconclusive', 'sharedIncident']);
    expect(r.message).toMatch(/both fail result >= 0\.99: a platform-wide incident, not the canary$/);
  });

  it('per dimension: one confident failure fails; otherwise the group needing most events is named', async () => {
    const m = metric({ dimension: 'psp' });
    const failing = await run(m, {
      [C]: [ratio(0.95, 2_000, { psp: 'A' }), ratio(0.985, 200, { psp: 'B' })],
      [B]: [ratio(0.995, 40_000, { psp: 'A' }), ratio(0.995, 4_000, { psp: 'B' })],
    });
    expect(failing.message).toMatch(/^deposit-success: psp=A 95 % fails/);
    expect(failing.phase).toBe('failure');
    const undecided = await run(m, {
      [C]: [ratio(0.989, 4_000, { psp: 'A' }), ratio(0.985, 200, { psp: 'B' }), ratio(1, 200, { psp: 'C' })],
      [B]: [ratio(0.995, 40_000, { psp: 'A' }), ratio(0.995, 4_000, { psp: 'B' })],
    });
    expect([undecided.phase, undecided.reason]).toEqual(['inconclusive', 'insufficientSamples']);
    // psp=A sits next to the bound: it needs far more deposits than B.
    expect(undecided.message).toMatch(/^deposit-success: psp=A 98\.9 % fails/);
  });
});

describe('false failures of a healthy canary checked every 10 s for an hour', () => {
  /**
   * A canary at 1 % of 100 deposits/s, measured every 10 s on everything since the run began (`[{{window}}]`).
   * Returns the share of one-hour runs with at least one failed measurement (no limits: the strictest count).
   */
  async function falseFailures(trueSuccess: number, runs: number, seed: number, withSamples: boolean) {
    const random = createRandom(seed);
    const m = metric({ query: 'success_ratio{version="v2"}[{{window}}]' });
    let failedRuns = 0;
    for (let r = 0; r < runs; r++) {
      let n = 0;
      let failures = 0;
      const provider: MetricProvider = {
        kind: 'builtin',
        query: async () => {
          if (n === 0) return { ok: true, series: [] };
          const value = (n - failures) / n;
          return {
            ok: true,
            series: [withSamples ? { labels: {}, value, samples: n } : { labels: {}, value }],
          };
        },
      };
      for (let look = 1; look <= 360; look++) {
        const events = random.poisson(10);
        n += events;
        failures += random.binomial(events, 1 - trueSuccess);
        const now = new Date(T0.getTime() + look * 10_000);
        const result = await measure(m, { provider, arms: { canary: 'v2' }, runStartedAt: T0, now });
        if (result.phase === 'failure') {
          failedRuns++;
          break;
        }
      }
    }
    return failedRuns / runs;
  }

  it('stays far below α at a true 99.5 % against a 99 % bound (point values fail most runs)', async () => {
    const confident = await falseFailures(0.995, 300, 11, true);
    expect(confident).toBeLessThanOrEqual(THRESHOLD_ALPHA);
    const point = await falseFailures(0.995, 100, 11, false);
    expect(point).toBeGreaterThan(0.5);
  }, 60_000);

  it('stays within α at the bound itself (a true 99 %): the anytime-valid guarantee', async () => {
    const rate = await falseFailures(0.99, 300, 12, true);
    // Ville's inequality: P(ever failing) ≤ α = 1 %; 300 runs allow some sampling noise.
    expect(rate).toBeLessThanOrEqual(2 * THRESHOLD_ALPHA);
  }, 60_000);
});
