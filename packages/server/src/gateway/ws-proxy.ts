import { type IncomingMessage, STATUS_CODES } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ProxyEnv } from './http-proxy.js';
import { VERSION_HEADER } from './http-proxy.js';
import { upstreamRequestHeaders } from './proxy-headers.js';
import { type Routed, routeRequest } from './request-routing.js';
import type { ServiceRuntime } from './service-runtime.js';

export interface WsOptions {
  /**
   * Ping both legs of every proxied connection this often: the upstream's pong gives the version's RTT
   * (`ws_rtt`), the player's the client RTT (`side="client"`, Prometheus only); 0: never.
   */
  readonly pingIntervalMs: number;
}

/** Handshake headers ws sets itself on the upstream connection. */
const HANDSHAKE = new Set([
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

/** `routed` travels with the upgrade request to the `headers` hook, which adds the version and the uid cookie. */
const ROUTED = Symbol('pitboss.routed');
type RoutedRequest = IncomingMessage & { [ROUTED]?: Routed & { protocol?: string } };

/**
 * The WebSocket side of the gateway. The version is chosen once, at the upgrade, with the same routing as HTTP,
 * and the connection stays on it for its whole life (reconfiguration never moves it). The upstream is opened
 * first and the player's upgrade is accepted only once it is open, so a refused upstream becomes a clean HTTP
 * error for the player, and no message can arrive before there is somewhere to send it.
 */
export class WsProxy {
  private readonly servers = new Map<number, WebSocketServer>();
  private readonly live = new Set<WebSocket>();

  constructor(
    private readonly env: ProxyEnv,
    private readonly options: WsOptions,
  ) {}

  upgrade(svc: ServiceRuntime, req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      refuse(socket, 400);
      return;
    }
    const started = performance.now();
    const routed: Routed & { protocol?: string } = routeRequest(
      svc,
      req,
      this.env.overrideSecret,
      this.env.now,
    );
    const pool = routed.pool;
    const record = (status: number) =>
      this.env.metrics.request({
        service: svc.name,
        version: pool.version,
        rolloutStep: svc.route.rolloutStep,
        endpoint: svc.endpoint('GET', path)?.name ?? svc.defaultEndpoint,
        method: 'GET',
        status,
        latencyMs: performance.now() - started,
      });
    const target = pool.pick();
    if (!target) {
      refuse(socket, 502);
      record(502);
      return;
    }
    // The pool is held through the handshake only: an open WebSocket has its own sockets, not the pool's.
    pool.lease();
    let leased = true;
    const unlease = () => {
      if (leased) pool.unlease();
      leased = false;
    };
    const headers = upstreamRequestHeaders(req);
    const forwarded: Record<string, string> = {};
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!.toLowerCase();
      if (!HANDSHAKE.has(name))
        forwarded[name] = forwarded[name] ? `${forwarded[name]}, ${headers[i + 1]}` : headers[i + 1]!;
    }
    const protocols = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const url = `${target.origin.replace(/^http/, 'ws')}${target.basePath}${path}`;
    const maxPayload = svc.config.maxBodyBytes;
    const upstream = new WebSocket(url, protocols, {
      headers: forwarded,
      handshakeTimeout: svc.config.timeouts.connectMs + svc.config.timeouts.responseMs,
      perMessageDeflate: false,
      maxPayload,
    });
    let opened = false;
    const onSocketGone = () => {
      if (!opened) upstream.terminate();
      unlease();
    };
    socket.once('close', onSocketGone);
    upstream.once('unexpected-response', (_request, response) => {
      // The upstream refused the upgrade (401, 404…): the player gets the same status; 5xx counts as a failure.
      const status = response.statusCode ?? 502;
      if (status >= 502 && status <= 504) target.breaker.failure();
      else target.breaker.success();
      response.resume();
      unlease();
      refuse(socket, status);
      record(status);
      upstream.terminate();
    });
    upstream.once('error', (err: NodeJS.ErrnoException) => {
      if (opened) return;
      unlease();
      target.breaker.failure();
      const timeout = /timed out|timeout/i.test(err.message);
      refuse(socket, timeout ? 504 : 502);
      record(timeout ? 504 : 502);
    });
    upstream.once('open', () => {
      opened = true;
      unlease();
      socket.off('close', onSocketGone);
      target.breaker.success();
      if (socket.destroyed) {
        upstream.terminate();
        return;
      }
      routed.protocol = upstream.protocol || undefined;
      (req as RoutedRequest)[ROUTED] = routed;
      this.server(maxPayload).handleUpgrade(req, socket, head, (player) => {
        record(101);
        this.relay(svc, pool.version, player, upstream);
      });
    });
  }

  /** Closes every proxied connection with 1001 (going away), as a server shutting down should. */
  closeAll(): void {
    for (const ws of this.live) ws.close(1001, 'gateway shutting down');
    for (const s of this.servers.values()) s.close();
  }

  get connections(): number {
    return this.live.size / 2;
  }

  private server(maxPayload: number): WebSocketServer {
    let wss = this.servers.get(maxPayload);
    if (!wss) {
      wss = new WebSocketServer({
        noServer: true,
        perMessageDeflate: false,
        maxPayload,
        // The player gets the subprotocol the upstream chose.
        handleProtocols: (_offered, req) => (req as RoutedRequest)[ROUTED]?.protocol ?? false,
      });
      wss.on('headers', (headers, req) => {
        const routed = (req as RoutedRequest)[ROUTED];
        if (!routed) return;
        if (this.env.versionHeader) headers.push(`${VERSION_HEADER}: ${routed.pool.version}`);
        if (routed.setCookie) headers.push(`Set-Cookie: ${routed.setCookie}`);
      });
      this.servers.set(maxPayload, wss);
    }
    return wss;
  }

  private relay(svc: ServiceRuntime, version: string, player: WebSocket, upstream: WebSocket): void {
    const metrics = this.env.metrics;
    this.live.add(player);
    this.live.add(upstream);
    metrics.wsConnection(svc.name, version, 1);
    player.on('message', (data, isBinary) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    });
    upstream.on('message', (data, isBinary) => {
      if (player.readyState === WebSocket.OPEN) player.send(data, { binary: isBinary });
    });
    player.on('close', (code, reason) => closeWith(upstream, code, reason));
    upstream.on('close', (code, reason) => closeWith(player, code, reason));
    player.on('error', () => upstream.terminate());
    upstream.on('error', () => player.terminate());

    // Both legs are pinged on the same interval. The upstream's pong times the version itself (a slow build shows
    // here): that is the version's `ws_rtt`. The player's pong times the player's network: kept apart (client).
    const pingers =
      this.options.pingIntervalMs > 0
        ? [
            rttPinger(upstream, (ms) =>
              metrics.wsRtt(svc.name, version, svc.route.rolloutStep, ms, 'upstream'),
            ),
            rttPinger(player, (ms) => metrics.wsRtt(svc.name, version, svc.route.rolloutStep, ms, 'client')),
          ]
        : [];
    const timer =
      pingers.length > 0
        ? setInterval(() => {
            for (const ping of pingers) ping();
          }, this.options.pingIntervalMs)
        : undefined;
    timer?.unref();
    let counted = true;
    const done = () => {
      clearInterval(timer);
      this.live.delete(player);
      this.live.delete(upstream);
      if (counted) metrics.wsConnection(svc.name, version, -1);
      counted = false;
    };
    player.once('close', done);
    upstream.once('close', done);
  }
}

