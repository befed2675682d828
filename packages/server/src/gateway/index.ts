/**
 * The built-in gateway (docs/gateway.md). `startGateway` is what the CLI, the server and the benchmark use.
 */

import { Gateway, type GatewayDeps } from './gateway.js';
import type { GatewayConfig } from './gateway-config.js';

export { type ApplyRouteOptions, Gateway, type GatewayDeps, type GatewayLogger } from './gateway.js';
export type {
  ContextSource,
  EndpointConfig,
  GatewayConfig,
  HealthCheckConfig,
  PoolConfig,
  ServiceConfig,
} from './gateway-config.js';
export { DEFAULTS, gatewayConfig, serviceConfig } from './gateway-config.js';
export { VERSION_HEADER } from './http-proxy.js';
export { MIRROR_HEADER } from './mirror.js';
export {
  mintOverrideToken,
  OVERRIDE_COOKIE,
  OVERRIDE_HEADER,
  type OverrideClaims,
  verifyOverrideToken,
} from './override-token.js';
export { type GatewayConfigResult, readGatewayConfig } from './read-gateway-config.js';
export { UID_COOKIE } from './request-routing.js';
export { TrafficStats } from './traffic-stats.js';

export interface GatewayOptions extends GatewayDeps {
  readonly config: GatewayConfig;
}

export interface RunningGateway {
  /** `http://host:port` the gateway listens on. */
  readonly url: string;
  readonly port: number;
  readonly gateway: Gateway;
  close(): Promise<void>;
}

/**
 * Starts a gateway listening on `config.listen` (port 0: a free port).
 *
 * @example
 * const running = await startGateway({ config: gatewayConfig({ services: [serviceConfig({ name: 'wallet',
 *   match: { pathPrefix: '/wallet' }, stable: { version: 'v1', upstreams: ['http://127.0.0.1:4001'] } })] }) });
 * running.gateway.applyRoute('wallet', { weight: 5, mirror: 0 }, { rolloutStep: 1 });
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { config, ...deps } = options;
  const gateway = new Gateway(config, deps);
  let port: number;
  try {
    port = await gateway.listen();
  } catch (e) {
    await gateway.close().catch(() => {});
    throw e;
  }
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  return { url: `http://${host}:${port}`, port, gateway, close: () => gateway.close() };
}
