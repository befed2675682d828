import { dueMetrics, recordMeasurement, startRun } from '../../analysis/analysis-run.js';
import type { ResolvedMetric } from '../../analysis/analysis-template.js';
import type { AnalysisRunState } from '../../analysis/measurement.js';
import { AUTOMATIC_PAUSES, PhaseReason, RolloutEvent } from '../reasons.js';
import type { ResolvedRollout } from '../rollout.js';
import type { Observations, RolloutState } from '../rollout-state.js';
import type { Draft } from './draft.js';
import { stagesOf } from './stages.js';
import { abort, interrupt, resumeStage } from './transitions.js';

/**
 * The analysis side of the controller: which metrics are due, recording what was measured, and what a run's
 * verdict does to the rollout (abort, pause, resume by itself).
 */

const TERMINAL_METRIC = new Set(['Successful', 'Failed', 'Inconclusive']);

/** The runs that still watch the rollout: the current step's and the background one, until completion. */
function liveRuns(state: RolloutState, stageCount: number): AnalysisRunState[] {
  if (state.phase === 'Aborted' || state.phase === 'Healthy' || state.stepIndex >= stageCount) return [];
  const runs: AnalysisRunState[] = [];
  if (state.stepAnalysis) runs.push(state.stepAnalysis);
  if (state.backgroundAnalysis) runs.push(state.backgroundAnalysis);
  return runs;
}

/**
 * Metrics to measure now. A step's analysis measures while Analyzing (or Degraded on that step) and while held
 * by an outage or an incident (so it can notice the end of it); not while a person holds the rollout. The
 * background analysis measures in every phase until completion: a canary hurting players is noticed even paused.
 */
export function dueMeasurements(
  resolved: ResolvedRollout,
  state: RolloutState,
  now: Date,
): { run: string; metric: ResolvedMetric }[] {
  const due: { run: string; metric: ResolvedMetric }[] = [];
  const live = liveRuns(state, stagesOf(resolved).length);
  const step = state.stepAnalysis;
  const stepMeasures =
    state.phase === 'Analyzing' ||
    state.phase === 'Degraded' ||
    (state.phase === 'Paused' && AUTOMATIC_PAUSES.has(state.reason));
  for (const run of live) {
    if (run === step && !stepMeasures) continue;
    for (const metric of dueMetrics(run, resolved.analyses[run.id] ?? [], now))
      due.push({ run: run.id, metric });
  }
  return due;
}

/**
 * Applies measurements to the live run they name. Stale ones (for a run that ended, taken before the run began,
 * or not newer than the metric's latest) are ignored, so replaying the same observations changes nothing.
 */
export function recordMeasurements(d: Draft, measurements: Observations['measurements']): void {
  if (measurements === undefined) return;
  for (const { run: id, metric: name, measurement } of measurements) {
    const field = liveField(d, id);
    if (field === undefined) continue;
    const run = d.state[field]!;
    const metric = d.resolved.analyses[id]?.find((m) => m.name === name);
    const current = run.metrics.find((m) => m.name === name);
    if (metric === undefined || current === undefined || TERMINAL_METRIC.has(current.status)) continue;
    const at = Date.parse(measurement.at);
    const latest = current.measurements.at(-1);
    if (at < Date.parse(run.startedAt) || (latest !== undefined && Date.parse(latest.at) >= at)) continue;
    d.update({ [field]: recordMeasurement(run, metric, measurement, d.now) });
  }
}

function liveField(d: Draft, id: string): 'stepAnalysis' | 'backgroundAnalysis' | undefined {
  const live = liveRuns(d.state, d.stages.length);
  if (d.state.stepAnalysis?.id === id && live.includes(d.state.stepAnalysis)) return 'stepAnalysis';
  if (d.state.backgroundAnalysis?.id === id && live.includes(d.state.backgroundAnalysis))
    return 'backgroundAnalysis';
  return undefined;
}

/**
 * What the runs' verdicts do (Argo `rollout/analysis.go`, with Pitboss's outage and incident rules): a failure
 * or hard stop aborts in any phase; an outage or incident pauses a moving rollout and lifts its own pause when
 * it clears; an inconclusive run waits for a person. A success is the stage loop's business (it advances).
 */
export function checkAnalyses(d: Draft): void {
  const runs = liveRuns(d.state, d.stages.length);
  if (runs.length === 0) return;
  const failed = runs.find((r) => r.hardStopped) ?? runs.find((r) => r.status === 'Failed');
  if (failed !== undefined) {
    const [event, reason] = failed.hardStopped
      ? [RolloutEvent.HardStop, PhaseReason.HardStop]
      : [RolloutEvent.AnalysisFailed, PhaseReason.AnalysisFailed];
    abort(d, event, reason, verdict(failed, failed.hardStopped ? 'hard stop' : 'failed'));
    return;
  }
  const errored = runs.find((r) => r.status === 'Error');
  const incident = runs.find((r) => r.sharedIncident);
  if (d.state.phase === 'Paused') {
    if (d.state.reason === PhaseReason.ProviderOutage && errored === undefined) {
      resumeStage(d, RolloutEvent.ProviderRecovered, 'metric provider answers again');
    } else if (d.state.reason === PhaseReason.SharedIncident && incident === undefined) {
      resumeStage(d, RolloutEvent.SharedIncidentCleared, 'platform-wide incident cleared');
    } else {
      return;
    }
  }
  if (d.state.phase === 'Paused') return;
  if (errored !== undefined) {
    const why = verdict(errored, 'provider outage');
    if (d.resolved.rollout.onProviderOutage === 'abort') {
      abort(d, RolloutEvent.ProviderOutage, PhaseReason.ProviderOutage, why);
    } else {
      interrupt(
        d,
        'Paused',
        PhaseReason.ProviderOutage,
        RolloutEvent.ProviderOutage,
        `${why}; paused until it answers`,
      );
    }
    return;
  }
  if (incident !== undefined) {
    const why = `${verdict(incident, 'platform-wide incident')}; paused, not blamed on the canary`;
    interrupt(d, 'Paused', PhaseReason.SharedIncident, RolloutEvent.SharedIncident, why);
    return;
  }
  const undecided = runs.find((r) => r.status === 'Inconclusive');
  if (undecided !== undefined) {
    const why = `${verdict(undecided, 'inconclusive')}; promote, resume, skip or abort`;
    interrupt(d, 'Paused', PhaseReason.AnalysisInconclusive, RolloutEvent.AnalysisInconclusive, why);
  }
}

/** `analysis step-3 (deposit-success) failed: deposit_success: 97.1 % for psp=B < 99 % (hard stop)`. */
function verdict(run: AnalysisRunState, what: string): string {
  const detail = run.message ?? run.metrics.find((m) => m.status === run.status)?.message ?? run.status;
  return `analysis ${run.id} (${run.templates.join(', ')}) ${what}: ${detail}`;
}

/**
 * A person accepted an inconclusive background analysis (promote, resume, skip): it starts afresh and keeps
 * watching, instead of holding the rollout again at once.
 */
export function restartInconclusiveBackground(d: Draft): void {
  const bg = d.state.backgroundAnalysis;
  if (bg?.status !== 'Inconclusive') return;
  const metrics = d.resolved.analyses.background ?? [];
  d.update({ backgroundAnalysis: startRun('background', metrics, d.now) });
}
