import { STABLE_ONLY } from '../../routing/router.js';
import { PhaseReason, RolloutEvent } from '../reasons.js';
import type { ResolvedRollout } from '../rollout.js';
import type { Observations, RolloutState, StepResult } from '../rollout-state.js';
import { checkAnalyses, recordMeasurements } from './analyses.js';
import { applyCommand } from './commands.js';
import {
  type ControllerOptions,
  DEFAULT_ROUTE_CONFIRM_TIMEOUT_MS,
  Draft,
  sameJson,
  withoutUndefined,
} from './draft.js';
import { describeRoute, describeStage } from './stages.js';
import { complete, interrupt, moveTo, resumeStage } from './transitions.js';

export { dueMeasurements } from './analyses.js';
export { checkCommand } from './commands.js';
export type { ControllerOptions } from './draft.js';

/** `StepResult`, plus why the observed command was refused (the state is then as if it had not been given). */
export interface ControllerResult extends StepResult {
  readonly rejected?: string;
}

/**
 * The state of a rollout revision before its first step: stable-only routing, not yet confirmed. The first
 * `step` starts it (RolloutStarted), so the first step's actions are returned like any other.
 */
export function initialState(resolved: ResolvedRollout, revision: number, now: Date): RolloutState {
  const at = now.toISOString();
  return {
    name: resolved.rollout.name,
    revision,
    phase: 'Progressing',
    reason: PhaseReason.Pending,
    message: `revision ${revision}: ${resolved.rollout.route.canary.version} waiting to start`,
    stepIndex: 0,
    stepStartedAt: at,
    route: { ...STABLE_ONLY },
    routeConfirmed: false,
    transitions: 0,
    updatedAt: at,
  };
}

/**
 * The rollout controller: a pure function of (rollout, state, observations, now) (Argo Rollouts
 * `rollout/canary.go`, Prometheus `rules/alerting.go`). In order:
 * 1. the router's confirmation of the state's routing; 2. the measurements taken; 3. what the analyses' verdicts
 * do (abort, pause, resume by itself); 4. the operator's command; 5. the stage loop: advance while the current
 * stage is done and the routing confirmed, never past a routing change the router has not confirmed.
 *
 * Nothing new (no confirmation, no newer measurement, no command, no deadline passed) returns the same state
 * object and no transitions, so the runtime writes nothing; the `route` action is repeated while unconfirmed.
 */
export function step(
  resolved: ResolvedRollout,
  state: RolloutState,
  obs: Observations,
  now: Date,
  options: ControllerOptions = {},
): ControllerResult {
  const d = new Draft(resolved, state, now, options);
  if (!state.routeConfirmed && obs.routeVerified === true) confirmRoute(d);
  if (state.transitions === 0 && state.phase === 'Progressing') {
    const { canary, stable } = resolved.rollout.route;
    moveTo(
      d,
      0,
      RolloutEvent.RolloutStarted,
      `revision ${state.revision}: ${canary.version} after ${stable.version}`,
    );
  }
  recordMeasurements(d, obs.measurements);
  checkAnalyses(d);
  if (obs.command !== undefined) applyCommand(d, obs.command);
  advance(d);
  return finish(d, state);
}

function confirmRoute(d: Draft): void {
  d.update({ routeConfirmed: true });
  if (d.state.phase === 'Aborted') {
    // The state keeps saying why it aborted; the router's confirmation is appended.
    d.record(RolloutEvent.RolledBack, 'Aborted', `${d.state.message} (confirmed by the router)`);
  }
}

/** The stage loop: at most one pass per stage, so a rollout of instant stages cannot spin. */
function advance(d: Draft): void {
  for (let guard = 0; guard <= d.stages.length + 2; guard++) {
    checkAnalyses(d);
    const s = d.state;
    if (s.phase !== 'Progressing' && s.phase !== 'Analyzing' && s.phase !== 'Degraded') return;
    if (!s.routeConfirmed) {
      const timeout = d.options.routeConfirmTimeoutMs ?? DEFAULT_ROUTE_CONFIRM_TIMEOUT_MS;
      if (s.phase !== 'Degraded' && d.now.getTime() - Date.parse(s.stepStartedAt) >= timeout) {
        const why = `the router has not confirmed ${describeRoute(s.route)} after ${Math.round(timeout / 1000)} s; re-applying it`;
        interrupt(d, 'Degraded', PhaseReason.RouteNotConfirmed, RolloutEvent.Degraded, why);
      }
      return;
    }
    if (s.phase === 'Degraded') {
      resumeStage(d, RolloutEvent.RouteConfirmed, 'the router confirmed the routing');
      continue;
    }
    const done = stageDone(d);
    if (done === undefined) return;
    if (done === 'complete') {
      complete(d);
      return;
    }
    moveTo(d, s.stepIndex + 1, done, `${describeStage(d.resolved, s.stepIndex)} done`);
  }
}

/** The event that ends the current stage now, `complete` for the completion stage, or undefined (not yet). */
function stageDone(d: Draft): string | undefined {
  const stage = d.stage;
  if (stage === undefined) return 'complete';
  switch (stage.kind) {
    case 'route':
    case 'setFlag':
      return RolloutEvent.StepCompleted;
    case 'pause': {
      const until = d.state.pause?.until;
      const over =
        d.state.phase === 'Progressing' && until !== undefined && d.now.getTime() >= Date.parse(until);
      return over ? RolloutEvent.StepCompleted : undefined;
    }
    case 'analysis':
      return d.state.phase === 'Analyzing' && d.state.stepAnalysis?.status === 'Successful'
        ? RolloutEvent.AnalysisSucceeded
        : undefined;
  }
}

function finish(d: Draft, input: RolloutState): ControllerResult {
  const actions = [...d.actions];
  const s = d.state;
  const stage = d.stage;
  // A flag step held back (its routing unconfirmed) repeats its idempotent action until it completes.
  if (stage?.kind === 'setFlag' && s.phase === 'Progressing' && !actions.some((a) => a.kind === 'setFlag')) {
    actions.push({
      kind: 'setFlag',
      flag: stage.flag,
      environment: stage.environment,
      rollout: stage.rollout,
    });
  }
  if (!s.routeConfirmed) actions.push({ kind: 'route', route: s.route });
  // A rollback takes players off the canary first; the flags it moved go back after that.
  actions.sort((a, b) => Number(a.kind === 'restoreFlag') - Number(b.kind === 'restoreFlag'));
  const rejected = d.rejected === undefined ? {} : { rejected: d.rejected };
  const cleaned = withoutUndefined(s);
  if (d.transitions.length === 0 && sameJson({ ...cleaned, updatedAt: input.updatedAt }, input)) {
    return { next: input, actions, transitions: [], ...rejected };
  }
  return { next: { ...cleaned, updatedAt: d.nowIso }, actions, transitions: d.transitions, ...rejected };
}
