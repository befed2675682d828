import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../storage/schema.js';
import { readStaleFlags } from './stale-flags.js';

/** `GET /api/v1/flags/stale?days=N`: flags to clean up, each with its reasons (`pitboss flags stale`). */
export function registerStaleFlagRoutes(app: FastifyInstance, db: Kysely<Schema>): void {
  app.get('/api/v1/flags/stale', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['flags'],
      summary: 'Stale flags: expired, unused for N days, or fully rolled out and unchanged for N days',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { days: { type: 'integer', minimum: 1, maximum: 3650, default: 30 } },
      },
    },
    handler: async (request) => readStaleFlags(db, (request.query as { days: number }).days),
  });
}
