import { describe, expect, it } from 'vitest';
import type { ComparisonSpec, ResolvedMetric } from './analysis-template.js';
import { measure } from './measure.js';
import type { MetricProvider, QueryResult, Series } from './provider.js';
import { TableProvider as FakeProvider, resolvedMetric as metric } from './testing/fixtures.js';

class ThrowingProvider implements MetricProvider {
  readonly kind = 'builtin' as const;
  async query(): Promise<QueryResult> {
    throw new Error('socket hang up');
  }
}

const T0 = new Date('2025-01-01T00:00:00Z');
const NOW = new Date('2025-01-01T00:01:35Z');

const one = (value: number | string | boolean, labels: Record<string, string> = {}): Series[] => [
  { labels, value },
];
const byPsp = (values: Record<string, number>): Series[] =>
  Object.entries(values).map(([psp, value]) => ({ labels: { psp }, value }));

async function run(
  m: ResolvedMetric,
  answers: Record<string, QueryResult | readonly Series[]>,
  baseline = 'v1',
) {
  const provider = new FakeProvider(answers);
  const result = await measure(m, { provider, arms: { canary: 'v2', baseline }, runStartedAt: T0, now: NOW });
  return { result, asked: provider.asked };
}

const C = 'success_ratio{version="v2"}[95s]';
const B = 'success_ratio{version="v1"}[95s]';

describe('threshold metrics', () => {
  const cases: [string, Partial<ResolvedMetric>, Record<string, QueryResult | Series[]>, string, string?][] =
    [
      ['passes', {}, { [C]: one(0.995), [B]: one(0.996) }, 'success'],
      ['fails, baseline fine', {}, { [C]: one(0.97), [B]: one(0.996) }, 'failure'],
      [
        'both fail: shared incident',
        {},
        { [C]: one(0.97), [B]: one(0.97) },
        'inconclusive',
        'sharedIncident',
      ],
      ['no series: noData', {}, {}, 'inconclusive', 'noData'],
      ['NaN (0/0): noData', {}, { [C]: one(Number.NaN) }, 'inconclusive', 'noData'],
      ['provider error', {}, { [C]: { ok: false, error: 'HTTP 503' } }, 'error', 'providerError'],
      [
        'baseline error with a failing canary',
        {},
        { [C]: one(0.9), [B]: { ok: false, error: 'x' } },
        'error',
        'providerError',
      ],
      [
        'baseline error with a passing canary',
        {},
        { [C]: one(0.999), [B]: { ok: false, error: 'x' } },
        'success',
      ],
      [
        'failure condition met',
        { successCondition: undefined, failureCondition: 'result < 0.95' },
        { [C]: one(0.9) },
        'failure',
      ],
      [
        'failure condition not met',
        { successCondition: undefined, failureCondition: 'result < 0.95' },
        { [C]: one(0.96) },
        'success',
      ],
      [
        'both conditions, neither decides',
        { failureCondition: 'result < 0.95' },
        { [C]: one(0.97) },
        'inconclusive',
      ],
      ['numeric string from a web provider', {}, { [C]: one('0.995') }, 'success'],
      [
        'condition that does not compile',
        { successCondition: 'result >=' },
        { [C]: one(1) },
        'error',
        'conditionError',
      ],
      ['Argo result[0] idiom', { successCondition: 'result[0] >= 0.99' }, { [C]: one(0.995) }, 'success'],
      ['no query', { query: undefined }, {}, 'error', 'conditionError'],
    ];
  it.each(cases)('%s', async (_name, over, answers, phase, reason) => {
    const { result } = await run(metric(over), answers);
    expect([result.phase, result.reason]).toEqual([phase, reason]);
    expect(result.at).toBe(NOW.toISOString());
  });

  it('substitutes {{version}} per arm and {{window}} as the time since the run began', async () => {
    const { asked } = await run(metric(), { [C]: one(1), [B]: one(1) });
    expect(asked.sort()).toEqual([C, B].sort());
  });

  it('measures once, for the canary, when the query has no {{version}}', async () => {
    const { asked, result } = await run(metric({ query: 'success_ratio{}[5m]' }), {
      'success_ratio{}[5m]': one(0.5),
    });
    expect([asked, result.phase]).toEqual([['success_ratio{}[5m]'], 'failure']);
  });

  it('names the metric, the figure and the condition', async () => {
    const { result } = await run(metric(), { [C]: one(0.971), [B]: one(0.996) });
    expect(result.message).toBe('deposit-success: 97.1 % fails result >= 0.99; baseline 99.6 %');
    expect(result.values).toEqual([
      { arm: 'canary', value: 0.971 },
      { arm: 'baseline', value: 0.996 },
    ]);
  });

  it('shows plain numbers for latency conditions', async () => {
    const m = metric({
      name: 'p95',
      query: 'latency_p95{version="{{version}}"}[1m]',
      successCondition: 'result <= 400',
    });
    const { result } = await run(m, { 'latency_p95{version="v2"}[1m]': one(652.31) });
    expect(result.message).toBe('p95: 652.3 fails result <= 400');
  });

  it('never throws, even when the provider does', async () => {
    const result = await measure(metric(), {
      provider: new ThrowingProvider(),
      arms: { canary: 'v2' },
      runStartedAt: T0,
      now: NOW,
    });
    expect([result.phase, result.reason, result.message]).toEqual([
      'error',
      'providerError',
      'deposit-success: measurement failed: socket hang up',
    ]);
  });
});

