import type { ResolvedMetric } from './analysis-template.js';
import type {
  AnalysisRunState,
  Measurement,
  MetricRunState,
  MetricStatus,
  RunStatus,
} from './measurement.js';

/**
 * Pure bookkeeping of an analysis run: which metrics are due, what a measurement does to a metric's counters and
 * status, and the run's assessment (the worst non-dry-run metric wins, as Argo Rollouts `analysis/analysis.go`).
 * No clock, no I/O: the caller passes `now`, and the state is plain JSON the rollout store persists.
 */

/** Measurements kept per metric as evidence; older ones are dropped so the persisted state stays small. */
export const KEPT_MEASUREMENTS = 10;

/** Reasons that mean "no verdict yet": never a failure, never counted against `inconclusiveLimit`. */
const UNDECIDED = new Set(['noData', 'insufficientSamples', 'sharedIncident']);

const TERMINAL: ReadonlySet<MetricStatus> = new Set(['Successful', 'Failed', 'Inconclusive']);

/** Higher is worse: the run takes its worst non-dry-run metric's status (Pending counts as Running). */
const RANK: Record<MetricStatus, number> = {
  Successful: 0,
  Pending: 1,
  Running: 1,
  Inconclusive: 2,
  Error: 3,
  Failed: 4,
};

export function isUndecided(measurement: Measurement): boolean {
  return (
    measurement.phase === 'inconclusive' &&
    measurement.reason !== undefined &&
    UNDECIDED.has(measurement.reason)
  );
}

/** The cumulative failure limit in force: Argo's default 0, unless a consecutive or window limit replaces it. */
export function effectiveFailureLimit(metric: ResolvedMetric): number | undefined {
  if (metric.failureLimit !== undefined) return metric.failureLimit;
  return metric.consecutiveFailureLimit === undefined && metric.window === undefined ? 0 : undefined;
}

export function startRun(id: string, metrics: readonly ResolvedMetric[], now: Date): AnalysisRunState {
  const templates = [...new Set(metrics.map((m) => m.template))];
  const states: MetricRunState[] = metrics.map((m) => ({
    name: m.name,
    status: 'Pending',
    dryRun: m.dryRun,
    hardStop: m.hardStop,
    taken: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    errors: 0,
    consecutiveFailures: 0,
    consecutiveErrors: 0,
    recentFailures: [],
    nextAt: new Date(now.getTime() + m.initialDelayMs).toISOString(),
    measurements: [],
  }));
  return assess({
    id,
    templates,
    startedAt: now.toISOString(),
    status: 'Running',
    hardStopped: false,
    sharedIncident: false,
    metrics: states,
  });
}

/** Metrics whose next measurement is due at `now`; none once the run reached a verdict. */
export function dueMetrics(
  run: AnalysisRunState,
  metrics: readonly ResolvedMetric[],
  now: Date,
): ResolvedMetric[] {
  if (isRunFinished(run)) return [];
  const byName = new Map(run.metrics.map((m) => [m.name, m]));
  return metrics.filter((metric) => {
    const state = byName.get(metric.name);
    return state?.nextAt !== undefined && Date.parse(state.nextAt) <= now.getTime();
  });
}

/** The earliest time a metric of the run is due; undefined once the run reached a verdict or nothing is left. */
export function nextDueAt(run: AnalysisRunState): Date | undefined {
  if (isRunFinished(run)) return undefined;
  let earliest: number | undefined;
  for (const m of run.metrics) {
    if (m.nextAt === undefined) continue;
    const t = Date.parse(m.nextAt);
    if (earliest === undefined || t < earliest) earliest = t;
  }
  return earliest === undefined ? undefined : new Date(earliest);
}

