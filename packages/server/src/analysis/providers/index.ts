import { PitbossError } from '../../errors.js';
import type { TrafficStats } from '../../gateway/traffic-stats.js';
import type { ProviderSpec } from '../analysis-template.js';
import type { MetricProvider } from '../provider.js';
import { BuiltinProvider } from './builtin.js';
import { PrometheusProvider } from './prometheus.js';
import { type GatewayAdminEndpoint, RemoteBuiltinProvider } from './remote-builtin.js';
import { WebProvider } from './web.js';

export interface ProviderDeps {
  /** The built-in gateway's measurements; without them `builtin` queries answer an error. */
  readonly trafficStats?: TrafficStats;
  /**
   * The admin API of a gateway running as its own process: `builtin` queries are answered by it (its
   * `POST /v1/query`) instead of by `trafficStats`.
   */
  readonly gatewayAdmin?: GatewayAdminEndpoint;
  /** HTTP client for `prometheus`, `web` and the remote `builtin` (tests inject one); default the global fetch. */
  readonly fetch?: typeof fetch;
}

export const PROVIDER_KINDS: readonly ProviderSpec['kind'][] = ['builtin', 'prometheus', 'web'];

/**
 * The provider factory (Argo Rollouts `metricproviders.go`): one instance per kind, created on first use. An
 * unknown kind is refused, never quietly replaced by Prometheus as Flagger's factory does.
 */
export function createProviders(deps: ProviderDeps = {}): (kind: ProviderSpec['kind']) => MetricProvider {
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const made = new Map<string, MetricProvider>();
  const make = (kind: string): MetricProvider => {
    switch (kind) {
      case 'builtin':
        return deps.gatewayAdmin
          ? new RemoteBuiltinProvider(deps.gatewayAdmin, fetchImpl)
          : new BuiltinProvider(deps.trafficStats);
      case 'prometheus':
        return new PrometheusProvider(fetchImpl);
      case 'web':
        return new WebProvider(fetchImpl);
      default:
        throw new PitbossError(
          'VALIDATION_FAILED',
          `unknown metric provider '${kind}' (known: ${PROVIDER_KINDS.join(', ')})`,
          { kind },
        );
    }
  };
  return (kind) => {
    let provider = made.get(kind);
    if (!provider) {
      provider = make(kind);
      made.set(kind, provider);
    }
    return provider;
  };
}
