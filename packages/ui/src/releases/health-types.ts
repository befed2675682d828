/** Release health as `GET /api/v1/rollouts/:name/health` and `watch?health=true` give it: the server's own types. */
import type { HealthSample } from '@pitboss/server/api-types';

export type { EndpointHealth, HealthFigures, HealthSample, ReleaseHealth } from '@pitboss/server/api-types';

/** An `event: health` of the watch stream: a sample, or that samples cannot be read. */
export type HealthEvent = HealthSample | { readonly available: false; readonly error: string };
