import { PitbossError } from '../../errors.js';
import { type RouteSpec, type RouteState, STABLE_ONLY, type TrafficRouter } from '../router.js';

/**
 * The router for dry runs (Flagger `pkg/router/nop.go`): it moves no traffic, it remembers what the controller
 * asked for each service, and `verify` compares with that, so a rollout can be rehearsed end to end — steps,
 * pauses, analysis on real metrics — without touching a player.
 */
export class NopRouter implements TrafficRouter {
  readonly kind = 'nop';
  private readonly states = new Map<string, RouteState>();

  async setWeight(route: RouteSpec, weight: number): Promise<void> {
    this.update(route, { weight: percent('weight', weight) });
  }

  async setSegment(route: RouteSpec, segment: string | undefined): Promise<void> {
    this.update(route, { segment: segment === undefined || segment.trim() === '' ? undefined : segment });
  }

  async setMirror(route: RouteSpec, mirror: number): Promise<void> {
    this.update(route, { mirror: percent('mirror', mirror) });
  }

  async verify(route: RouteSpec, expected: RouteState): Promise<boolean> {
    return sameRoute(this.state(route.service), expected);
  }

  async reset(route: RouteSpec): Promise<void> {
    this.states.delete(route.service);
  }

  /** What the controller last asked for the service (stable only when nothing was asked). */
  state(service: string): RouteState {
    return this.states.get(service) ?? STABLE_ONLY;
  }

  private update(route: RouteSpec, change: Partial<RouteState>): void {
    const next = { ...this.state(route.service), ...change };
    if (next.segment === undefined) delete (next as { segment?: string }).segment;
    this.states.set(route.service, next);
  }
}

/**
 * Whether two routings are the same: weights within a millionth of a percent (fractions such as 0.1 % travel
 * through JSON and floating point), an absent segment equal to an empty one.
 */
export function sameRoute(a: RouteState, b: RouteState): boolean {
  const close = (x: number, y: number) => Math.abs(x - y) < 1e-6;
  return (
    close(a.weight, b.weight) &&
    close(a.mirror, b.mirror) &&
    (a.segment || undefined) === (b.segment || undefined)
  );
}

function percent(what: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw new PitbossError('VALIDATION_FAILED', `${what} must be a percentage from 0 to 100, got ${value}`);
  }
  return value;
}
