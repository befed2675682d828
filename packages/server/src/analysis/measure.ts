import type { CompiledExpression } from '@pitboss/engine';
import { formatPromDuration } from '../rollouts/duration.js';
import type { ResolvedMetric } from './analysis-template.js';
import { compileCondition } from './condition.js';
import { measureComparison } from './measure-comparison.js';
import {
  formatDuration,
  formatNumber,
  formatPercent,
  formatValue,
  groupLabel,
  groupSeries,
  isRatioCondition,
  roundNicely,
  toNumber,
  usesVersion,
  worseDirection,
} from './measure-format.js';
import { type MeasureContext, queryArms } from './measure-query.js';
import type { ArmValue, Measurement, MeasurementPhase } from './measurement.js';
import type { Series } from './provider.js';
import {
  applies,
  confidenceBound,
  confidently,
  type Evidence,
  eventsToConfirm,
  evidenceOf,
  holdsOn,
  opposite,
  type Side,
  simpleBound,
  THRESHOLD_ALPHA,
} from './threshold-confidence.js';

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

/**
 * `undecided`: the point value violates a simple bound but the events behind it do not show the violation with
 * confidence yet (threshold-confidence.ts) — never a pass or a failure.
 */
type Outcome = 'success' | 'failure' | 'inconclusive' | 'undecided';

interface Judged {
  readonly key: string;
  readonly value: number | string | boolean;
  readonly outcome: Outcome;
  /** The condition that decided, as written, with how: `fails result >= 0.99`. */
  readonly because: string;
  /** A confident verdict's figures: ` (at most 98.3 % with 99 % confidence, 2,400 events)`. */
  readonly evidence?: string;
  /** Undecided: the events behind the value, and how many more would confirm the violation. */
  readonly events?: number;
  readonly needed?: number;
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