describe('per-dimension thresholds', () => {
  const m = metric({ name: 'deposit-success-by-psp', dimension: 'psp' });

  it('every value must pass; the worst failing one is named', async () => {
    const { result } = await run(m, {
      [C]: byPsp({ A: 0.999, B: 0.971, C: 0.985 }),
      [B]: byPsp({ A: 0.999, B: 0.998, C: 0.997 }),
    });
    expect(result.phase).toBe('failure');
    expect(result.message).toBe(
      'deposit-success-by-psp: psp=B 97.1 % fails result >= 0.99; baseline 99.8 % (and psp=C)',
    );
    expect(result.values).toContainEqual({ arm: 'canary', dimension: 'B', value: 0.971 });
  });

  it('a PSP outage on both arms is a shared incident, not the canary', async () => {
    const { result } = await run(m, {
      [C]: byPsp({ A: 0.999, B: 0.5 }),
      [B]: byPsp({ A: 0.999, B: 0.52 }),
    });
    expect([result.phase, result.reason]).toEqual(['inconclusive', 'sharedIncident']);
    expect(result.message).toBe(
      'deposit-success-by-psp: psp=B canary 50 % and baseline 52 % both fail result >= 0.99: a platform-wide incident, not the canary',
    );
  });

  it('a PSP outage plus a canary-only failure on another PSP is the canary', async () => {
    const { result } = await run(m, {
      [C]: byPsp({ A: 0.95, B: 0.5 }),
      [B]: byPsp({ A: 0.999, B: 0.52 }),
    });
    expect([result.phase, result.message]).toEqual([
      'failure',
      'deposit-success-by-psp: psp=A 95 % fails result >= 0.99; baseline 99.9 %',
    ]);
  });

  it('all passing names the worst', async () => {
    const { result } = await run(m, { [C]: byPsp({ A: 0.999, B: 0.995 }), [B]: byPsp({ A: 1, B: 1 }) });
    expect(result.message).toBe('deposit-success-by-psp: all 2 psp pass, worst psp=B 99.5 %');
  });
});

