import { randomBytes } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { FastifyBaseLogger } from 'fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerAuditRoutes } from '../audit/audit-routes.js';
import { SYSTEM } from '../auth/roles.js';
import { registerTokenRoutes } from '../auth/token-routes.js';
import { TokenService } from '../auth/token-store.js';
import { type ChangeBus, LocalChangeBus } from '../delivery/change-bus.js';
import { registerDeliveryRoutes } from '../delivery/delivery-routes.js';
import { SnapshotService } from '../delivery/snapshot-service.js';
import { SseHub } from '../delivery/sse-hub.js';
import { registerEnvironmentRoutes } from '../environments/environment-routes.js';
import { EnvironmentService } from '../environments/environment-service.js';
import { registerFlagRoutes } from '../flags/flag-routes.js';
import { FlagService } from '../flags/flag-service.js';
import { Mutations } from '../mutation.js';
import { registerSegmentRoutes } from '../segments/segment-routes.js';
import { SegmentService } from '../segments/segment-service.js';
import type { Database } from '../storage/database.js';
import { type RouteAuth, registerAuth } from './auth-hook.js';
import { registerErrorHandler } from './error-handler.js';
import { createMetrics } from './metrics.js';
import { registerSystemRoutes } from './system-routes.js';

export interface AppOptions {
  readonly database: Database;
  /** pino logger, or false for none (tests). */
  readonly logger?: FastifyBaseLogger | false;
  /** Defaults to in-process; PostgreSQL deployments pass the LISTEN/NOTIFY bus. */
  readonly bus?: ChangeBus;
  readonly bodyLimit?: number;
}

export interface Services {
  readonly tokens: TokenService;
  readonly environments: EnvironmentService;
  readonly flags: FlagService;
  readonly segments: SegmentService;
  readonly snapshots: SnapshotService;
  readonly hub: SseHub;
  readonly bus: ChangeBus;
  readonly mutations: Mutations;
}

export interface PitbossApp {
  readonly app: FastifyInstance;
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
  const bus = options.bus ?? new LocalChangeBus();
  const mutations = new Mutations(database, bus);
  const tokens = new TokenService(database.db, mutations);
  const snapshots = new SnapshotService(database.db, bus);
  const hub = new SseHub(bus, snapshots);
  const services: Services = {
    tokens,
    environments: new EnvironmentService(database.db, mutations),
    flags: new FlagService(database.db, mutations),
    segments: new SegmentService(database.db, mutations),
    snapshots,
    hub,
    bus,
    mutations,
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
  registerFlagRoutes(app, services.flags);
  registerSegmentRoutes(app, services.segments);
  registerAuditRoutes(app, database.db);
  registerDeliveryRoutes(app, snapshots, hub);
  await app.ready();
  await services.environments.ensureDefaults({ principal: SYSTEM });

  return {
    app,
    services,
    routes,
    async close() {
      draining = true;
      hub.close();
      snapshots.close();
      await app.close();
      await bus.close();
      await database.close();
    },
  };
}
