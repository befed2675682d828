import type { ComparisonSpec, ResolvedMetric } from './analysis-template.js';
import {
  formatDuration,
  formatNumber,
  formatPercent,
  formatRatio,
  groupLabel,
  roundNicely,
  toNumber,
} from './measure-format.js';
import { type MeasureContext, queryArms } from './measure-query.js';
import type { ComparisonEvidence, Measurement } from './measurement.js';
import type { Series } from './provider.js';
import type { ComparisonResult } from './statistics/comparison-result.js';
import type { Bucket } from './statistics/histogram.js';
import { compareLatency } from './statistics/latency.js';
import { compareProportions } from './statistics/proportions.js';

interface Compared {
  readonly key: string;
  readonly result: ComparisonResult;
}

/**
 * A baseline-vs-canary comparison (analysis/statistics): every query runs once per arm, each dimension value is
 * compared on its own, any confident failure fails the measurement, all confident passes pass it, and anything
 * else is `insufficientSamples` with advice on how to reach a verdict.
 */
export async function measureComparison(
  metric: ResolvedMetric,
  spec: ComparisonSpec,
  ctx: MeasureContext,
  window: string,
): Promise<Measurement> {
  const at = ctx.now.toISOString();
  const say = (phase: Measurement['phase'], reason: Measurement['reason'], message: string): Measurement => ({
    at,
    phase,
    reason,
    message: `${metric.name}: ${message}`,
  });
  if (ctx.arms.baseline === undefined)
    return say('error', 'conditionError', 'a comparison needs a baseline version');

  const queries = spec.test === 'proportions' ? [spec.failures, spec.total] : [spec.buckets];
  const answers = await Promise.all(queries.map((q) => queryArms(q, ctx, window, metric, true)));
  const series: { canary: readonly Series[]; baseline: readonly Series[] }[] = [];
  for (const a of answers) {
    if (!a.canary.ok)
      return say('error', 'providerError', `provider error for the canary: ${a.canary.error}`);
    if (a.baseline !== undefined && !a.baseline.ok) {
      return say('error', 'providerError', `provider error for the baseline: ${a.baseline.error}`);
    }
    series.push({ canary: a.canary.series, baseline: a.baseline?.series ?? [] });
  }

  const compared =
    spec.test === 'proportions'
      ? compareProportionGroups(metric, spec, series[0]!, series[1]!)
      : compareLatencyGroups(metric, spec, series[0]!);
  if (compared.length === 0 || compared.every((c) => c.result.canary.events === 0)) {
    return say('inconclusive', 'noData', 'no data for the canary yet (no traffic, or no series matches)');
  }
  const comparisons: ComparisonEvidence[] = compared.map(({ key, result }) => {
    const { verdict: _verdict, ...figures } = result;
    return metric.dimension === undefined
      ? { test: spec.test, ...figures }
      : { test: spec.test, dimension: key, ...figures };
  });
  const describe = (c: Compared) =>
    `${groupLabel(metric.dimension, c.key, compared.length)}${figures(spec, c.result)}`;

  const failing = compared
    .filter((c) => c.result.verdict === 'fail')
    .sort((a, b) => b.result.lower - a.result.lower);
  if (failing.length > 0) return { ...say('failure', undefined, describe(failing[0]!)), comparisons };
  const undecided = compared
    .filter((c) => c.result.verdict === 'undecided')
    .sort((a, b) => (b.result.neededEvents ?? Infinity) - (a.result.neededEvents ?? Infinity));
  if (undecided.length === 0) {
    const worst = [...compared].sort((a, b) => b.result.upper - a.result.upper)[0]!;
    return { ...say('success', undefined, describe(worst)), comparisons };
  }
  const slowest = undecided[0]!;
  const elapsedS = Math.max(1, (ctx.now.getTime() - ctx.runStartedAt.getTime()) / 1000);
  const canaryEvents = compared.reduce((n, c) => n + c.result.canary.events, 0);
  return {
    ...say('inconclusive', 'insufficientSamples', `undecided: ${describe(slowest)}`),
    advice: advice(slowest.result, canaryEvents / elapsedS),
    comparisons,
  };
}

function compareProportionGroups(
  metric: ResolvedMetric,
  spec: Extract<ComparisonSpec, { test: 'proportions' }>,
  failures: { canary: readonly Series[]; baseline: readonly Series[] },
  totals: { canary: readonly Series[]; baseline: readonly Series[] },
): Compared[] {
  const dim = metric.dimension;
  const ct = sumsBy(totals.canary, dim);
  const cf = sumsBy(failures.canary, dim);
  const bt = sumsBy(totals.baseline, dim);
  const bf = sumsBy(failures.baseline, dim);
  return [...ct.keys()].sort().map((key) => ({
    key,
    result: compareProportions({
      canary: { events: ct.get(key) ?? 0, failures: cf.get(key) ?? 0 },
      baseline: { events: bt.get(key) ?? 0, failures: bf.get(key) ?? 0 },
      tolerance: spec.tolerance,
      alpha: spec.alpha,
    }),
  }));
}

