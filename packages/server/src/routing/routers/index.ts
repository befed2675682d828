import { PitbossError } from '../../errors.js';
import type { TrafficRouter } from '../router.js';
import type { GatewayHandle } from './gateway.js';
import { GatewayRouter, RemoteGatewayRouter } from './gateway.js';
import { NopRouter } from './nop.js';

/**
 * What routers may need from the server. `gateway`: the built-in gateway in this process; `gatewayAdmin`: the
 * admin API of a gateway running as its own process (`pitboss gateway --admin-port`). One of them for 'gateway'.
 */
export interface RouterDeps {
  readonly gateway?: GatewayHandle;
  readonly gatewayAdmin?: { readonly url: string; readonly token: string };
}

export const ROUTER_KINDS: readonly string[] = ['nop', 'gateway'];

/** The traffic router factory: refuses unknown kinds rather than guessing (STYLE.md, pluggable kinds). */
export function createRouter(kind: string, deps: RouterDeps = {}): TrafficRouter {
  switch (kind) {
    case 'nop':
      return new NopRouter();
    case 'gateway':
      if (deps.gateway) return new GatewayRouter(deps.gateway);
      if (deps.gatewayAdmin) return new RemoteGatewayRouter(deps.gatewayAdmin);
      throw new PitbossError(
        'VALIDATION_FAILED',
        "traffic router 'gateway' needs the built-in gateway (--gateway-config) or a gateway admin URL and token",
      );
    default:
      throw new PitbossError(
        'VALIDATION_FAILED',
        `unknown traffic router '${kind}' (known: ${ROUTER_KINDS.join(', ')})`,
        {
          kind,
        },
      );
  }
}
