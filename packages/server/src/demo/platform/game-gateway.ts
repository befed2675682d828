/**
 * game-gateway: the live-game WebSocket at /games/ws plus POST /games/launch. On the socket it answers
 * WebSocket pings with pongs and the game's own `{"type":"ping"}` messages with `{"type":"pong"}` (the
 * ws-regression scenario delays both), spins with results, and echoes anything else. A malformed message gets
 * an error message back, never a crash or a dropped connection.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Router, str } from './http-kit.js';
import type { ServiceContext } from './service-context.js';

export const GAMES_WS_PATH = '/games/ws';
const MAX_MESSAGE_BYTES = 64 * 1024;

export interface GameGateway {
  /** The server's 'upgrade' listener. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every live socket with 1001 (going away). */
  close(): void;
  readonly connections: number;
}

export function registerGameGateway(router: Router, ctx: ServiceContext): GameGateway {
  const { profile } = ctx;

  router.on('POST', '/games/launch', async (req) => {
    const body = await req.json();
    const playerId = str(body, 'playerId');
    const game = str(body, 'game', 64);
    await ctx.delay(profile.apiLatency);
    return { status: 200, body: { playerId, game, socket: GAMES_WS_PATH } };
  });

  // autoPong off: the pong is ours to send, so the scenario can delay it like a struggling build would.
  const wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: MAX_MESSAGE_BYTES });
  const live = new Set<WebSocket>();

  const pongDelay = async () => {
    if (profile.pongDelay) await ctx.delay(profile.pongDelay, 'pong-latency');
  };

  wss.on('connection', (ws) => {
    live.add(ws);
    ws.on('close', () => live.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('ping', (data) => {
      void pongDelay().then(() => {
        if (ws.readyState === ws.OPEN) ws.pong(data);
      });
    });
    ws.on('message', (data, isBinary) => {
      void onMessage(ws, isBinary ? undefined : data.toString()).catch(() => ws.terminate());
    });
  });

  const send = (ws: WebSocket, message: Record<string, unknown>) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  async function onMessage(ws: WebSocket, text: string | undefined): Promise<void> {
    let msg: unknown;
    try {
      msg = text === undefined ? undefined : JSON.parse(text);
    } catch {
      msg = undefined;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      send(ws, { type: 'error', code: 'BAD_JSON', message: 'messages are JSON objects' });
      return;
    }
    const m = msg as Record<string, unknown>;
    const id = typeof m.id === 'string' || typeof m.id === 'number' ? m.id : undefined;
    if (m.type === 'ping') {
      await pongDelay();
      send(ws, { type: 'pong', id, version: profile.version });
    } else if (m.type === 'spin') {
      const stake = m.stake;
      if (typeof stake !== 'number' || !Number.isInteger(stake) || stake <= 0 || stake > 1_000_000) {
        send(ws, {
          type: 'error',
          id,
          code: 'VALIDATION_FAILED',
          field: 'stake',
          message: 'stake: positive integer',
        });
        return;
      }
      await ctx.delay(profile.apiLatency);
      const r = ctx.rng('spins').next();
      // A plain slot: 30 % of spins win, paying 1.2–5.2× (mean 3.2×, RTP ≈ 96 %).
      const win = r < 0.3 ? Math.round(stake * (1.2 + (r / 0.3) * 4)) : 0;
      send(ws, { type: 'result', id, stake, win });
    } else {
      send(ws, { type: 'echo', id, data: m });
    }
  }

  return {
    upgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== GAMES_WS_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      socket.on('error', () => socket.destroy());
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close() {
      for (const ws of live) ws.close(1001, 'going away');
      wss.close();
    },
    get connections() {
      return live.size;
    },
  };
}
