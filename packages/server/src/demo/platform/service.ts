/**
 * Starts one simulated platform service (one build of it) on node:http: the routes of its file, GET /healthz,
 * and for the game gateway the WebSocket upgrade. wallet, bets and promo open the shared ledger in `dataDir`.
 * run-service.ts is the process around it; tests start services in-process with this.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerAuth } from './auth.js';
import { registerBets } from './bets.js';
import { type GameGateway, registerGameGateway } from './game-gateway.js';
import { DEFAULT_MAX_BODY_BYTES, Router } from './http-kit.js';
import { Ledger } from './ledger.js';
import { registerPromo } from './promo.js';
import { type Profile, profileFor, type Scenario, type ServiceName } from './scenarios.js';
import { createContext } from './service-context.js';
import { registerWallet } from './wallet.js';

export interface ServiceOptions {
  readonly service: ServiceName;
  readonly version: string;
  readonly scenario: Scenario;
  /** 0 (default): a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The directory of the shared ledger file; required by wallet, bets and promo. */
  readonly dataDir?: string;
  /** Seeds faults and latencies (default 1). */
  readonly seed?: number;
  /** Replaces parts of the scenario's profile (tests: a fault rate, `latencyScale: 0`). */
  readonly profile?: Partial<Omit<Profile, 'service' | 'version' | 'scenario'>>;
  /** Replaces the real wait for simulated latencies (tests). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onLatency?: (what: string, ms: number) => void;
  readonly maxBodyBytes?: number;
}

export interface RunningService {
  readonly service: ServiceName;
  readonly version: string;
  readonly port: number;
  readonly url: string;
  readonly profile: Profile;
  readonly server: Server;
  /** Stops accepting, closes sockets (WebSockets with 1001) and the ledger; resolves when all is closed. */
  close(): Promise<void>;
}

const NEEDS_LEDGER: readonly ServiceName[] = ['wallet', 'bets', 'promo'];

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { service, version, scenario } = options;
  const profile = profileFor(service, version, scenario, options.profile);
  let ledger: Ledger | undefined;
  if (NEEDS_LEDGER.includes(service)) {
    if (!options.dataDir) throw new Error(`${service} needs a data directory for its ledger (--data)`);
    ledger = new Ledger(options.dataDir, version);
  }
  const ctx = createContext({
    profile,
    seed: options.seed ?? 1,
    ...(ledger ? { ledger } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.onLatency ? { onLatency: options.onLatency } : {}),
  });
  const router = new Router(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  router.on('GET', '/healthz', () => ({ status: 200, body: { ok: true, service, version } }));
  let games: GameGateway | undefined;
  switch (service) {
    case 'auth':
      registerAuth(router, ctx);
      break;
    case 'wallet':
      registerWallet(router, ctx);
      break;
    case 'bets':
      registerBets(router, ctx);
      break;
    case 'promo':
      registerPromo(router, ctx);
      break;
    case 'game-gateway':
      games = registerGameGateway(router, ctx);
      break;
  }

  const server = createServer({ keepAliveTimeout: 30_000 }, router.listener);
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  if (games) server.on('upgrade', games.upgrade);
  else
    server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    ledger?.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    service,
    version,
    port,
    url: `http://${host}:${port}`,
    profile,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        games?.close();
        server.close(() => {
          ledger?.close();
          resolve();
        });
        server.closeIdleConnections();
        // In-flight requests get a moment to finish; then whatever is left is cut.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      return closing;
    },
  };
}
