import { randomBytes } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { FastifyBaseLogger } from 'fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { createProviders } from '../analysis/providers/index.js';
import { registerChangeRequestRoutes } from '../approvals/change-request-routes.js';
import { ChangeRequestService } from '../approvals/change-request-service.js';
import { FlagGate } from '../approvals/flag-gate.js';
import { PresetGate } from '../approvals/preset-gate.js';
import { approvalPolicy } from '../approvals/protection.js';
import { type AuditEventOptions, registerAuditEventRoutes } from '../audit/audit-event-routes.js';
import { registerAuditRoutes } from '../audit/audit-routes.js';
import { SYSTEM } from '../auth/roles.js';
import { registerTokenRoutes } from '../auth/token-routes.js';
import { TokenService } from '../auth/token-store.js';
import { type ChangeBus, LocalChangeBus } from '../delivery/change-bus.js';
import { DecisionLog } from '../delivery/decision-log.js';
import type { DeliveryOptions } from '../delivery/delivery-options.js';
import { registerDeliveryRoutes } from '../delivery/delivery-routes.js';
import { PgChangeBus } from '../delivery/pg-change-bus.js';
import { SnapshotService } from '../delivery/snapshot-service.js';
import { SseHub } from '../delivery/sse-hub.js';
import { registerEnvironmentRoutes } from '../environments/environment-routes.js';
import { EnvironmentService } from '../environments/environment-service.js';
import { registerFlagRoutes } from '../flags/flag-routes.js';
import { FlagService } from '../flags/flag-service.js';
import { registerStaleFlagRoutes } from '../flags/stale-flag-routes.js';
import { registerGitopsRoutes } from '../gitops/gitops-routes.js';
import { Mutations } from '../mutation.js';
import { WebhookNotifier } from '../notifications/webhook-notifier.js';
import { registerPresetRoutes } from '../presets/preset-routes.js';
import { PresetService } from '../presets/preset-service.js';
import { RolloutDriver, type RolloutDriverOptions } from '../rollouts/rollout-driver.js';
import { registerRolloutRoutes } from '../rollouts/rollout-routes.js';
import { RolloutService } from '../rollouts/rollout-service.js';
import { createRouter } from '../routing/routers/index.js';
import { registerSegmentRoutes } from '../segments/segment-routes.js';
import { SegmentService } from '../segments/segment-service.js';
import type { Database } from '../storage/database.js';
import { type RouteAuth, registerAuth } from './auth-hook.js';
import { defaultConsoleRoot, registerConsoleRoutes } from './console-routes.js';
import { registerErrorHandler } from './error-handler.js';
import { createMetrics } from './metrics.js';
import { registerSystemRoutes } from './system-routes.js';

export interface AppOptions {
  readonly database: Database;
  /** pino logger, or false for none (tests). */
  readonly logger?: FastifyBaseLogger | false;
  /** Defaults to in-process; PostgreSQL deployments pass the LISTEN/NOTIFY bus. */
  readonly bus?: ChangeBus;
  /** SDK delivery knobs: heartbeats, bounds, rate limit, decision retention (docs/delivery.md). */
  readonly delivery?: DeliveryOptions;
  readonly bodyLimit?: number;
  /** Flags with one of these tags need approval like `protected: true` ones; default ['payments']. */
  readonly protectedTags?: readonly string[];
  /** Approvals a change request needs, never its author's; default 1. */
  readonly requiredApprovals?: number;
  /** Hours a change request stays pending before it expires; default 72. */
  readonly changeRequestTtlHours?: number;
  /** The clock change requests are filed and expire by (tests move it); default the system clock. */
  readonly changeRequestClock?: () => Date;
  /** The rollout driver: router, providers, clock, tick; `run: true` starts its loop (the server does). */
  readonly rollouts?: RolloutDriverOptions & { readonly run?: boolean; readonly watchPollMs?: number };
  /** `GET /api/v1/events` (the audit log as Server-Sent Events): fallback poll and heartbeat intervals. */
  readonly events?: AuditEventOptions;
  /**
   * The web console's built files, served at `/`; default the dist folder of `@pitboss/ui`. `false`: no console
   * routes at all.
   */
  readonly console?: { readonly root: string } | false;
}

export interface Services {
  readonly tokens: TokenService;
  readonly environments: EnvironmentService;
  readonly flags: FlagService;
  readonly segments: SegmentService;
  readonly snapshots: SnapshotService;
  readonly hub: SseHub;
  readonly decisions: DecisionLog;
  readonly bus: ChangeBus;
  readonly mutations: Mutations;
  readonly changeRequests: ChangeRequestService;
  readonly presets: PresetService;
  readonly rollouts: RolloutService;
  readonly rolloutDriver: RolloutDriver;
}

