import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Database } from '../storage/database.js';

/** Liveness, readiness, Prometheus metrics and the OpenAPI document: public, for load balancers and scrapers. */
export function registerSystemRoutes(
  app: FastifyInstance,
  database: Database,
  registry: Registry,
  isDraining: () => boolean,
): void {
  app.get(
    '/healthz',
    { config: { auth: 'public' }, schema: { tags: ['system'], summary: 'The process is alive' } },
    async () => ({
      status: 'ok',
    }),
  );

  app.get('/readyz', {
    config: { auth: 'public' },
    schema: { tags: ['system'], summary: 'The database answers and the server is not shutting down' },
    handler: async (_request, reply) => {
      if (isDraining()) return reply.status(503).send({ status: 'draining' });
      try {
        await database.db.selectFrom('environments').select('key').limit(1).execute();
        return { status: 'ready' };
      } catch {
        return reply.status(503).send({ status: 'database unavailable' });
      }
    },
  });

  app.get('/metrics', {
    config: { auth: 'public' },
    schema: { tags: ['system'], summary: 'Prometheus metrics' },
    handler: async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  });

  app.get('/openapi.json', {
    config: { auth: 'public' },
    schema: { tags: ['system'], summary: 'This API, as OpenAPI 3' },
    handler: async () => app.swagger(),
  });
}
