import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { PitbossError } from '../errors.js';
import type { RouteSpec, RouteState } from '../routing/router.js';
import type { GatewayConfig } from './gateway-config.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { type ProxyEnv, proxyHttp, reject } from './http-proxy.js';
import { compileRoute } from './route-decision.js';
import { ServiceRuntime } from './service-runtime.js';
import type { TrafficStats } from './traffic-stats.js';
import { TargetRegistry } from './upstream-pool.js';
import { refuse, WsProxy } from './ws-proxy.js';

/** pino-compatible: what the gateway logs through. */
export interface GatewayLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface GatewayDeps {
  readonly trafficStats?: TrafficStats;
  readonly logger?: GatewayLogger;
  /** Epoch ms: token and JWT expiry, breaker cooldowns, route compilation. */
  readonly clock?: () => number;
  /** Secret shared with the control plane for override tokens; without it overrides are ignored. */
  readonly overrideSecret?: string;
  /** The mirror sample (0 ≤ x < 1); Math.random by default. */
  readonly random?: () => number;
}

export interface ApplyRouteOptions {
  /** The rollout step the route belongs to: the `rollout_step` label of what is measured from now on. */
  readonly rolloutStep?: number;
  /** The controller's view of the service: its version labels (and upstreams, when given) replace the config's. */
  readonly spec?: Pick<RouteSpec, 'stable' | 'canary'> & { readonly stickiness?: string };
}

const NOOP_LOGGER: GatewayLogger = { info() {}, warn() {}, error() {} };

/**
 * The built-in gateway: an HTTP/1.1 and WebSocket reverse proxy that splits each service's traffic between its
 * stable and canary versions as the rollout controller asks (`applyRoute`), and measures both (docs/gateway.md).
 */
export class Gateway implements ProxyEnv {
  readonly metrics: GatewayMetrics;
  readonly server: Server;
  readonly now: () => number;
  readonly random: () => number;
  readonly overrideSecret: string | undefined;
  private config: GatewayConfig;
  private services = new Map<string, ServiceRuntime>();
  /** Host-specific services first, then by prefix length, longest first: the first match wins. */
  private ordered: ServiceRuntime[] = [];
  private readonly targets: TargetRegistry;
  private readonly ws: WsProxy;
  private readonly logger: GatewayLogger;

  constructor(config: GatewayConfig, deps: GatewayDeps = {}) {
    this.now = deps.clock ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.overrideSecret = deps.overrideSecret || undefined;
    this.logger = deps.logger ?? NOOP_LOGGER;
    this.metrics = new GatewayMetrics(deps.trafficStats);
    this.targets = new TargetRegistry(this.now);
    this.config = config;
    this.install(config);
    this.ws = new WsProxy(this, { pingIntervalMs: config.wsPingIntervalMs });
    // Keep idle player connections longer than the load balancers in front usually do (60 s): with Node's 5 s
    // default, a request written just as the gateway closes an idle socket is lost (seen in bench/gateway).
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.server.on('clientError', (err, socket) => clientError(err as NodeJS.ErrnoException, socket));
  }

  get versionHeader(): boolean {
    return this.config.versionHeader;
  }