/** Values summed per dimension value; without a dimension every series sums into the one group ''. */
function sumsBy(series: readonly Series[], dimension: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of series) {
    const v = toNumber(s.value);
    if (v === undefined) continue;
    const key = dimension === undefined ? '' : (s.labels[dimension] ?? '');
    out.set(key, (out.get(key) ?? 0) + v);
  }
  return out;
}

function compareLatencyGroups(
  metric: ResolvedMetric,
  spec: Extract<ComparisonSpec, { test: 'latency' }>,
  buckets: { canary: readonly Series[]; baseline: readonly Series[] },
): Compared[] {
  const canary = bucketsBy(buckets.canary, metric.dimension);
  const baseline = bucketsBy(buckets.baseline, metric.dimension);
  return [...canary.keys()].sort().map((key) => ({
    key,
    result: compareLatency({
      canary: canary.get(key)!,
      baseline: baseline.get(key) ?? [],
      quantile: spec.quantile,
      tolerance: spec.tolerance,
      alpha: spec.alpha,
    }),
  }));
}

/** `le`-labelled series as cumulative buckets per dimension value (toHistogram sorts and merges them). */
function bucketsBy(series: readonly Series[], dimension: string | undefined): Map<string, Bucket[]> {
  const out = new Map<string, Bucket[]>();
  for (const s of series) {
    const le = parseLe(s.labels.le);
    const count = toNumber(s.value);
    if (le === undefined || count === undefined) continue;
    const key = dimension === undefined ? '' : (s.labels[dimension] ?? '');
    let list = out.get(key);
    if (list === undefined) {
      list = [];
      out.set(key, list);
    }
    list.push({ le, count });
  }
  return out;
}

const LE_CACHE = new Map<string, number>();

function parseLe(le: string | undefined): number | undefined {
  if (le === undefined) return undefined;
  let n = LE_CACHE.get(le);
  if (n === undefined) {
    n = /^\+?inf$/i.test(le) ? Number.POSITIVE_INFINITY : Number(le);
    if (Number.isNaN(n) || le.trim() === '') return undefined;
    if (LE_CACHE.size < 10_000) LE_CACHE.set(le, n);
  }
  return n;
}

/** `canary fails 3 % vs baseline 0.49 % (6.1×, at least 3.2× with 99 % confidence; tolerance 1.25×)`. */
function figures(spec: ComparisonSpec, r: ComparisonResult): string {
  const confidence = formatPercent(1 - spec.alpha);
  const tolerance = `tolerance ${formatRatio(1 + spec.tolerance)}`;
  const arms =
    spec.test === 'proportions'
      ? `canary fails ${formatPercent(r.canary.value)} of ${formatNumber(r.canary.events)} vs baseline ${formatPercent(r.baseline.value)} of ${formatNumber(r.baseline.events)}`
      : `canary p${formatNumber(spec.quantile * 100)} ${formatNumber(r.canary.value)} vs baseline ${formatNumber(r.baseline.value)}`;
  const bound =
    r.verdict === 'fail'
      ? `at least ${formatRatio(r.lower)}`
      : r.verdict === 'pass'
        ? `at most ${formatRatio(r.upper)}`
        : `between ${formatRatio(r.lower)} and ${formatRatio(r.upper)}`;
  return `${arms} (${formatRatio(r.ratio)}, ${bound} with ${confidence} confidence; ${tolerance})`;
}

/** `needs ~2,400 more canary events (~13 min at 3.1/s): raise the weight or lengthen the step`. */
function advice(r: ComparisonResult, canaryRate: number): string {
  const remedy = 'raise the weight or lengthen the step';
  if (r.baseline.events === 0)
    return 'no data for the baseline (stable) version: check that the query matches it';
  if (r.neededEvents === undefined) {
    return r.canary.events === 0
      ? `no canary events yet: ${remedy}`
      : `no verdict in sight at the current difference: ${remedy}`;
  }
  const events = Math.max(1, r.neededEvents);
  const time =
    canaryRate > 0
      ? ` (~${formatDuration(events / canaryRate)} at ${formatNumber(Number(canaryRate.toFixed(1)))}/s)`
      : '';
  return `needs ~${formatNumber(roundNicely(events))} more canary events${time}: ${remedy}`;
}