/** Applies one measurement of `metric` and re-assesses the metric and the run. Ignored for a finished metric. */
export function recordMeasurement(
  run: AnalysisRunState,
  metric: ResolvedMetric,
  measurement: Measurement,
  now: Date,
): AnalysisRunState {
  const index = run.metrics.findIndex((m) => m.name === metric.name);
  const state = run.metrics[index];
  if (state === undefined || TERMINAL.has(state.status)) return run;
  const next = applyMeasurement(state, metric, measurement, now);
  const metrics = run.metrics.map((m, i) => (i === index ? next : m));
  const hardStopped =
    run.hardStopped || (!metric.dryRun && metric.hardStop && measurement.phase === 'failure');
  return assess({ ...run, metrics, hardStopped });
}

/**
 * Ends a run that has no natural end (background analysis, or a step left by a promote): a metric still running
 * becomes Successful if it ever succeeded, else Inconclusive; a metric in Error keeps it.
 */
export function terminateRun(run: AnalysisRunState, now: Date): AnalysisRunState {
  const metrics = run.metrics.map((m): MetricRunState => {
    if (TERMINAL.has(m.status)) return m;
    if (m.status === 'Error') return { ...m, nextAt: undefined };
    return m.successful > 0
      ? { ...m, status: 'Successful', nextAt: undefined, message: `${m.name}: ended at ${now.toISOString()}` }
      : { ...m, status: 'Inconclusive', nextAt: undefined, message: undecidedMessage(m) };
  });
  return assess({ ...run, metrics });
}

function isRunFinished(run: AnalysisRunState): boolean {
  return run.status === 'Successful' || run.status === 'Failed' || run.status === 'Inconclusive';
}

function applyMeasurement(
  s: MetricRunState,
  metric: ResolvedMetric,
  m: Measurement,
  now: Date,
): MetricRunState {
  const undecided = isUndecided(m);
  const failure = m.phase === 'failure';
  const error = m.phase === 'error';
  // Built field by field and completed in place: this runs at every measurement of every rollout.
  const next: { -readonly [K in keyof MetricRunState]: MetricRunState[K] } = {
    name: s.name,
    status: s.status === 'Pending' ? 'Running' : s.status,
    dryRun: s.dryRun,
    hardStop: s.hardStop,
    taken: s.taken + 1,
    successful: s.successful + (m.phase === 'success' ? 1 : 0),
    failed: s.failed + (failure ? 1 : 0),
    inconclusive: s.inconclusive + (m.phase === 'inconclusive' && !undecided ? 1 : 0),
    errors: s.errors + (error ? 1 : 0),
    // An undecided measurement (no data, shared incident) says nothing about the canary: the streak is kept.
    consecutiveFailures: failure ? s.consecutiveFailures + 1 : undecided || error ? s.consecutiveFailures : 0,
    consecutiveErrors: error ? s.consecutiveErrors + 1 : 0,
    recentFailures: pruneWindow(
      failure ? [...s.recentFailures, now.toISOString()] : s.recentFailures,
      metric,
      now,
    ),
    nextAt: undefined,
    measurements: keepLast(s.measurements, m),
    message: named(metric, m),
  };
  const verdict = judge(next, metric, m);
  next.status = verdict?.status ?? (next.status === 'Error' ? 'Running' : next.status);
  if (verdict !== undefined) next.message = verdict.message;
  if (!TERMINAL.has(next.status)) next.nextAt = new Date(now.getTime() + metric.intervalMs).toISOString();
  return next;
}

function keepLast(measurements: readonly Measurement[], m: Measurement): Measurement[] {
  const from = Math.max(0, measurements.length + 1 - KEPT_MEASUREMENTS);
  const out = measurements.slice(from);
  out.push(m);
  return out;
}

