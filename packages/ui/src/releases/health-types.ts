/** Release health as `GET /api/v1/rollouts/:name/health` and `watch?health=true` give it (server: rollouts/release-health.ts). */

export interface EndpointHealth {
  readonly requests: number;
  readonly successRatio: number | null;
  readonly p95Ms: number | null;
}

export interface HealthFigures {
  readonly requests: number;
  readonly successRatio: number | null;
  readonly p95Ms: number | null;
  readonly endpoints: Readonly<Record<string, EndpointHealth>>;
  readonly psps: Readonly<
    Record<string, { readonly requests: number; readonly successRatio: number | null }>
  >;
  readonly wsRttP95Ms: number | null;
}

/** Both arms over the interval `(at - stepMs, at]`. */
export interface HealthSample {
  readonly at: string;
  readonly stable: HealthFigures;
  readonly canary: HealthFigures;
}

export interface ReleaseHealth {
  readonly name: string;
  readonly service: string;
  readonly stableVersion: string;
  readonly canaryVersion: string;
  readonly windowMs: number;
  readonly stepMs: number;
  readonly available: boolean;
  readonly error?: string;
  readonly samples: readonly HealthSample[];
}

/** An `event: health` of the watch stream: a sample, or that samples cannot be read. */
export type HealthEvent = HealthSample | { readonly available: false; readonly error: string };
