import type { CompiledExpression } from '@pitboss/engine';
import { formatPromDuration } from '../rollouts/duration.js';
import type { ResolvedMetric } from './analysis-template.js';
import { compileCondition } from './condition.js';
import { measureComparison } from './measure-comparison.js';
import {
  formatValue,
  groupLabel,
  groupSeries,
  isRatioCondition,
  toNumber,
  usesVersion,
  worseDirection,
} from './measure-format.js';
import { type MeasureContext, queryArms } from './measure-query.js';
import type { ArmValue, Measurement, MeasurementPhase } from './measurement.js';
import type { Series } from './provider.js';

export type { MeasureContext } from './measure-query.js';

/**
 * Takes one measurement of a metric: runs its query (per arm when it names `{{version}}`) and judges the answer
 * (the plan's "Threshold metric" and "Comparison metric" rules). Never throws: a provider failure is an `error`
 * measurement, no series is `inconclusive`/`noData`, and a condition that cannot be evaluated is `conditionError`.
 */
export async function measure(metric: ResolvedMetric, ctx: MeasureContext): Promise<Measurement> {
  const at = ctx.now.toISOString();
  try {
    const window = formatPromDuration(ctx.now.getTime() - ctx.runStartedAt.getTime());
    if (metric.comparison !== undefined)
      return await measureComparison(metric, metric.comparison, ctx, window);
    return await measureThreshold(metric, ctx, window);
  } catch (e) {
    // A provider must not throw, but a broken one must not stop the analysis either.
    const reason = e instanceof Error ? e.message : String(e);
    return {
      at,
      phase: 'error',
      reason: 'providerError',
      message: `${metric.name}: measurement failed: ${reason}`,
    };
  }
}

// Conditions are compiled once per source text: a run measures the same few conditions thousands of times.
const compiled = new Map<string, CompiledExpression>();

function condition(source: string): CompiledExpression {
  let c = compiled.get(source);
  if (c === undefined) {
    if (compiled.size >= 1_000) compiled.clear();
    c = compileCondition(source);
    compiled.set(source, c);
  }
  return c;
}

type Outcome = 'success' | 'failure' | 'inconclusive';

interface Judged {
  readonly key: string;
  readonly value: number | string | boolean;
  readonly outcome: Outcome;
  /** The condition that decided, as written, with how: `fails result >= 0.99`. */
  readonly because: string;
}

async function measureThreshold(
  metric: ResolvedMetric,
  ctx: MeasureContext,
  window: string,
): Promise<Measurement> {
  const at = ctx.now.toISOString();
  const fail = (phase: MeasurementPhase, reason: Measurement['reason'], message: string): Measurement => ({
    at,
    phase,
    reason,
    message: `${metric.name}: ${message}`,
  });
  if (metric.query === undefined) return fail('error', 'conditionError', 'no query to measure');
  const success = metric.successCondition === undefined ? undefined : condition(metric.successCondition);
  const failure = metric.failureCondition === undefined ? undefined : condition(metric.failureCondition);
  for (const c of [success, failure]) {
    if (c !== undefined && c.predicate === undefined) {
      const why = c.diagnostics.map((d) => d.message).join('; ');
      return fail('error', 'conditionError', `condition '${c.source}' does not compile: ${why}`);
    }
  }
  const answers = await queryArms(metric.query, ctx, window, metric, usesVersion(metric.query));
  if (!answers.canary.ok)
    return fail('error', 'providerError', `provider error for the canary: ${answers.canary.error}`);

  const judge = (series: readonly Series[]) => judgeGroups(metric, series, success, failure);
  const canary = judge(answers.canary.series);
  if (canary.length === 0)
    return fail('inconclusive', 'noData', 'no data for the canary yet (no traffic, or no series matches)');
  const baselineAnswer = answers.baseline;
  const baseline = baselineAnswer?.ok ? judge(baselineAnswer.series) : undefined;
  const values: ArmValue[] = [
    ...armValues('canary', canary, metric),
    ...armValues('baseline', baseline ?? [], metric),
  ];
  const asRatio = isRatioCondition(metric.successCondition, metric.failureCondition);
  const label = (j: Judged) => groupLabel(metric.dimension, j.key, canary.length);
  const show = (j: Judged) => `${label(j)}${formatValue(j.value, asRatio)}`;

  const failing = orderWorstFirst(
    canary.filter((j) => j.outcome === 'failure'),
    metric,
  );
  if (failing.length > 0) {
    if (baselineAnswer !== undefined && !baselineAnswer.ok) {
      const message = `provider error for the baseline: ${baselineAnswer.error}`;
      return { ...fail('error', 'providerError', message), values };
    }
    return { ...blame(metric.name, failing, baseline, { label, show, asRatio }), at, values };
  }
  const undecided = canary.find((j) => j.outcome === 'inconclusive');
  if (undecided !== undefined) {
    return {
      at,
      phase: 'inconclusive',
      message: `${metric.name}: ${show(undecided)} ${undecided.because}`,
      values,
    };
  }
  const worst = orderWorstFirst(canary, metric)[0]!;
  const summary =
    canary.length > 1
      ? `all ${canary.length} ${metric.dimension ?? 'series'} pass, worst ${show(worst)}`
      : `${show(worst)} ${worst.because}`;
  return { at, phase: 'success', message: `${metric.name}: ${summary}`, values };
}

