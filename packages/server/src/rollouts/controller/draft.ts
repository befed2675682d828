import type { RouteState } from '../../routing/router.js';
import type { ResolvedRollout } from '../rollout.js';
import type { Action, RolloutPhase, RolloutState, Transition } from '../rollout-state.js';
import { routeEquals, type Stage, stagesOf } from './stages.js';

/** Tunables of the controller; the defaults suit the built-in gateway. */
export interface ControllerOptions {
  /** How long the router may take to confirm a routing change before the rollout is Degraded. Default 30 s. */
  readonly routeConfirmTimeoutMs?: number;
}

export const DEFAULT_ROUTE_CONFIRM_TIMEOUT_MS = 30_000;

/**
 * The working copy of one `step` call: the state as it evolves, and the actions and transitions it produces.
 * Mutated only inside `step`, which stays a pure function of its arguments.
 */
export class Draft {
  state: RolloutState;
  readonly actions: Action[] = [];
  readonly transitions: Transition[] = [];
  rejected: string | undefined;
  readonly stages: readonly Stage[];
  readonly nowIso: string;

  constructor(
    readonly resolved: ResolvedRollout,
    input: RolloutState,
    readonly now: Date,
    readonly options: ControllerOptions,
  ) {
    this.state = input;
    this.stages = stagesOf(resolved);
    this.nowIso = now.toISOString();
  }

  get stage(): Stage | undefined {
    return this.stages[this.state.stepIndex];
  }

  /** True once every stage is done: the state waits for 100 % to be confirmed, or is Healthy. */
  get atCompletion(): boolean {
    return this.state.stepIndex >= this.stages.length;
  }

  update(patch: Partial<RolloutState>): void {
    this.state = { ...this.state, ...patch };
  }

  /** Changes the desired routing; an unchanged routing keeps its confirmation. */
  setRoute(route: RouteState): void {
    if (routeEquals(route, this.state.route)) return;
    this.update({ route, routeConfirmed: false });
  }

  /** Records a transition that led from `from` to the current state, with `message` as the state's message. */
  record(event: string, from: RolloutPhase, message: string): void {
    const transitions = this.state.transitions + 1;
    this.update({ message, transitions });
    const s = this.state;
    this.transitions.push({
      event,
      from,
      to: s.phase,
      stepIndex: s.stepIndex,
      version: this.resolved.rollout.route.canary.version,
      rolloutStep: s.stepIndex,
      weight: s.route.weight,
      message,
    });
  }

  /**
   * The time left of a timed pause (`pause.until`). While it counts down (Progressing) that is `until - now`;
   * once interrupted (Paused, Degraded) the interruption froze it at `until - since`.
   */
  remainingPauseMs(): number | undefined {
    const pause = this.state.pause;
    if (pause?.until === undefined) return undefined;
    const until = Date.parse(pause.until);
    const from = this.state.phase === 'Progressing' ? this.now.getTime() : Date.parse(pause.since);
    return Math.max(0, until - from);
  }

  /** The `pause` of an interruption (operator pause, outage, incident, Degraded): keeps a timed pause's rest. */
  interruption(reason: string): NonNullable<RolloutState['pause']> {
    const rest = this.remainingPauseMs();
    return rest === undefined
      ? { reason, since: this.nowIso }
      : { reason, since: this.nowIso, until: new Date(this.now.getTime() + rest).toISOString() };
  }
}

/** Structural equality of JSON-like values; an `undefined` property equals a missing one (JSON drops both). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!sameJson(ra[k], rb[k])) return false;
  return true;
}

/** The state without `undefined` optional fields, as it will read back from storage. */
export function withoutUndefined(state: RolloutState): RolloutState {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) if (v !== undefined) out[k] = v;
  return out as unknown as RolloutState;
}
