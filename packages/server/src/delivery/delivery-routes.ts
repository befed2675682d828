import type { FastifyInstance } from 'fastify';
import { assertEnvironment } from '../api/auth-hook.js';
import { corsHeaderLines, corsOrigin, registerCors } from './cors.js';
import type { DecisionLog } from './decision-log.js';
import { registerDecisionRoutes } from './decision-routes.js';
import { type DeliveryOptions, resolveDeliveryOptions } from './delivery-options.js';
import { registerEvaluateRoute } from './evaluate-route.js';
import { acceptsGzip, entityTag, notModified } from './http-caching.js';
import type { SnapshotService } from './snapshot-service.js';
import type { SseHub } from './sse-hub.js';

/** The services SDK delivery runs on. */
export interface DeliveryServices {
  readonly snapshots: SnapshotService;
  readonly hub: SseHub;
  readonly decisions: DecisionLog;
}

const envQuery = {
  type: 'object',
  required: ['environment'],
  additionalProperties: false,
  properties: { environment: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/**
 * What SDKs call (docs/delivery.md): the snapshot of their environment, the stream of its changes, remote
 * evaluation and decision logs. Also ties the streams to the server's lifetime: closing the server ends them.
 */
export function registerDeliveryRoutes(
  app: FastifyInstance,
  services: DeliveryServices,
  options: DeliveryOptions = {},
): void {
  const { snapshots, hub } = services;
  const resolved = resolveDeliveryOptions(options);
  // Open streams would keep `server.close()` waiting forever: end them (with `event: shutdown`) before it.
  app.addHook('preClose', async () => hub.close());
  app.addHook('onClose', async () => services.decisions.close());

  app.get('/sdk/v1/snapshot', {
    config: { auth: { role: 'viewer', sdk: true } },
    schema: {
      tags: ['sdk'],
      summary: 'The configuration of one environment, for local evaluation',
      querystring: envQuery,
    },
    handler: async (request, reply) => {
      const { environment } = request.query as { environment: string };
      assertEnvironment(request, environment);
      const snapshot = await snapshots.get(environment);
      const gzip = acceptsGzip(request.headers['accept-encoding']);
      // RFC 9111 §5.2.2.4: `no-cache` lets caches store the snapshot but never reuse it unvalidated, so every
      // poll revalidates with If-None-Match and costs a 304 when nothing changed.
      reply
        .header('etag', entityTag(snapshot.version, gzip ? 'gzip' : 'identity'))
        .header('cache-control', 'no-cache')
        .header('vary', 'accept-encoding');
      // RFC 9110 §15.4.5: a 304 carries the validators and no content.
      if (notModified(request.headers['if-none-match'], snapshot.version)) return reply.code(304).send();
      reply.type('application/json');
      if (!gzip) return reply.send(snapshot.json);
      return reply.header('content-encoding', 'gzip').send(await snapshot.gzip());
    },
  });

  app.get('/sdk/v1/stream', {
    config: { auth: { role: 'viewer', sdk: true, client: true } },
    schema: {
      tags: ['sdk'],
      summary: 'Server-Sent Events: a snapshot, then every change of the environment',
      querystring: envQuery,
    },
    handler: async (request, reply) => {
      const { environment } = request.query as { environment: string };
      assertEnvironment(request, environment);
      const last = lastEventId(request.headers['last-event-id']);
      // Errors (unknown environment, database down) answer as HTTP errors before the stream starts, not inside it.
      await snapshots.get(environment, last ?? 0);
      reply.hijack();
      // Client-side keys live in web pages: their events carry the version only, never the rules.
      const p = request.principal;
      const cors = corsHeaderLines(corsOrigin(request, resolved.corsOrigins));
      await hub.open(reply.raw, environment, last, p?.kind === 'sdk' && p.clientSide, cors);
    },
  });

  registerCors(app, resolved.corsOrigins);
  registerEvaluateRoute(app, snapshots, resolved);
  registerDecisionRoutes(app, services, resolved);
}

/** The version a reconnecting client has: event ids are versions, so anything else is ignored (a fresh start). */
function lastEventId(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}
