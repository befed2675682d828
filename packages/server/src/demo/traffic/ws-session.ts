/**
 * A game session on the WebSocket (/games/ws): the player connects with their context headers, learns the
 * version serving them from the upgrade answer (`x-pitboss-version`, else the game's own pong), then pings the
 * game and spins a few times with think times in between, and leaves with a normal close. The round trip of each
 * game-level ping is recorded per version; the gateway measures its own WebSocket pings separately.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { Rng } from '../platform/rng.js';
import { headerValue, VERSION_HEADER } from './http-client.js';
import { type Player, playerHeaders, stakeAmount } from './players.js';
import type { Recorder } from './recorder.js';

export interface WsEnv {
  /** The games base URL (http…), e.g. the gateway's. */
  readonly baseUrl: string;
  readonly recorder: Recorder;
  readonly timeoutMs: number;
  think(rng: Rng, minMs: number, maxMs: number): Promise<void>;
  stopping(): boolean;
  /** Live sockets, so stop() can close them. */
  readonly live: Set<WebSocket>;
}

export async function playWsSession(env: WsEnv, player: Player, rng: Rng): Promise<void> {
  const url = `${env.baseUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/games/ws`;
  let version: string | undefined;
  const ws = new WebSocket(url, { headers: playerHeaders(player), handshakeTimeout: env.timeoutMs });
  env.live.add(ws);
  ws.on('upgrade', (res) => {
    version = headerValue(res.headers[VERSION_HEADER]);
  });
  const waiting = new Map<number, { sent: number; resolve: (ok: boolean) => void }>();
  let nextId = 0;
  ws.on('message', (data) => {
    let msg: { type?: unknown; id?: unknown; version?: unknown };
    try {
      msg = JSON.parse(data.toString()) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.id !== 'number') return;
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.type === 'pong') {
      version ??= typeof msg.version === 'string' ? msg.version : undefined;
      env.recorder.wsPong(version ?? 'unknown', performance.now() - w.sent);
    }
    w.resolve(msg.type !== 'error');
  });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('error', () => undefined);

  const opened = await new Promise<boolean>((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('close', () => resolve(false));
  });
  env.recorder.request(
    'ws',
    version ?? 'unknown',
    opened ? { status: 101, latencyMs: 0 } : { status: 'network' },
  );
  if (!opened) {
    env.recorder.wsSession(undefined);
    env.live.delete(ws);
    return;
  }
  const ask = (message: Record<string, unknown>) =>
    new Promise<boolean>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve(false);
      }, env.timeoutMs);
      waiting.set(id, {
        sent: performance.now(),
        resolve: (ok) => {
          clearTimeout(timer);
          resolve(ok);
        },
      });
      ws.send(JSON.stringify({ ...message, id }), (err) => {
        if (err) waiting.get(id)?.resolve(false);
      });
    });

  env.recorder.wsSession(version ?? 'unknown');
  try {
    const rounds = rng.int(3, 8);
    for (let i = 0; i < rounds && !env.stopping() && ws.readyState === WebSocket.OPEN; i++) {
      if (!(await ask({ type: 'ping' }))) break;
      if (rng.chance(0.6)) await ask({ type: 'spin', stake: stakeAmount(rng, player) });
      await env.think(rng, 500, 2000);
    }
  } finally {
    for (const w of waiting.values()) w.resolve(false);
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'bye');
    else if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
    const cut = setTimeout(() => ws.terminate(), 2000);
    await closed;
    clearTimeout(cut);
    env.live.delete(ws);
  }
}
