import type { FastifyInstance } from 'fastify';
import { assertEnvironment } from '../api/auth-hook.js';
import type { SnapshotService } from './snapshot-service.js';
import type { SseHub } from './sse-hub.js';

const envQuery = {
  type: 'object',
  required: ['environment'],
  additionalProperties: false,
  properties: { environment: { type: 'string', maxLength: 128 } },
} as const;

/** What SDKs call: the snapshot of their environment and the stream of its changes. */
export function registerDeliveryRoutes(app: FastifyInstance, snapshots: SnapshotService, hub: SseHub): void {
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
      return reply.header('etag', `"${snapshot.version}"`).type('application/json').send(snapshot.json);
    },
  });

  app.get('/sdk/v1/stream', {
    config: { auth: { role: 'viewer', sdk: true } },
    schema: {
      tags: ['sdk'],
      summary: 'Server-Sent Events: a snapshot, then every change of the environment',
      querystring: envQuery,
    },
    handler: async (request, reply) => {
      const { environment } = request.query as { environment: string };
      assertEnvironment(request, environment);
      await snapshots.get(environment); // 404 before the stream starts, not inside it
      const last = Number(request.headers['last-event-id']);
      reply.hijack();
      await hub.open(reply.raw, environment, Number.isSafeInteger(last) ? last : undefined);
    },
  });
}
