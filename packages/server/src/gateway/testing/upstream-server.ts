import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** What an upstream saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface TestUpstream {
  readonly url: string;
  readonly port: number;
  readonly seen: SeenRequest[];
  /** Close codes of WebSocket connections as the upstream received them. */
  readonly wsCloses: number[];
  /** Replaces the answer; the default echoes `{version, method, url}` as JSON with status 200. */
  handle(handler: UpstreamHandler): void;
  /** What `/healthz` answers: 200 when true (the default), 500 when false. */
  healthy: boolean;
  close(): Promise<void>;
}

export interface UpstreamOptions {
  /** Answer WebSocket protocol pings this late (a slow build); absent: at once (ws' automatic pong). */
  readonly pongDelayMs?: number;
}

/**
 * A real node:http upstream on an ephemeral port for gateway tests (no mocks of the network). It answers as
 * `version`, records every request, serves `/healthz`, and echoes WebSocket messages prefixed with the version.
 */
export async function startUpstream(version: string, options: UpstreamOptions = {}): Promise<TestUpstream> {
  const seen: SeenRequest[] = [];
  const state = { healthy: true };
  const wsCloses: number[] = [];
  let handler: UpstreamHandler = (req, res) => {
    const body = JSON.stringify({ version, method: req.method, url: req.url });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/healthz') {
        res.writeHead(state.healthy ? 200 : 500);
        res.end(state.healthy ? 'ok' : 'down');
        return;
      }
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  const pongDelayMs = options.pongDelayMs;
  const wss = new WebSocketServer({ server, autoPong: pongDelayMs === undefined });
  wss.on('connection', (ws, req) => {
    if (pongDelayMs !== undefined)
      ws.on('ping', (data) => {
        setTimeout(() => {
          if (ws.readyState === ws.OPEN) ws.pong(data);
        }, pongDelayMs).unref();
      });
    ws.on('message', (data, isBinary) => {
      if (isBinary) ws.send(Buffer.concat([Buffer.from(`${version}:`), data as Buffer]), { binary: true });
      else if (data.toString() === 'close-me') ws.close(4001, 'asked to');
      else ws.send(`${version}:${data.toString()}`);
    });
    ws.on('close', (code) => wsCloses.push(code));
    ws.send(`hello from ${version} ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    wsCloses,
    get healthy() {
      return state.healthy;
    },
    set healthy(v: boolean) {
      state.healthy = v;
    },
    handle(h) {
      handler = h;
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
