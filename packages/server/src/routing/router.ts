/**
 * The traffic router (Flagger `pkg/router/router.go`, with `nop.go`): the one thing the rollout controller asks of
 * whatever splits traffic. The built-in gateway implements it (gateway issue); `routers/nop.ts` records the desired
 * state for dry runs. Every call is idempotent: the controller repeats it until `verify` confirms.
 */
export interface Upstreams {
  readonly version: string;
  readonly upstreams: readonly string[];
}

/** The service whose traffic is split, and its two versions. */
export interface RouteSpec {
  readonly service: string;
  readonly stable: Upstreams;
  readonly canary: Upstreams;
  /** Context attribute players are bucketed by, so each keeps their version while the weight grows. */
  readonly stickiness: string;
  /** The rollout step applying this routing: routers that measure label their metrics with it (`rollout_step`). */
  readonly rolloutStep?: number;
}

/** What the router should be doing for a service. */
export interface RouteState {
  /** Percent of traffic to the canary, 0–100; fractions below 1 % allowed (0.1 = one player in a thousand). */
  readonly weight: number;
  /** Rule-language condition: players matching it go to the canary whatever the weight. */
  readonly segment?: string;
  /** Percent of requests mirrored to the canary (shadow traffic, responses discarded). */
  readonly mirror: number;
}

export interface TrafficRouter {
  readonly kind: string;
  setWeight(route: RouteSpec, weight: number): Promise<void>;
  setSegment(route: RouteSpec, segment: string | undefined): Promise<void>;
  setMirror(route: RouteSpec, percent: number): Promise<void>;
  /** True when the live routing of the service matches `expected` (the controller does not advance before). */
  verify(route: RouteSpec, expected: RouteState): Promise<boolean>;
  /** All traffic to stable: weight 0, no segment, no mirror. */
  reset(route: RouteSpec): Promise<void>;
}

export const STABLE_ONLY: RouteState = Object.freeze({ weight: 0, mirror: 0 });