/**
 * Pings `ws` when asked (one ping in flight at a time) and reports the round trip when its pong comes back. The
 * ping carries a sequence number and only a pong echoing it counts (RFC 6455 §5.5.3), so an unsolicited pong
 * (a heartbeat some servers send) is not taken for an answer. A ping still unanswered at the next tick is not
 * repeated: its late pong reports the whole wait.
 */
function rttPinger(ws: WebSocket, report: (rttMs: number) => void): () => void {
  let seq = 0;
  let inFlight: { payload: string; sentAt: number } | undefined;
  ws.on('pong', (data: Buffer) => {
    if (inFlight === undefined || data.toString() !== inFlight.payload) return;
    report(performance.now() - inFlight.sentAt);
    inFlight = undefined;
  });
  return () => {
    if (ws.readyState !== WebSocket.OPEN || inFlight !== undefined) return;
    inFlight = { payload: `pitboss-rtt-${++seq}`, sentAt: performance.now() };
    ws.ping(inFlight.payload);
  };
}

/**
 * Passes a close on to the other side. 1005 (no code) and 1006 (abnormal) describe what happened on one
 * connection and may not be sent (RFC 6455 §7.4.1): the other side gets a bare close or is cut.
 */
function closeWith(ws: WebSocket, code: number, reason: Buffer): void {
  if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return;
  if (code === 1006) ws.terminate();
  else if (code === 1005 || !sendable(code)) ws.close();
  else ws.close(code, reason);
}

function sendable(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

/** An HTTP answer on a socket that asked to upgrade, then the socket closed. */
export function refuse(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const text = STATUS_CODES[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