  // The canary is judged with confidence when its series say how many events stand behind them; the baseline
  // on its point value (it has most of the traffic, and it only ever turns a failure into a shared incident).
  const asRatio = isRatioCondition(metric.successCondition, metric.failureCondition);
  const canary = judgeGroups(metric, answers.canary.series, success, failure, asRatio);
  if (canary.length === 0)
    return fail('inconclusive', 'noData', 'no data for the canary yet (no traffic, or no series matches)');
  const baselineAnswer = answers.baseline;
  const baseline = baselineAnswer?.ok
    ? judgeGroups(metric, baselineAnswer.series, success, failure, asRatio, false)
    : undefined;
  const values: ArmValue[] = [
    ...armValues('canary', canary, metric),
    ...armValues('baseline', baseline ?? [], metric),
  ];
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
  const neither = canary.find((j) => j.outcome === 'inconclusive');
  if (neither !== undefined) {
    return {
      at,
      phase: 'inconclusive',
      message: `${metric.name}: ${show(neither)} ${neither.because}`,
      values,
    };
  }
  const undecided = canary
    .filter((j) => j.outcome === 'undecided')
    .sort((a, b) => (b.needed ?? Number.POSITIVE_INFINITY) - (a.needed ?? Number.POSITIVE_INFINITY));
  if (undecided.length > 0) {
    const shown = { label, show, asRatio };
    const elapsedS = (ctx.now.getTime() - ctx.runStartedAt.getTime()) / 1000;
    // The event rate is known when the query counts from the start of the run.
    const cumulative = /\{\{\s*window\s*\}\}/.test(metric.query);
    return {
      ...notYet(metric.name, undecided, baseline, shown, cumulative ? elapsedS : undefined),
      at,
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
  if (own.length === 0) return sharedIncident(name, failing[0]!, baseOf(failing[0]!)!, label, asRatio);
  const worst = own[0]!;
  const b = baseOf(worst);
  const others = own.slice(1).map((j) => label(j).trim() || show(j));
  const more = others.length > 0 ? ` (and ${others.join(', ')})` : '';
  const vs = b === undefined ? '' : `; baseline ${formatValue(b.value, asRatio)}`;
  return {
    phase: 'failure',
    message: `${name}: ${show(worst)} ${worst.because}${worst.evidence ?? ''}${vs}${more}`,
  };
}

/** Canary and baseline both violate the condition: a platform-wide incident, never the canary's fault. */
function sharedIncident(
  name: string,
  j: Judged,
  baseline: Judged,
  label: Shown['label'],
  asRatio: boolean,
): Omit<Measurement, 'at'> {
  const both = `canary ${formatValue(j.value, asRatio)} and baseline ${formatValue(baseline.value, asRatio)}`;
  // `fails result >= 0.99` → `both fail result >= 0.99`.
  const verb = j.because.replace(/^fails /, 'fail ').replace(/^meets /, 'meet ');
  return {
    phase: 'inconclusive',
    reason: 'sharedIncident',
    message: `${name}: ${label(j)}${both} both ${verb}: a platform-wide incident, not the canary`,
  };
}

/**
 * Point values violate the bound but not confidently yet: `insufficientSamples` with advice — or a shared
 * incident when the baseline violates it too for every such group (a platform-wide incident shows on the
 * baseline first: it has most of the traffic).
 */
function notYet(
  name: string,
  undecided: readonly Judged[],
  baseline: readonly Judged[] | undefined,
  { label, show, asRatio }: Shown,
  elapsedS: number | undefined,
): Omit<Measurement, 'at'> {
  const baseOf = (j: Judged) => baseline?.find((b) => b.key === j.key);
  if (undecided.every((j) => baseOf(j)?.outcome === 'failure')) {
    return sharedIncident(name, undecided[0]!, baseOf(undecided[0]!)!, label, asRatio);
  }
  const j = undecided[0]!;
  const b = baseOf(j);
  const vs = b === undefined ? '' : `; baseline ${formatValue(b.value, asRatio)}`;
  const confidence = formatPercent(1 - THRESHOLD_ALPHA);
  const events = formatNumber(j.events ?? 0);
  const message = `${name}: ${show(j)} ${j.because}, not yet with ${confidence} confidence (${events} events)${vs}`;
  const remedy = 'raise the weight or lengthen the step';
  let advice = `no verdict in sight at the current value: ${remedy}`;
  if (j.needed !== undefined) {
    const rate = elapsedS !== undefined && elapsedS > 0 ? (j.events ?? 0) / elapsedS : 0;
    const time =
      rate > 0 ? ` (~${formatDuration(j.needed / rate)} at ${formatNumber(Number(rate.toFixed(1)))}/s)` : '';
    advice = `needs ~${formatNumber(roundNicely(j.needed))} more canary events${time} to confirm it: ${remedy}`;
  }
  return { phase: 'inconclusive', reason: 'insufficientSamples', message, advice };
}

/**
 * One judged value per group; NaN series (Prometheus' 0/0 without traffic) count as no data. With `confident`,
 * a failure on a simple bound backed by events stands only when the data show it with confidence.
 */
function judgeGroups(
  metric: ResolvedMetric,
  series: readonly Series[],
  success: CompiledExpression | undefined,
  failure: CompiledExpression | undefined,
  asRatio: boolean,
  confident = true,
): Judged[] {
  const out: Judged[] = [];
  for (const [key, group] of groupSeries(series, metric.dimension)) {
    for (const s of group) {
      const value = typeof s.value === 'string' ? (toNumber(s.value) ?? s.value) : s.value;
      if (typeof value === 'number' && Number.isNaN(value)) continue;
      const judged = decide(value, success, failure);
      const sure =
        confident && judged.outcome === 'failure' && typeof value === 'number'
          ? confirm(s, value, judged, asRatio)
          : undefined;
      out.push({ key, value, outcome: judged.outcome, because: judged.because, ...sure });
    }
  }
  return out;
}

interface Decided {
  readonly outcome: Outcome;
  readonly because: string;
  /** The condition that decided a failure, and whether it failed by holding (`failureCondition`) or not. */
  readonly by?: { readonly condition: CompiledExpression; readonly holds: boolean };
}

/** Argo's rules: failure condition first; with both conditions, neither true is inconclusive. */
function decide(
  value: number | string | boolean,
  success: CompiledExpression | undefined,
  failure: CompiledExpression | undefined,
): Decided {
  const ctx = { result: value };
  if (failure !== undefined && failure.predicate!(ctx))
    return {
      outcome: 'failure',
      because: `meets ${failure.source}`,
      by: { condition: failure, holds: true },
    };
  if (success === undefined) {
    return failure === undefined
      ? { outcome: 'success', because: 'measured' }
      : { outcome: 'success', because: `does not meet ${failure.source}` };
  }
  if (success.predicate!(ctx)) return { outcome: 'success', because: `passes ${success.source}` };
  if (failure === undefined)
    return {
      outcome: 'failure',
      because: `fails ${success.source}`,
      by: { condition: success, holds: false },
    };
  return { outcome: 'inconclusive', because: `fails ${success.source} without meeting ${failure.source}` };
}

/**
 * A point failure of a simple bound, checked against the events behind the value: it stands when the data show
 * the violation with confidence 1 − THRESHOLD_ALPHA (with the bound that shows it), and is `undecided` otherwise.
 * Undefined (the point verdict stands) without evidence or for conditions that are not a simple bound.
 */
function confirm(
  s: Series,
  value: number,
  judged: Decided,
  asRatio: boolean,
): Pick<Judged, 'outcome' | 'evidence' | 'events' | 'needed'> | undefined {
  if (judged.by === undefined) return undefined;
  const bound = simpleBound(judged.by.condition);
  if (bound === undefined) return undefined;
  const ev: Evidence | undefined = evidenceOf(s, value);
  if (ev === undefined || !applies(ev, bound)) return undefined;
  // A failure condition that holds is confirmed on its own side; a success condition that fails on the other.
  const side: Side = judged.by.holds ? holdsOn(bound) : opposite(holdsOn(bound));
  if (confidently(ev, side, bound.value, THRESHOLD_ALPHA)) {
    const limit = confidenceBound(ev, side, THRESHOLD_ALPHA);
    const which = side === 'below' ? 'at most' : 'at least';
    const confidence = formatPercent(1 - THRESHOLD_ALPHA);
    return {
      outcome: 'failure',
      evidence: ` (${which} ${formatValue(limit, asRatio)} with ${confidence} confidence, ${formatNumber(ev.events)} events)`,
    };
  }
  const needed = eventsToConfirm(ev, side, bound.value, THRESHOLD_ALPHA);
  return needed === undefined
    ? { outcome: 'undecided', events: ev.events }
    : { outcome: 'undecided', events: ev.events, needed };
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