interface Shown {
  readonly label: (j: Judged) => string;
  readonly show: (j: Judged) => string;
  readonly asRatio: boolean;
}

/**
 * A failing canary: a failure, unless the baseline fails the same condition for every failing group — then a
 * platform-wide incident (`sharedIncident`), which pauses the rollout instead of rolling it back.
 */
function blame(
  name: string,
  failing: readonly Judged[],
  baseline: readonly Judged[] | undefined,
  { label, show, asRatio }: Shown,
): Omit<Measurement, 'at'> {
  const baseOf = (j: Judged) => baseline?.find((b) => b.key === j.key);
  const own = failing.filter((j) => baseOf(j)?.outcome !== 'failure');
  if (own.length === 0) {
    const j = failing[0]!;
    const both = `canary ${formatValue(j.value, asRatio)} and baseline ${formatValue(baseOf(j)!.value, asRatio)}`;
    // `fails result >= 0.99` → `both fail result >= 0.99`.
    const verb = j.because.replace(/^fails /, 'fail ').replace(/^meets /, 'meet ');
    return {
      phase: 'inconclusive',
      reason: 'sharedIncident',
      message: `${name}: ${label(j)}${both} both ${verb}: a platform-wide incident, not the canary`,
    };
  }
  const worst = own[0]!;
  const b = baseOf(worst);
  const others = own.slice(1).map((j) => label(j).trim() || show(j));
  const more = others.length > 0 ? ` (and ${others.join(', ')})` : '';
  const vs = b === undefined ? '' : `; baseline ${formatValue(b.value, asRatio)}`;
  return { phase: 'failure', message: `${name}: ${show(worst)} ${worst.because}${vs}${more}` };
}

/** One judged value per group; NaN series (Prometheus' 0/0 without traffic) count as no data. */
function judgeGroups(
  metric: ResolvedMetric,
  series: readonly Series[],
  success: CompiledExpression | undefined,
  failure: CompiledExpression | undefined,
): Judged[] {
  const out: Judged[] = [];
  for (const [key, group] of groupSeries(series, metric.dimension)) {
    for (const s of group) {
      const value = typeof s.value === 'string' ? (toNumber(s.value) ?? s.value) : s.value;
      if (typeof value === 'number' && Number.isNaN(value)) continue;
      out.push({ key, value, ...decide(value, success, failure) });
    }
  }
  return out;
}

/** Argo's rules: failure condition first; with both conditions, neither true is inconclusive. */
function decide(
  value: number | string | boolean,
  success: CompiledExpression | undefined,
  failure: CompiledExpression | undefined,
): { outcome: Outcome; because: string } {
  const ctx = { result: value };
  if (failure !== undefined && failure.predicate!(ctx))
    return { outcome: 'failure', because: `meets ${failure.source}` };
  if (success === undefined) {
    return failure === undefined
      ? { outcome: 'success', because: 'measured' }
      : { outcome: 'success', because: `does not meet ${failure.source}` };
  }
  if (success.predicate!(ctx)) return { outcome: 'success', because: `passes ${success.source}` };
  if (failure === undefined) return { outcome: 'failure', because: `fails ${success.source}` };
  return { outcome: 'inconclusive', because: `fails ${success.source} without meeting ${failure.source}` };
}

/** The worst value first, when the condition says which way is worse; otherwise the provider's order. */
function orderWorstFirst(judged: readonly Judged[], metric: ResolvedMetric): Judged[] {
  const fromSuccess = worseDirection(metric.successCondition);
  const fromFailure = worseDirection(metric.failureCondition);
  const direction =
    fromSuccess ?? (fromFailure === 'lower' ? 'higher' : fromFailure === 'higher' ? 'lower' : undefined);
  if (direction === undefined) return [...judged];
  const sign = direction === 'lower' ? 1 : -1;
  return [...judged].sort((a, b) => {
    const x = typeof a.value === 'number' ? a.value : Number.NaN;
    const y = typeof b.value === 'number' ? b.value : Number.NaN;
    if (Number.isNaN(x) || Number.isNaN(y)) return 0;
    return sign * (x - y);
  });
}

function armValues(
  arm: 'canary' | 'baseline',
  judged: readonly Judged[],
  metric: ResolvedMetric,
): ArmValue[] {
  return judged.map((j) =>
    metric.dimension === undefined ? { arm, value: j.value } : { arm, dimension: j.key, value: j.value },
  );
}
