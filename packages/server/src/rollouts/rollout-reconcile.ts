import { nextDueAt } from '../analysis/analysis-run.js';
import type { AuditInput } from '../audit/audit-log.js';
import type { Command, RolloutState, StepResult, Transition } from './rollout-state.js';
import type { Outbox, StoredRollout } from './rollout-store.js';

/**
 * The reconcile loop's pure decisions (rollout-driver.ts): whether a step changed anything worth a write, what a
 * commit carries (audit entries, outbox), whether to go on, and when the rollout is next due.
 */

/** Nothing new: no transition and the same state (the controller returns the very object then). */
export function unchanged(state: RolloutState, result: StepResult): boolean {
  return (
    result.transitions.length === 0 &&
    (result.next === state || JSON.stringify(state) === JSON.stringify(result.next))
  );
}

/** A transition's audit entry: what history, metrics and the crash-safety test read (docs/rollouts-runtime.md). */
export function transitionAudit(stored: StoredRollout, t: Transition): AuditInput {
  return {
    action: `rollout.${t.event}`,
    resource: `rollout:${stored.name}`,
    after: {
      revision: stored.revision,
      event: t.event,
      from: t.from,
      phase: t.to,
      stepIndex: t.stepIndex,
      version: t.version,
      rollout_step: t.rolloutStep,
      weight: t.weight,
      message: t.message,
    },
  };
}

/** The side effects of a commit: its actions, and one notification per transition. */
export function toOutbox(stored: StoredRollout, result: StepResult, now: Date): Outbox | undefined {
  if (result.actions.length === 0 && result.transitions.length === 0) return undefined;
  return {
    actions: result.actions,
    notifications: result.transitions.map((transition) => ({
      rollout: stored.name,
      revision: stored.revision,
      transition,
      at: now.toISOString(),
    })),
  };
}

/** A command the controller refused when its turn came (the state had moved since it was accepted). */
export function rejectedCommand(stored: StoredRollout, command: Command, message: string): AuditInput {
  return {
    action: 'rollout.command_rejected',
    resource: `rollout:${stored.name}`,
    after: {
      revision: stored.revision,
      phase: stored.state.phase,
      stepIndex: stored.state.stepIndex,
      command,
      message,
    },
  };
}

/** Something moved: the reconcile goes on (a step, a phase, a confirmed routing). */
export function progressed(before: RolloutState, after: RolloutState): boolean {
  return (
    before.phase !== after.phase ||
    before.stepIndex !== after.stepIndex ||
    before.routeConfirmed !== after.routeConfirmed
  );
}

/** When the rollout next needs a look: a measurement, the end of a timed pause (else the tick). */
export function dueAt(state: RolloutState): Date | undefined {
  if (state.phase === 'Healthy' || state.phase === 'Aborted' || !state.routeConfirmed) return undefined;
  const candidates = [
    state.stepAnalysis ? nextDueAt(state.stepAnalysis) : undefined,
    state.backgroundAnalysis ? nextDueAt(state.backgroundAnalysis) : undefined,
    state.pause?.until ? new Date(state.pause.until) : undefined,
  ].filter((d): d is Date => d !== undefined);
  return candidates.length === 0 ? undefined : new Date(Math.min(...candidates.map((d) => d.getTime())));
}