/** The limits, most severe first; undefined when the metric keeps running. */
function judge(
  s: MetricRunState,
  metric: ResolvedMetric,
  m: Measurement,
): { status: MetricStatus; message: string } | undefined {
  const last = named(metric, m);
  if (m.phase === 'failure') {
    if (metric.hardStop) return { status: 'Failed', message: `${last} (hard stop)` };
    const limit = effectiveFailureLimit(metric);
    if (limit !== undefined && s.failed > limit) {
      return { status: 'Failed', message: `${last} (${s.failed} failed measurements, limit ${limit})` };
    }
    const consecutive = metric.consecutiveFailureLimit;
    if (consecutive !== undefined && s.consecutiveFailures >= consecutive) {
      return { status: 'Failed', message: `${last} (${s.consecutiveFailures} failures in a row)` };
    }
    const w = metric.window;
    if (w !== undefined && s.recentFailures.length >= w.failures) {
      const minutes = Math.round(w.withinMs / 60_000);
      return {
        status: 'Failed',
        message: `${last} (${s.recentFailures.length} failures within ${minutes} min)`,
      };
    }
  }
  if (s.consecutiveErrors > metric.consecutiveErrorLimit) {
    return { status: 'Error', message: `${last} (${s.consecutiveErrors} errors in a row: provider outage)` };
  }
  if (s.inconclusive > metric.inconclusiveLimit) {
    return { status: 'Inconclusive', message: `${last} (${s.inconclusive} inconclusive measurements)` };
  }
  // Errors do not use up `count` (Argo counts only measurements that answered): otherwise an outage near the end
  // of a step would let a single earlier success promote it while the provider is down. Likewise a metric never
  // completes on a shared-incident measurement: nothing is promoted in the middle of a platform-wide incident.
  if (metric.count !== undefined && m.reason !== 'sharedIncident' && s.taken - s.errors >= metric.count) {
    return s.successful > 0
      ? { status: 'Successful', message: `${metric.name}: ${s.successful} of ${s.taken} measurements passed` }
      : { status: 'Inconclusive', message: undecidedMessage(s) };
  }
  return undefined;
}

/** The measurement's message under the metric's name; `measure` already names it, so it is not named twice. */
function named(metric: ResolvedMetric, m: Measurement): string {
  return m.message.startsWith(`${metric.name}: `) ? m.message : `${metric.name}: ${m.message}`;
}

function undecidedMessage(s: MetricRunState): string {
  const advice = s.measurements.at(-1)?.advice;
  const tail = advice === undefined ? '' : `: ${advice}`;
  return `${s.name}: undecided after ${s.taken} measurements, none passed${tail}`;
}

/** Keeps only the failures a `window` limit can still count; none without a window (the list stays bounded). */
const NONE: readonly string[] = Object.freeze([]);

function pruneWindow(times: readonly string[], metric: ResolvedMetric, now: Date): readonly string[] {
  const w = metric.window;
  if (w === undefined) return NONE;
  const from = now.getTime() - w.withinMs;
  return times.filter((t) => Date.parse(t) >= from).slice(-Math.max(w.failures, 1));
}

/** The run's status, message and incident flag from its metrics (one pass: this runs at every measurement). */
function assess(run: AnalysisRunState): AnalysisRunState {
  let worst: MetricRunState | undefined;
  let hardStop: MetricRunState | undefined;
  let incident: MetricRunState | undefined;
  let allTerminal = true;
  for (const m of run.metrics) {
    const terminal = TERMINAL.has(m.status);
    if (!terminal) allTerminal = false;
    if (m.dryRun) continue;
    if (worst === undefined || RANK[m.status] > RANK[worst.status]) worst = m;
    if (hardStop === undefined && m.hardStop && m.status === 'Failed') hardStop = m;
    if (incident === undefined && !terminal && m.measurements.at(-1)?.reason === 'sharedIncident')
      incident = m;
  }
  let status: RunStatus;
  if (run.hardStopped) status = 'Failed';
  else if (worst === undefined) status = allTerminal ? 'Successful' : 'Running';
  else status = worst.status === 'Pending' ? 'Running' : worst.status;
  const culprit = run.hardStopped ? hardStop : worst;
  const message = status === 'Running' && incident !== undefined ? incident.message : culprit?.message;
  const next: AnalysisRunState = {
    id: run.id,
    templates: run.templates,
    startedAt: run.startedAt,
    status,
    hardStopped: run.hardStopped,
    sharedIncident: incident !== undefined,
    metrics: run.metrics,
  };
  return message === undefined ? next : { ...next, message };
}
