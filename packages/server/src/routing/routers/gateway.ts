import { PitbossError } from '../../errors.js';
import type { RouteUpdate, RouteView } from '../../gateway/admin-api.js';
import type { ApplyRouteOptions } from '../../gateway/gateway.js';
import type { RouteSpec, RouteState, TrafficRouter } from '../router.js';
import { sameRoute } from './nop.js';

/** What the in-process router needs of a Gateway (gateway/gateway.ts). */
export interface GatewayHandle {
  applyRoute(service: string, route: RouteState, options?: ApplyRouteOptions): void;
  route(service: string): RouteState | undefined;
}

/**
 * The built-in gateway as the rollout controller's traffic router, in the same process: each call replaces the
 * service's route at once (in-flight requests finish where they were sent), and `verify` reads the live route
 * back. The RouteSpec's versions (and upstreams, when given) label what the gateway measures, so the analysis
 * queries by the rollout's version names.
 */
export class GatewayRouter implements TrafficRouter {
  readonly kind = 'gateway';

  constructor(private readonly gateway: GatewayHandle) {}

  async setWeight(route: RouteSpec, weight: number): Promise<void> {
    this.update(route, { weight });
  }

  async setSegment(route: RouteSpec, segment: string | undefined): Promise<void> {
    this.update(route, { segment: segment?.trim() ? segment : undefined });
  }

  async setMirror(route: RouteSpec, percent: number): Promise<void> {
    this.update(route, { mirror: percent });
  }

  async verify(route: RouteSpec, expected: RouteState): Promise<boolean> {
    const live = this.gateway.route(route.service);
    return live !== undefined && sameRoute(live, expected);
  }

  async reset(route: RouteSpec): Promise<void> {
    this.gateway.applyRoute(route.service, { weight: 0, mirror: 0 }, options(route));
  }

  private update(route: RouteSpec, change: Partial<RouteState>): void {
    const current = this.gateway.route(route.service);
    if (!current) throw new PitbossError('NOT_FOUND', `the gateway has no service '${route.service}'`);
    const next: RouteState = { ...current, ...change };
    if (next.segment === undefined) delete (next as { segment?: string }).segment;
    this.gateway.applyRoute(route.service, next, options(route));
  }
}

export interface RemoteGatewayOptions {
  /** Base URL of the gateway's admin API (`pitboss gateway --admin-port`). */
  readonly url: string;
  readonly token: string;
  readonly timeoutMs?: number;
}

/**
 * The built-in gateway as a traffic router when it runs as its own process (`pitboss gateway --admin-port …`):
 * the same calls over the admin HTTP API. PATCH sends only the field that changes, so the gateway merges it
 * atomically with the live route.
 */
export class RemoteGatewayRouter implements TrafficRouter {
  readonly kind = 'gateway';
  private readonly base: string;

  constructor(private readonly options: RemoteGatewayOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  async setWeight(route: RouteSpec, weight: number): Promise<void> {
    await this.call('PATCH', route, { weight: finite('weight', weight) });
  }

  async setSegment(route: RouteSpec, segment: string | undefined): Promise<void> {
    await this.call('PATCH', route, { segment: segment?.trim() ? segment : null });
  }

  async setMirror(route: RouteSpec, percent: number): Promise<void> {
    await this.call('PATCH', route, { mirror: finite('mirror', percent) });
  }

  async verify(route: RouteSpec, expected: RouteState): Promise<boolean> {
    const view = await this.call('GET', route);
    return sameRoute(view.route, expected);
  }

  async reset(route: RouteSpec): Promise<void> {
    await this.call('PUT', route, { weight: 0, mirror: 0 });
  }

  private async call(
    method: 'GET' | 'PUT' | 'PATCH',
    route: RouteSpec,
    update?: RouteUpdate,
  ): Promise<RouteView> {
    const o = options(route);
    const body = update === undefined ? undefined : JSON.stringify({ ...update, ...o });
    let res: Response;
    try {
      res = await fetch(`${this.base}/v1/routes/${encodeURIComponent(route.service)}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (e) {
      throw new PitbossError(
        'UNAVAILABLE',
        `gateway admin API unreachable: ${(e as Error).message}`,
        undefined,
        {
          cause: e,
        },
      );
    }
    const json = (await res.json().catch(() => undefined)) as
      | (RouteView & { code?: string; message?: string })
      | undefined;
    if (res.ok && json) return json;
    const code = json?.code;
    const known = code === 'VALIDATION_FAILED' || code === 'NOT_FOUND' || code === 'UNAUTHENTICATED';
    throw new PitbossError(
      known ? code : 'UNAVAILABLE',
      `gateway admin API: ${json?.message ?? `HTTP ${res.status}`}`,
    );
  }
}

/** NaN and infinities do not survive JSON (they become null): refuse them here, as the gateway would. */
function finite(what: string, value: number): number {
  if (!Number.isFinite(value))
    throw new PitbossError('VALIDATION_FAILED', `${what} must be a percentage from 0 to 100, got ${value}`);
  return value;
}

function options(route: RouteSpec): ApplyRouteOptions {
  return {
    spec: { stable: route.stable, canary: route.canary, stickiness: route.stickiness },
    ...(route.rolloutStep === undefined ? {} : { rolloutStep: route.rolloutStep }),
  };
}
