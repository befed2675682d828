/**
 * Test helper: the smallest stand-in for the real gateway, so the traffic generator can be tested against
 * in-process services alone. Routes by path prefix, sends a fixed share of players (by a hash of x-player-id)
 * to the canary, answers with `x-pitboss-version`, and relays WebSockets the same way. No retries, no metrics.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import WebSocket, { WebSocketServer } from 'ws';
import { hash32 } from '../../platform/rng.js';

export interface MiniService {
  readonly prefix: string;
  readonly stable: { version: string; url: string };
  readonly canary?: { version: string; url: string };
}

export interface MiniGateway {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMiniGateway(
  services: readonly MiniService[],
  canaryPercent: number,
): Promise<MiniGateway> {
  const pick = (req: IncomingMessage) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const svc = services.find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`));
    if (!svc) return undefined;
    const player = String(req.headers['x-player-id'] ?? '');
    const canary = svc.canary && hash32(`${svc.prefix}:${player}`) % 100 < canaryPercent;
    return canary && svc.canary ? svc.canary : svc.stable;
  };
  const server: Server = createServer(async (req, res) => {
    const target = pick(req);
    if (!target) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    try {
      const headers = { ...req.headers };
      delete headers.host;
      delete headers.connection;
      const up = await request(`${target.url}${req.url}`, {
        method: req.method as 'GET',
        headers: headers as Record<string, string>,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const body = Buffer.from(await up.body.arrayBuffer());
      const out: Record<string, string> = { 'x-pitboss-version': target.version };
      for (const [k, v] of Object.entries(up.headers)) {
        if (typeof v === 'string' && !['connection', 'keep-alive', 'transfer-encoding'].includes(k))
          out[k] = v;
      }
      res.writeHead(up.statusCode, out).end(body);
    } catch {
      res.writeHead(502).end();
    }
  });
  const wss = new WebSocketServer({ noServer: true });
  const versionOf = new WeakMap<IncomingMessage, string>();
  wss.on('headers', (h, req) => {
    const version = versionOf.get(req);
    if (version) h.push(`x-pitboss-version: ${version}`);
  });
  server.on('upgrade', (req, socket, head) => {
    const target = pick(req);
    if (!target) {
      socket.destroy();
      return;
    }
    const upstream = new WebSocket(`${target.url.replace('http', 'ws')}${req.url}`);
    upstream.once('error', () => socket.destroy());
    upstream.once('open', () => {
      versionOf.set(req, target.version);
      wss.handleUpgrade(req, socket, head, (player) => {
        player.on(
          'message',
          (d, bin) => upstream.readyState === WebSocket.OPEN && upstream.send(d, { binary: bin }),
        );
        upstream.on(
          'message',
          (d, bin) => player.readyState === WebSocket.OPEN && player.send(d, { binary: bin }),
        );
        player.on('close', () => upstream.close());
        upstream.on('close', () => player.close());
        player.on('error', () => upstream.terminate());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
