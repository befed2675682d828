import pino from 'pino';
import { createProviders } from './analysis/providers/index.js';
import { buildApp, type PitbossApp } from './api/app.js';
import { SYSTEM } from './auth/roles.js';
import { generateToken, tokenKind } from './auth/tokens.js';
import { PitbossError } from './errors.js';
import type { GatewayConfig } from './gateway/gateway-config.js';
import { type RunningGateway, startGateway } from './gateway/index.js';
import { TrafficStats } from './gateway/traffic-stats.js';
import { createRouter } from './routing/routers/index.js';
import { openDatabase } from './storage/database.js';

export interface ServerOptions {
  readonly port: number;
  readonly host: string;
  readonly database: string;
  /** A bootstrap admin token to accept (PITBOSS_ADMIN_TOKEN); otherwise the first start prints a new one. */
  readonly adminToken?: string;
  readonly logLevel?: string;
  /** Origins whose pages may call the SDK routes (CORS); none by default. */
  readonly corsOrigins?: readonly string[];
  /**
   * The traffic router rollouts drive (routing/routers): `gateway` (the built-in gateway of `gateway`, or a
   * standalone one through `gatewayAdmin`) or `nop` (records the desired routing only). Default: `gateway` when
   * the built-in gateway runs, else `nop`.
   */
  readonly router?: string;
  /** Runs the built-in gateway in this process; its measurements feed the `builtin` metric provider. */
  readonly gateway?: { readonly config: GatewayConfig; readonly overrideSecret?: string };
  /** The admin API of a gateway running as its own process (`pitboss gateway --admin-port`). */
  readonly gatewayAdmin?: { readonly url: string; readonly token: string };
  /** Where to show a generated admin token; stderr by default, never the log. */
  readonly announce?: (message: string) => void;
}

export interface RunningServer extends PitbossApp {
  readonly url: string;
  /** The built-in gateway, when it runs. */
  readonly gateway?: RunningGateway;
}

/** Opens the database, builds the app, makes sure an admin can log in, and listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = pino({
    level: options.logLevel ?? 'info',
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.token'], censor: '[redacted]' },
  });
  const database = await openDatabase(options.database);
  logger.info({ database: database.displayUrl }, 'database ready');
  const trafficStats = new TrafficStats();
  let gateway: RunningGateway | undefined;
  let pitboss: PitbossApp;
  try {
    if (options.gateway) {
      gateway = await startGateway({
        config: options.gateway.config,
        trafficStats,
        logger: logger.child({ component: 'gateway' }),
        ...(options.gateway.overrideSecret ? { overrideSecret: options.gateway.overrideSecret } : {}),
      });
      logger.info({ url: gateway.url }, 'gateway listening');
    }
    // A standalone gateway's admin API routes as well as the built-in gateway (the CLI's --router help says so).
    const router = createRouter(options.router ?? (gateway || options.gatewayAdmin ? 'gateway' : 'nop'), {
      ...(gateway ? { gateway: gateway.gateway } : {}),
      ...(options.gatewayAdmin ? { gatewayAdmin: options.gatewayAdmin } : {}),
    });
    pitboss = await buildApp({
      database,
      logger,
      delivery: { corsOrigins: options.corsOrigins ?? [] },
      // The rollout driver runs in every replica; leases decide which one drives each rollout. The builtin
      // metric provider reads what this process's gateway measured, or asks a standalone gateway's admin API.
      rollouts: {
        router,
        run: true,
        providers: createProviders({
          trafficStats,
          ...(options.gatewayAdmin && !gateway ? { gatewayAdmin: options.gatewayAdmin } : {}),
        }),
      },
    });
  } catch (e) {
    await gateway?.close();
    await database.close();
    throw e;
  }
  const close = pitboss.close;
  const withGateway: PitbossApp = gateway
    ? {
        ...pitboss,
        async close() {
          await close();
          await gateway.close();
        },
      }
    : pitboss;
  let address: string;
  try {
    await bootstrapAdmin(withGateway, options);
    address = await pitboss.app.listen({ port: options.port, host: options.host });
  } catch (e) {
    // The gateway's listening socket would keep the process alive after a failed start (`pitboss server` hangs).
    await withGateway.close().catch(() => {});
    throw e;
  }
  return { ...withGateway, url: address, ...(gateway ? { gateway } : {}) };
}

/**
 * An empty database gets an admin token: PITBOSS_ADMIN_TOKEN when set (so automation knows it), else a new one
 * shown once on stderr. Tokens are stored hashed, so it cannot be shown again.
 */
async function bootstrapAdmin(pitboss: PitbossApp, options: ServerOptions): Promise<void> {
  const { tokens } = pitboss.services;
  if (options.adminToken !== undefined) {
    if (tokenKind(options.adminToken) !== 'api') {
      throw new PitbossError(
        'BAD_REQUEST',
        'PITBOSS_ADMIN_TOKEN must look like pb_api_<at least 20 characters of A-Z a-z 0-9 _ ->',
      );
    }
    if (!(await tokens.exists(options.adminToken))) {
      await tokens.create(
        { principal: SYSTEM },
        { name: 'bootstrap-admin', kind: 'api', role: 'admin' },
        options.adminToken,
      );
    }
    return;
  }
  if (await tokens.hasAdmin()) return;
  const token = generateToken('api');
  await tokens.create({ principal: SYSTEM }, { name: 'bootstrap-admin', kind: 'api', role: 'admin' }, token);
  const announce = options.announce ?? ((m: string) => process.stderr.write(`${m}\n`));
  announce(
    `\nPitboss admin token (shown once, store it now):\n\n  ${token}\n\nUse it as: authorization: Bearer <token>\n`,
  );
}