export interface PitbossApp {
  readonly app: FastifyInstance;
  readonly database: Database;
  readonly services: Services;
  /** Every route with its auth requirement. */
  readonly routes: readonly RouteAuth[];
  /** Stops taking requests, ends SSE streams, closes the database. */
  close(): Promise<void>;
}

/** Assembles the control plane: services over the database, their routes, auth, errors, metrics and OpenAPI. */
export async function buildApp(options: AppOptions): Promise<PitbossApp> {
  const { database } = options;
  const app: FastifyInstance = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? 1 << 20,
    genReqId: () => `req_${randomBytes(6).toString('hex')}`,
    // Unknown fields are errors, not silently dropped; query strings may coerce to numbers and booleans.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true, useDefaults: true },
    },
  });
  // Replicas share a PostgreSQL database, so they hear each other's changes over LISTEN/NOTIFY; SQLite has one.
  const bus =
    options.bus ??
    (database.dialect === 'postgres'
      ? await PgChangeBus.connect(database, { log: app.log })
      : new LocalChangeBus());
  const mutations = new Mutations(database, bus);
  const tokens = new TokenService(database.db, mutations);
  const snapshots = new SnapshotService(database.db, bus);
  const hub = new SseHub(bus, snapshots, options.delivery);
  const decisions = new DecisionLog(database.db, options.delivery, app.log);
  const flags = new FlagService(database.db, mutations);
  const providers = options.rollouts?.providers ?? createProviders();
  const rolloutDriver = new RolloutDriver({
    log: app.log,
    ...options.rollouts,
    router: options.rollouts?.router ?? createRouter('nop', {}),
    providers,
    notifier: options.rollouts?.notifier ?? new WebhookNotifier({ log: app.log }),
    database,
    bus,
    flags,
  });
  const services: Services = {
    tokens,
    environments: new EnvironmentService(database.db, mutations),
    flags,
    segments: new SegmentService(database.db, mutations),
    snapshots,
    hub,
    decisions,
    bus,
    mutations,
    changeRequests: new ChangeRequestService(database, bus, approvalPolicy(options)),
    presets: new PresetService(database.db, mutations, new FlagService(database.db, mutations)),
    rollouts: new RolloutService(database.db, mutations, rolloutDriver),
    rolloutDriver,
  };
  let draining = false;

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Pitboss control plane',
        version: '0.1.0',
        description: 'Feature flags and progressive delivery for iGaming',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  registerErrorHandler(app);
  const routes = registerAuth(app, tokens);
  const registry = createMetrics(app, () => hub.size);
  registerSystemRoutes(app, database, registry, () => draining);
  registerTokenRoutes(app, tokens);
  registerEnvironmentRoutes(app, services.environments);
  registerFlagRoutes(app, services.flags, new FlagGate(services.flags, services.changeRequests));
  registerChangeRequestRoutes(app, services.changeRequests);
  registerPresetRoutes(app, services.presets, new PresetGate(services.changeRequests));
  registerStaleFlagRoutes(app, database.db);
  registerGitopsRoutes(app, database.db, mutations, services.rollouts);
  // Release health reads what the driver's analyses read: the builtin provider, on the driver's clock.
  const health = {
    provider: () => providers('builtin'),
    ...(options.rollouts?.clock ? { clock: options.rollouts.clock } : {}),
  };
  registerRolloutRoutes(app, services.rollouts, rolloutDriver, health, {
    ...(options.rollouts?.watchPollMs ? { watchPollMs: options.rollouts.watchPollMs } : {}),
  });
  registerSegmentRoutes(app, services.segments);
  registerAuditRoutes(app, database);
  registerAuditEventRoutes(app, database, bus, options.events);
  registerDeliveryRoutes(app, { snapshots, hub, decisions }, options.delivery);
  if (options.console !== false)
    await registerConsoleRoutes(app, options.console?.root ?? defaultConsoleRoot());
  await app.ready();
  await services.environments.ensureDefaults({ principal: SYSTEM });
  if (options.rollouts?.run) rolloutDriver.start();

  return {
    app,
    database,
    services,
    routes,
    async close() {
      draining = true;
      await rolloutDriver.stop();
      hub.close();
      snapshots.close();
      await app.close();
      await bus.close();
      await database.close();
    },
  };
}
