/**
 * @pitboss/sdk — the Node server SDK: local evaluation through `@pitboss/engine`, configuration delivered by
 * snapshot + SSE (with polling fallback), a cache file for cold starts, and an optional decision log.
 */
import { NodeClient } from './client.js';
import type { ClientOptions, PitbossClient } from './options.js';

export type { ClientEvent, ClientStatus, EvaluationDetails, FlagMetric } from '../shared/types.js';
export type { ClientOptions, DecisionLogOptions, FlagType, PitbossClient } from './options.js';

/**
 * Creates a client. It loads `bootstrap` and `cacheFile` synchronously, so a process that starts while the
 * control plane is down evaluates with the last good config at once, then keeps the config current in the
 * background. Throws a TypeError only for missing options; evaluation never throws.
 *
 * @example
 * import { createClient } from '@pitboss/sdk';
 *
 * const client = createClient({
 *   url: 'https://pitboss.example.com',
 *   sdkKey: process.env.PITBOSS_SDK_KEY!,
 *   environment: 'prod',
 *   cacheFile: '/var/cache/pitboss/prod.json',
 * });
 * await client.ready({ timeoutMs: 2000 });
 * const user = { id: 'p-42' };
 * if (client.isEnabled('payments_v2', { user, market: 'DE' })) {
 *   // new payments flow
 * }
 */
export function createClient(options: ClientOptions): PitbossClient {
  return new NodeClient(options);
}
