import { startRun, terminateRun } from '../../analysis/analysis-run.js';
import { STABLE_ONLY } from '../../routing/router.js';
import { PhaseReason, RolloutEvent } from '../reasons.js';
import type { Draft } from './draft.js';
import { applyRoute, describeStage, FULL_ROUTE } from './stages.js';

/**
 * The state changes every path shares: entering a stage, moving to another one, resuming the current one,
 * aborting, completing. Each records exactly one transition.
 */

/** Leaves the current stage for `index` (next step, a promote, a retry) and records `event`. */
export function moveTo(d: Draft, index: number, event: string, why: string): void {
  const from = d.state.phase;
  enterStage(d, index);
  d.record(event, from, `${why}; now at ${describeStage(d.resolved, index)}`);
}

/** Sets up stage `index` from scratch: its routing, pause or analysis run, its flag action. */
function enterStage(d: Draft, index: number): void {
  d.update({
    stepIndex: index,
    stepStartedAt: d.nowIso,
    pause: undefined,
    stepAnalysis: undefined,
  });
  startBackground(d);
  const stage = d.stages[index];
  if (stage === undefined) {
    // Completion: the background analysis has watched every step; it ends here (Argo ends it with the rollout).
    const bg = d.state.backgroundAnalysis;
    if (bg !== undefined) d.update({ backgroundAnalysis: terminateRun(bg, d.now) });
    d.setRoute({ ...FULL_ROUTE });
    d.update({ phase: 'Progressing', reason: PhaseReason.WaitingForRoute });
    return;
  }
  switch (stage.kind) {
    case 'route':
      d.setRoute(applyRoute(stage, d.state.route));
      d.update({ phase: 'Progressing', reason: PhaseReason.WaitingForRoute });
      return;
    case 'pause':
      if (stage.durationMs === undefined) {
        d.update({
          phase: 'Paused',
          reason: stage.manualReason,
          pause: { reason: stage.manualReason, since: d.nowIso },
        });
      } else {
        const until = new Date(d.now.getTime() + stage.durationMs).toISOString();
        d.update({
          phase: 'Progressing',
          reason: stage.timedReason,
          pause: { reason: stage.timedReason, since: d.nowIso, until },
        });
      }
      return;
    case 'analysis':
      startStepAnalysis(d, stage.run);
      return;
    case 'setFlag':
      d.actions.push({
        kind: 'setFlag',
        flag: stage.flag,
        environment: stage.environment,
        rollout: stage.rollout,
      });
      d.update({ phase: 'Progressing', reason: PhaseReason.StepInProgress });
      return;
  }
}

function startStepAnalysis(d: Draft, run: string): void {
  const metrics = d.resolved.analyses[run];
  if (metrics === undefined || metrics.length === 0) {
    // Never pass a gate that measures nothing: hold the rollout for a person instead.
    const reason = PhaseReason.AnalysisNotResolved;
    d.update({ phase: 'Paused', reason, pause: { reason, since: d.nowIso } });
    return;
  }
  d.update({
    phase: 'Analyzing',
    reason: PhaseReason.AnalysisRunning,
    stepAnalysis: startRun(run, metrics, d.now),
  });
}

/** Starts the background analysis once the rollout reaches its starting step (and restarts a cleared one). */
export function startBackground(d: Draft): void {
  const strategy = d.resolved.rollout.strategy;
  if (strategy.kind !== 'canary' || strategy.analysis === undefined) return;
  if (d.state.backgroundAnalysis !== undefined || d.atCompletion) return;
  if (d.state.stepIndex < strategy.analysis.startingStep) return;
  const metrics = d.resolved.analyses.background;
  if (metrics === undefined || metrics.length === 0) return;
  d.update({ backgroundAnalysis: startRun('background', metrics, d.now) });
}

/**
 * Returns to the current stage's own phase after an interruption (operator pause, outage, incident, Degraded),
 * keeping what it had: the analysis run, the rest of a timed pause, the desired routing.
 */
export function resumeStage(d: Draft, event: string, why: string): void {
  const from = d.state.phase;
  const rest = d.remainingPauseMs();
  const stage = d.stage;
  if (stage === undefined || stage.kind === 'route') {
    d.update({ phase: 'Progressing', reason: PhaseReason.WaitingForRoute, pause: undefined });
  } else if (stage.kind === 'pause') {
    if (stage.durationMs === undefined) {
      const reason = stage.manualReason;
      d.update({ phase: 'Paused', reason, pause: { reason, since: d.nowIso } });
    } else {
      const until = new Date(d.now.getTime() + (rest ?? stage.durationMs)).toISOString();
      const reason = stage.timedReason;
      d.update({ phase: 'Progressing', reason, pause: { reason, since: d.nowIso, until } });
    }
  } else if (stage.kind === 'analysis') {
    if (d.state.stepAnalysis === undefined) startStepAnalysis(d, stage.run);
    else d.update({ phase: 'Analyzing', reason: PhaseReason.AnalysisRunning, pause: undefined });
  } else {
    d.update({ phase: 'Progressing', reason: PhaseReason.StepInProgress, pause: undefined });
  }
  d.record(event, from, `${why}; back at ${describeStage(d.resolved, d.state.stepIndex)}`);
}

/** Puts the rollout in `phase` for an interruption that keeps the stage (its timed pause keeps its rest). */
export function interrupt(
  d: Draft,
  phase: 'Paused' | 'Degraded',
  reason: string,
  event: string,
  why: string,
): void {
  const from = d.state.phase;
  const pause = d.interruption(reason);
  // Degraded is not a pause: `pause` only carries the rest of an interrupted timed pause through it.
  d.update({ phase, reason, pause: phase === 'Degraded' && pause.until === undefined ? undefined : pause });
  d.record(event, from, why);
}

/**
 * Rolls back: all traffic to stable (weight 0, no segment, no mirror), and every flag a `setFlag` step has moved
 * (up to the current step) back to where it was. Analyses stay as evidence.
 */
export function abort(d: Draft, event: string, reason: string, why: string): void {
  const from = d.state.phase;
  const moved = new Set<string>();
  for (const stage of d.stages.slice(0, d.state.stepIndex + 1)) {
    if (stage.kind !== 'setFlag' || moved.has(`${stage.flag}\0${stage.environment}`)) continue;
    moved.add(`${stage.flag}\0${stage.environment}`);
    d.actions.push({ kind: 'restoreFlag', flag: stage.flag, environment: stage.environment });
  }
  d.update({ phase: 'Aborted', reason, pause: undefined });
  d.setRoute({ ...STABLE_ONLY });
  const stable = d.resolved.rollout.route.stable.version;
  d.record(event, from, `${why}; all traffic back to ${stable}`);
}

/** The router confirmed 100 %: the rollout is done. */
export function complete(d: Draft): void {
  const from = d.state.phase;
  const bg = d.state.backgroundAnalysis;
  d.update({
    phase: 'Healthy',
    reason: PhaseReason.Completed,
    pause: undefined,
    stepAnalysis: undefined,
    ...(bg === undefined ? {} : { backgroundAnalysis: terminateRun(bg, d.now) }),
  });
  d.record(RolloutEvent.Completed, from, `all traffic on ${d.resolved.rollout.route.canary.version}`);
}
