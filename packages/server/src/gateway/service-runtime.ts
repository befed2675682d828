import type { RouteSpec, Upstreams } from '../routing/router.js';
import type { EndpointConfig, PoolConfig, ServiceConfig } from './gateway-config.js';
import type { JwtOptions } from './jwt-claims.js';
import { ContextBuilder } from './request-context.js';
import { type CompiledRoute, compileRoute } from './route-decision.js';
import { type TargetRegistry, UpstreamPool, type UpstreamTarget } from './upstream-pool.js';

/**
 * One service as the hot path sees it: its pools, compiled route, context builder and endpoint matchers.
 * Everything a request reads is swapped by replacing a field with a new object, never mutated in place, so a
 * request that already read the old route or pool finishes with it (hot reconfiguration drops nothing).
 */
export class ServiceRuntime {
  readonly name: string;
  readonly context: ContextBuilder;
  /** `endpoint` label of requests no configured endpoint matches: the route's prefix or host. */
  readonly defaultEndpoint: string;
  stable: UpstreamPool;
  canary: UpstreamPool | undefined;
  route: CompiledRoute;
  stickiness: string;
  /** Set by `applyRoute` (the controller), so a config reload keeps the controller's routing. */
  routeApplied = false;
  /** Pools the controller's RouteSpec named, re-applied over a reloaded config. */
  specPools: Pick<RouteSpec, 'stable' | 'canary'> | undefined;
  mirrorsInFlight = 0;
  private readonly exact = new Map<string, EndpointConfig[]>();
  private readonly prefixed: EndpointConfig[] = [];

  constructor(
    readonly config: ServiceConfig,
    private readonly targets: TargetRegistry,
    jwt: JwtOptions,
    clock: () => number,
  ) {
    this.name = config.name;
    this.context = new ContextBuilder(config.context, jwt);
    this.defaultEndpoint = config.match.pathPrefix ?? config.match.host ?? '/';
    this.stickiness = config.stickiness;
    this.stable = this.pool(config.stable);
    this.canary = config.canary ? this.pool(config.canary) : undefined;
    this.route = compileRoute(config.name, config.route, { clock });
    for (const e of config.endpoints) {
      if (e.path.endsWith('*')) this.prefixed.push(e);
      else {
        const list = this.exact.get(e.path) ?? [];
        list.push(e);
        this.exact.set(e.path, list);
      }
    }
    this.prefixed.sort((a, b) => b.path.length - a.path.length);
  }

  /** The configured business endpoint of a request (exact path first, then the longest `prefix*`). */
  endpoint(method: string, path: string): EndpointConfig | undefined {
    const q = path.indexOf('?');
    const bare = q < 0 ? path : path.slice(0, q);
    const exact = this.exact.get(bare);
    if (exact) for (const e of exact) if (e.method === undefined || e.method === method) return e;
    for (const e of this.prefixed) {
      if ((e.method === undefined || e.method === method) && bare.startsWith(e.path.slice(0, -1))) return e;
    }
    return undefined;
  }

  /**
   * Takes the versions and upstreams of the controller's RouteSpec: the rollout names the versions its analysis
   * queries by, so the gateway must label traffic with them. A side with no upstreams keeps the configured ones.
   */
  applySpec(spec: Pick<RouteSpec, 'stable' | 'canary'> & { stickiness?: string }): void {
    this.specPools = { stable: spec.stable, canary: spec.canary };
    if (spec.stickiness) this.stickiness = spec.stickiness;
    const stable = this.merge(spec.stable, this.config.stable);
    const canary = this.merge(spec.canary, this.config.canary);
    if (stable && !samePool(this.stable, stable)) this.swap('stable', stable);
    if (canary && !(this.canary && samePool(this.canary, canary))) this.swap('canary', canary);
  }

  /** Releases the targets; in-flight requests keep their pools until they finish. */
  dispose(): void {
    this.retire(this.stable);
    if (this.canary) this.retire(this.canary);
  }

  private merge(spec: Upstreams, configured: PoolConfig | undefined): PoolConfig | undefined {
    if (spec.upstreams.length > 0) return { version: spec.version, upstreams: spec.upstreams };
    return configured ? { version: spec.version, upstreams: configured.upstreams } : undefined;
  }

  private swap(arm: 'stable' | 'canary', config: PoolConfig): void {
    const old = arm === 'stable' ? this.stable : this.canary;
    const next = this.pool(config);
    if (arm === 'stable') this.stable = next;
    else this.canary = next;
    if (old) this.retire(old);
  }

  private retire(pool: UpstreamPool): void {
    pool.retire(() => {
      for (const t of pool.targets) this.targets.release(t);
    });
  }

  private pool(config: PoolConfig): UpstreamPool {
    const c = this.config;
    const targets: UpstreamTarget[] = config.upstreams.map((url) =>
      this.targets.acquire(url, {
        connectMs: c.timeouts.connectMs,
        breaker: c.circuitBreaker,
        ...(c.healthCheck ? { healthCheck: c.healthCheck } : {}),
      }),
    );
    return new UpstreamPool(config.version, targets);
  }
}

function samePool(pool: UpstreamPool, config: PoolConfig): boolean {
  return (
    pool.version === config.version &&
    pool.targets.length === config.upstreams.length &&
    pool.targets.every((t, i) => t.url === config.upstreams[i])
  );
}
