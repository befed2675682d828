import type { RouteState } from '../routing/router.js';

/**
 * The normalised gateway configuration: what `readGatewayConfig` makes of a `kind: Gateway` document, with every
 * default filled in, and what `startGateway` / `Gateway.reconfigure` take. docs/gateway.md is the reference.
 */
export interface GatewayConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly services: readonly ServiceConfig[];
  /** HS256 verification of JWT claim sources when a secret is given; decode-only otherwise (docs/gateway.md). */
  readonly jwt: { readonly secret?: string };
  /** Adds `x-pitboss-version: <version>` to every proxied response (tests, debugging). */
  readonly versionHeader: boolean;
  /** Ping interval of proxied WebSocket players; the pong gives the RTT. 0 turns pings off. */
  readonly wsPingIntervalMs: number;
}

/** Where a context attribute comes from. */
export type ContextSource =
  | { readonly header: string }
  | { readonly cookie: string }
  | { readonly jwtClaim: string };

export interface PoolConfig {
  readonly version: string;
  /** Base URLs (`http://host:port`); a path on them is prepended to the request path. */
  readonly upstreams: readonly string[];
}

export interface EndpointConfig {
  /** The `endpoint` label; keeps metric cardinality bounded (never the raw path). */
  readonly name: string;
  /** Undefined: any method. */
  readonly method?: string;
  /** Exact path, or a prefix when it ends with `*`. */
  readonly path: string;
  /** Response header naming the payment service provider, for the `psp` label. */
  readonly pspHeader?: string;
}

export interface HealthCheckConfig {
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Consecutive failed checks before a target is marked down. */
  readonly unhealthyThreshold: number;
  /** Consecutive passed checks before a down target is back. */
  readonly healthyThreshold: number;
}

export interface ServiceConfig {
  readonly name: string;
  /** Requests whose path starts with `pathPrefix` (longest wins) and/or whose Host is `host`. */
  readonly match: { readonly pathPrefix?: string; readonly host?: string };
  readonly stable: PoolConfig;
  readonly canary?: PoolConfig;
  /** Context attribute players are bucketed by; anonymous players by the `pitboss_uid` cookie. */
  readonly stickiness: string;
  /** Attribute name (dotted: `user.isEmployee`) → source. */
  readonly context: Readonly<Record<string, ContextSource>>;
  readonly endpoints: readonly EndpointConfig[];
  readonly timeouts: { readonly connectMs: number; readonly responseMs: number };
  /** Extra attempts for idempotent requests without a body after a connect failure (never POST). */
  readonly retries: number;
  readonly maxBodyBytes: number;
  readonly mirror: { readonly maxConcurrent: number; readonly maxBodyBytes: number };
  readonly healthCheck?: HealthCheckConfig;
  /** Consecutive failures that open a target's circuit, and how long it stays open before a probe. */
  readonly circuitBreaker: { readonly failures: number; readonly cooldownMs: number };
  /** Routing at start; the controller's `applyRoute` replaces it. */
  readonly route: RouteState;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  connectMs: 2_000,
  responseMs: 30_000,
  retries: 1,
  maxBodyBytes: 1_048_576,
  mirrorMaxConcurrent: 64,
  mirrorMaxBodyBytes: 65_536,
  healthPath: '/healthz',
  healthIntervalMs: 5_000,
  healthTimeoutMs: 2_000,
  unhealthyThreshold: 2,
  healthyThreshold: 1,
  breakerFailures: 5,
  breakerCooldownMs: 10_000,
  wsPingIntervalMs: 10_000,
  stickiness: 'playerId',
} as const;

/** A service with the defaults filled in, for tests and embedders that build configs in code. */
export function serviceConfig(
  s: Pick<ServiceConfig, 'name' | 'match' | 'stable'> & Partial<ServiceConfig>,
): ServiceConfig {
  return {
    stickiness: DEFAULTS.stickiness,
    context: { [s.stickiness ?? DEFAULTS.stickiness]: { header: 'x-player-id' } },
    endpoints: [],
    timeouts: { connectMs: DEFAULTS.connectMs, responseMs: DEFAULTS.responseMs },
    retries: DEFAULTS.retries,
    maxBodyBytes: DEFAULTS.maxBodyBytes,
    mirror: { maxConcurrent: DEFAULTS.mirrorMaxConcurrent, maxBodyBytes: DEFAULTS.mirrorMaxBodyBytes },
    circuitBreaker: { failures: DEFAULTS.breakerFailures, cooldownMs: DEFAULTS.breakerCooldownMs },
    route: { weight: 0, mirror: 0 },
    ...s,
  };
}

/** A whole config with defaults, for tests and embedders. */
export function gatewayConfig(
  c: Pick<GatewayConfig, 'services'> & Partial<Omit<GatewayConfig, 'services'>>,
): GatewayConfig {
  return {
    listen: { host: DEFAULTS.host, port: 0 },
    jwt: {},
    versionHeader: true,
    wsPingIntervalMs: DEFAULTS.wsPingIntervalMs,
    ...c,
  };
}