  /** Listens on the configured host and port (0: any free port); resolves to the port bound. */
  async listen(): Promise<number> {
    const { host, port } = this.config.listen;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as { port: number }).port;
  }

  /**
   * Replaces a service's routing. Requests already routed finish where they were sent; WebSockets stay on their
   * version. Throws NOT_FOUND for a service the config does not have, VALIDATION_FAILED for a bad route.
   */
  applyRoute(service: string, route: RouteState, options: ApplyRouteOptions = {}): void {
    const svc = this.services.get(service);
    if (!svc) throw new PitbossError('NOT_FOUND', `the gateway has no service '${service}'`, { service });
    const compiled = compileRoute(service, route, {
      clock: this.now,
      ...(options.rolloutStep === undefined ? {} : { rolloutStep: options.rolloutStep }),
    });
    if (options.spec) svc.applySpec(options.spec);
    svc.route = compiled;
    svc.routeApplied = true;
    this.logger.info({ service, route: compiled.state, rolloutStep: options.rolloutStep }, 'route applied');
  }

  /** The live routing of a service; undefined for a service the gateway does not have. */
  route(service: string): RouteState | undefined {
    return this.services.get(service)?.route.state;
  }

  /** The rollout step the live routing of a service was applied for. */
  rolloutStep(service: string): number | undefined {
    return this.services.get(service)?.route.rolloutStep;
  }

  /** Names and versions of the configured services. */
  describe(): { name: string; stable: string; canary?: string; route: RouteState }[] {
    return [...this.services.values()].map((s) => ({
      name: s.name,
      stable: s.stable.version,
      ...(s.canary ? { canary: s.canary.version } : {}),
      route: s.route.state,
    }));
  }

  /**
   * Replaces the whole configuration without dropping anything: in-flight requests finish on the pools they
   * started with, connections to targets that stay are kept, and the routing the controller applied survives.
   * The listen address cannot change while running.
   */
  reconfigure(config: GatewayConfig): void {
    const previous = this.services;
    this.install(config);
    for (const [name, svc] of this.services) {
      const old = previous.get(name);
      if (!old) continue;
      if (old.specPools) svc.applySpec({ ...old.specPools, stickiness: old.stickiness });
      if (old.routeApplied) {
        svc.route = compileRoute(name, old.route.state, {
          clock: this.now,
          ...(old.route.rolloutStep === undefined ? {} : { rolloutStep: old.route.rolloutStep }),
        });
        svc.routeApplied = true;
      }
    }
    for (const old of previous.values()) old.dispose();
    if (config.listen.port !== this.config.listen.port || config.listen.host !== this.config.listen.host)
      this.logger.warn({ listen: config.listen }, 'the listen address changes only on restart');
    this.config = { ...config, listen: this.config.listen };
    this.logger.info({ services: this.services.size }, 'gateway reconfigured');
  }

  /** Stops accepting, lets in-flight requests finish, closes WebSockets with 1001 and the upstream pools. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    this.ws.closeAll();
    await closed;
    await this.targets.closeAll();
  }

  private install(config: GatewayConfig): void {
    const jwt = { now: this.now, ...(config.jwt.secret ? { secret: config.jwt.secret } : {}) };
    const services = new Map<string, ServiceRuntime>();
    for (const s of config.services) services.set(s.name, new ServiceRuntime(s, this.targets, jwt, this.now));
    this.services = services;
    this.ordered = [...services.values()].sort((a, b) => {
      const host = Number(b.config.match.host !== undefined) - Number(a.config.match.host !== undefined);
      return host !== 0
        ? host
        : (b.config.match.pathPrefix ?? '').length - (a.config.match.pathPrefix ?? '').length;
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      const target = this.target(req);
      if (typeof target === 'number') {
        reject(res, target, target === 400 ? 'bad request target' : 'no service matches this request');
        return;
      }
      proxyHttp(this, target.svc, req, res, target.path);
    } catch (e) {
      // Never crash on input: whatever slipped through is this request's 500, logged, and the next one goes on.
      this.logger.error({ err: e, url: req.url?.slice(0, 200) }, 'gateway request failed');
      reject(res, 500, 'gateway error');
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    try {
      const target = this.target(req);
      if (typeof target === 'number') {
        refuse(socket, target);
        return;
      }
      this.ws.upgrade(target.svc, req, socket, head, target.path);
    } catch (e) {
      this.logger.error({ err: e, url: req.url?.slice(0, 200) }, 'gateway upgrade failed');
      refuse(socket, 500);
    }
  }

  /** The service and origin-form path of a request, or the status to refuse it with. */
  private target(req: IncomingMessage): { svc: ServiceRuntime; path: string } | number {
    let path = req.url ?? '';
    let host = req.headers.host;
    if (path[0] !== '/') {
      // Absolute form (RFC 9112 §3.2.2) must be accepted; anything else ('*', garbage) is not ours to serve.
      if (!/^https?:\/\//i.test(path)) return 400;
      try {
        const url = new URL(path);
        path = `${url.pathname}${url.search}`;
        host = url.host;
      } catch {
        return 400;
      }
    }
    const hostname = host === undefined ? '' : hostOnly(host);
    const q = path.indexOf('?');
    const bare = q < 0 ? path : path.slice(0, q);
    for (const svc of this.ordered) {
      const m = svc.config.match;
      if (m.host !== undefined && m.host !== hostname) continue;
      if (m.pathPrefix !== undefined && !prefixMatches(bare, m.pathPrefix)) continue;
      return { svc, path };
    }
    return 404;
  }
}

/** `/wallet` matches `/wallet` and `/wallet/…`, never `/wallets`. */
function prefixMatches(path: string, prefix: string): boolean {
  if (prefix === '/' || prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47;
}

function hostOnly(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** Node's parser refused the request (bad syntax, headers too large): a clean 400/431, never a crash. */
function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const s = socket as Socket;
  if (err.code === 'ECONNRESET' || !s.writable) {
    s.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const text =
    status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  s.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