describe('comparison metrics', () => {
  const proportions: ComparisonSpec = {
    test: 'proportions',
    failures: 'failures{version="{{version}}"}[{{window}}]',
    total: 'requests{version="{{version}}"}[{{window}}]',
    tolerance: 0.25,
    alpha: 0.01,
  };
  const cmp = metric({
    name: 'deposit-errors',
    query: undefined,
    successCondition: undefined,
    comparison: proportions,
  });
  const counts = (cf: number, ct: number, bf: number, bt: number) => ({
    'failures{version="v2"}[95s]': one(cf),
    'requests{version="v2"}[95s]': one(ct),
    'failures{version="v1"}[95s]': one(bf),
    'requests{version="v1"}[95s]': one(bt),
  });

  it('fails a clearly worse canary, with evidence', async () => {
    const { result } = await run(cmp, counts(15, 475, 45, 9_025));
    expect(result.phase).toBe('failure');
    expect(result.message).toMatch(
      /^deposit-errors: canary fails 3.2 % of 475 vs baseline 0.5 % of 9,025 \(6.\d+×, at least \d\.\d+× with 99 % confidence; tolerance 1.25×\)$/,
    );
    expect(result.comparisons?.[0]).toMatchObject({ test: 'proportions', canary: { events: 475 } });
  });

  it('undecided with advice at the current canary rate', async () => {
    const { result } = await run(cmp, counts(5, 475, 45, 9_025));
    expect([result.phase, result.reason]).toEqual(['inconclusive', 'insufficientSamples']);
    expect(result.advice).toMatch(
      /^needs ~[\d,]+ more canary events \(~\d+ (s|min|h) at 5\/s\): raise the weight or lengthen the step$/,
    );
    expect(result.comparisons?.[0]?.neededEvents).toBeGreaterThan(0);
  });

  it('passes a canary confidently within tolerance', async () => {
    const { result } = await run(cmp, counts(1_000, 200_000, 19_000, 3_800_000));
    expect(result.phase).toBe('success');
  });

  it('no canary traffic yet is noData', async () => {
    const { result } = await run(cmp, counts(0, 0, 45, 9_025));
    expect([result.phase, result.reason]).toEqual(['inconclusive', 'noData']);
  });

  it('says so when the baseline has no data', async () => {
    const { result } = await run(cmp, {
      'failures{version="v2"}[95s]': one(3),
      'requests{version="v2"}[95s]': one(475),
    });
    expect([result.phase, result.reason, result.advice]).toEqual([
      'inconclusive',
      'insufficientSamples',
      'no data for the baseline (stable) version: check that the query matches it',
    ]);
  });

  it('needs a baseline', async () => {
    const provider = new FakeProvider({});
    const result = await measure(cmp, { provider, arms: { canary: 'v2' }, runStartedAt: T0, now: NOW });
    expect([result.phase, result.reason]).toEqual(['error', 'conditionError']);
  });

  it('compares every dimension value and names the failing one', async () => {
    const m = { ...cmp, dimension: 'psp' };
    const { result } = await run(m, {
      'failures{version="v2"}[95s]': byPsp({ A: 1, B: 20 }),
      'requests{version="v2"}[95s]': byPsp({ A: 250, B: 250 }),
      'failures{version="v1"}[95s]': byPsp({ A: 25, B: 25 }),
      'requests{version="v1"}[95s]': byPsp({ A: 5_000, B: 5_000 }),
    });
    expect(result.phase).toBe('failure');
    expect(result.message).toMatch(/^deposit-errors: psp=B canary fails 8 % of 250/);
    expect(result.comparisons?.map((c) => c.dimension)).toEqual(['A', 'B']);
  });

  it('latency from buckets: fails a slower canary and reports both quantiles', async () => {
    const latency: ComparisonSpec = {
      test: 'latency',
      buckets: 'latency_bucket{version="{{version}}"}[{{window}}]',
      quantile: 0.95,
      tolerance: 0.25,
      alpha: 0.01,
    };
    const hist = (counts: [string, number][]): Series[] =>
      counts.map(([le, value]) => ({ labels: { le }, value }));
    const { result } = await run(
      { ...cmp, name: 'deposit-latency', comparison: latency },
      {
        'latency_bucket{version="v2"}[95s]': hist([
          ['200', 100],
          ['300', 200],
          ['650', 380],
          ['1000', 500],
          ['+Inf', 500],
        ]),
        'latency_bucket{version="v1"}[95s]': hist([
          ['200', 4_000],
          ['300', 9_500],
          ['650', 9_950],
          ['1000', 10_000],
          ['+Inf', 10_000],
        ]),
      },
    );
    expect(result.phase).toBe('failure');
    expect(result.message).toMatch(/^deposit-latency: canary p95 \d+(\.\d+)? vs baseline 300 \(/);
    expect(result.comparisons?.[0]?.test).toBe('latency');
  });
});
