import { BUCKET_COUNT, bucketFor, type Context, compileExpression, threshold } from '@pitboss/engine';
import { PitbossError } from '../errors.js';
import type { RouteState } from '../routing/router.js';

export type Arm = 'stable' | 'canary';
/** Why a request went where it went, in the order the gateway asks (docs/gateway.md "Routing order"). */
export type DecisionReason = 'override' | 'segment' | 'weight';

export interface Decision {
  readonly arm: Arm;
  readonly reason: DecisionReason;
}

/** A RouteState made ready for the hot path: the segment compiled, the weight turned into a bucket threshold. */
export interface CompiledRoute {
  readonly state: RouteState;
  readonly rolloutStep: number | undefined;
  /** Salt of the sticky bucketing: the service name, so each service splits its players independently. */
  readonly salt: string;
  /** Buckets below it go to the canary (engine bucketing: monotonic, so raising the weight moves no one back). */
  readonly threshold: number;
  readonly segment: ((ctx: Context) => boolean) | undefined;
}

/**
 * Checks and compiles a route. Throws `VALIDATION_FAILED` naming the problem (weights outside 0–100, a segment
 * that does not compile), so a bad route never replaces a good one.
 */
export function compileRoute(
  service: string,
  state: RouteState,
  options: { readonly rolloutStep?: number; readonly clock?: () => number } = {},
): CompiledRoute {
  percent('weight', state.weight);
  percent('mirror', state.mirror);
  const step = options.rolloutStep;
  if (step !== undefined && !(Number.isSafeInteger(step) && step >= 0))
    throw new PitbossError('VALIDATION_FAILED', `rolloutStep must be an integer ≥ 0, got ${step}`);
  const source = state.segment?.trim() ? state.segment : undefined;
  let segment: CompiledRoute['segment'];
  if (source !== undefined) {
    const compiled = compileExpression(source, {
      clock: options.clock ?? Date.now,
      segment: () => undefined,
      segmentStatus: () => 'missing',
    });
    if (!compiled.predicate) {
      const messages = compiled.diagnostics.filter((d) => d.severity !== 'warning').map((d) => d.message);
      throw new PitbossError('VALIDATION_FAILED', `segment does not compile: ${messages.join('; ')}`, {
        segment: source,
        diagnostics: compiled.diagnostics,
      });
    }
    segment = compiled.predicate;
  }
  const normalised: RouteState =
    source === undefined
      ? { weight: state.weight, mirror: state.mirror }
      : { weight: state.weight, mirror: state.mirror, segment: source };
  return {
    state: normalised,
    rolloutStep: step,
    salt: service,
    threshold: threshold(state.weight / 100),
    segment,
  };
}

/**
 * The routing decision after the override (which the caller checked, since it needs the request's token):
 * segment rule, then sticky weight. `context` and `stickyKey` are functions because most requests need
 * neither — with no segment and a weight of 0 or 100 nothing is built or hashed.
 */
export function decide(
  route: CompiledRoute,
  context: () => Context,
  stickyKey: () => string,
  override?: Arm,
): Decision {
  if (override !== undefined) return { arm: override, reason: 'override' };
  if (route.segment?.(context())) return { arm: 'canary', reason: 'segment' };
  if (route.threshold <= 0) return { arm: 'stable', reason: 'weight' };
  if (route.threshold >= BUCKET_COUNT) return { arm: 'canary', reason: 'weight' };
  return {
    arm: bucketFor(route.salt, stickyKey()) < route.threshold ? 'canary' : 'stable',
    reason: 'weight',
  };
}

/** Whether `decide` will need a sticky key (so the caller knows when to mint an anonymous cookie). */
export function needsStickyKey(route: CompiledRoute): boolean {
  return route.threshold > 0 && route.threshold < BUCKET_COUNT;
}

function percent(what: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100)
    throw new PitbossError('VALIDATION_FAILED', `${what} must be a percentage from 0 to 100, got ${value}`);
}
