import { AUTOMATIC_PAUSES, PhaseReason, RolloutEvent } from '../reasons.js';
import type { ResolvedRollout } from '../rollout.js';
import type { Command, RolloutState } from '../rollout-state.js';
import { restartInconclusiveBackground } from './analyses.js';
import type { Draft } from './draft.js';
import { describeRoute, stagesOf } from './stages.js';
import { abort, interrupt, moveTo, resumeStage } from './transitions.js';

/** Paused states a person lifts with `resume`: it continues (the next step, or the interrupted one). */
const RESUMABLE: ReadonlySet<string> = new Set([
  PhaseReason.PausedByOperator,
  PhaseReason.PausedByStep,
  PhaseReason.PausedForPromotion,
  PhaseReason.AnalysisInconclusive,
  PhaseReason.AnalysisNotResolved,
]);

/**
 * Why `command` makes no sense for `state` (undefined: allowed). The API calls it before queueing a command, and
 * `step` calls it again when the command is applied (the state may have moved meanwhile). Without `resolved`,
 * the checks that need the step list (is there a step left to skip?) are left to `step`.
 *
 * @example checkCommand(healthyState, { kind: 'promote', full: false }) // 'the rollout is Healthy: …'
 */
export function checkCommand(
  state: RolloutState,
  command: Command,
  resolved?: ResolvedRollout,
): string | undefined {
  const { phase, reason } = state;
  if (phase === 'Healthy')
    return 'the rollout is Healthy (fully promoted): start a new revision to change it';
  if (phase === 'Aborted') {
    return command.kind === 'retry' ? undefined : 'the rollout is Aborted: retry it or start a new revision';
  }
  const atCompletion = resolved !== undefined && state.stepIndex >= stagesOf(resolved).length;
  switch (command.kind) {
    case 'retry':
      return `retry restarts an Aborted rollout; this one is ${phase}`;
    case 'abort':
      return undefined;
    case 'pause':
      if (phase !== 'Paused' || AUTOMATIC_PAUSES.has(reason)) return undefined;
      return reason === PhaseReason.PausedByOperator
        ? 'the rollout is already paused by an operator'
        : `the rollout is already paused (${reason}): promote, resume or abort it`;
    case 'resume':
      if (phase !== 'Paused') return `the rollout is not paused (${phase})`;
      if (RESUMABLE.has(reason)) return undefined;
      return `paused by ${reason}: it resumes by itself when that clears; promote to leave the step, or abort`;
    case 'skip':
      return atCompletion
        ? 'every step is done: the rollout waits for the router to confirm 100 %'
        : undefined;
    case 'promote':
      if (atCompletion) {
        return command.full
          ? 'the rollout is already being promoted to 100 %'
          : 'every step is done: the rollout waits for the router to confirm 100 % (resume if paused)';
      }
      if (command.full || phase === 'Paused' || phase === 'Analyzing') return undefined;
      if (phase === 'Progressing' && state.pause?.until !== undefined) return undefined;
      return phase === 'Degraded'
        ? 'the router does not confirm the routing: fix the router, skip the step, promote --full or abort'
        : `waiting for the router to confirm ${describeRoute(state.route)}: nothing to promote past yet`;
  }
}

/** Applies an operator command, or records why it was refused (the state is then unchanged by it). */
export function applyCommand(d: Draft, command: Command): void {
  const refusal = checkCommand(d.state, command, d.resolved);
  if (refusal !== undefined) {
    d.rejected = refusal;
    return;
  }
  const next = d.state.stepIndex + 1;
  switch (command.kind) {
    case 'promote':
      if (command.full) {
        moveTo(d, d.stages.length, RolloutEvent.FullyPromoted, 'promoted fully by an operator');
        return;
      }
      leaveInconclusive(d);
      moveTo(d, next, RolloutEvent.Promoted, `promoted by an operator past ${stepName(d)}`);
      return;
    case 'skip':
      leaveInconclusive(d);
      moveTo(d, next, RolloutEvent.StepSkipped, `${stepName(d)} skipped by an operator`);
      return;
    case 'pause':
      interrupt(d, 'Paused', PhaseReason.PausedByOperator, RolloutEvent.Paused, 'paused by an operator');
      return;
    case 'resume':
      resume(d);
      return;
    case 'abort': {
      const why = command.reason ? `aborted by an operator: ${command.reason}` : 'aborted by an operator';
      abort(d, RolloutEvent.Aborted, PhaseReason.AbortedByOperator, why);
      return;
    }
    case 'retry':
      // Same revision, first step, fresh analyses; the routing starts from where the abort left it (stable).
      d.update({ stepAnalysis: undefined, backgroundAnalysis: undefined, pause: undefined });
      moveTo(d, 0, RolloutEvent.Retried, 'retried by an operator');
      return;
  }
}

function resume(d: Draft): void {
  const { reason, stepAnalysis } = d.state;
  if (reason === PhaseReason.PausedByOperator) {
    resumeStage(d, RolloutEvent.Resumed, 'resumed by an operator');
    return;
  }
  if (reason === PhaseReason.AnalysisInconclusive && stepAnalysis?.status !== 'Inconclusive') {
    // The background analysis was undecided: a person accepts it, it starts over, the step carries on.
    restartInconclusiveBackground(d);
    resumeStage(
      d,
      RolloutEvent.Resumed,
      'resumed by an operator (inconclusive background analysis restarted)',
    );
    return;
  }
  // A `pause: {}` step, the blue-green promotion gate, an undecided or unresolved step analysis: continue.
  moveTo(d, d.state.stepIndex + 1, RolloutEvent.Resumed, `resumed by an operator after ${stepName(d)}`);
}

function leaveInconclusive(d: Draft): void {
  if (d.state.phase === 'Paused' && d.state.reason === PhaseReason.AnalysisInconclusive) {
    restartInconclusiveBackground(d);
  }
}

function stepName(d: Draft): string {
  const stage = d.stage;
  return stage === undefined ? 'the last step' : `step ${d.state.stepIndex} (${stage.description})`;
}
