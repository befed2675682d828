import type { FastifyInstance } from 'fastify';
import type { Database } from '../storage/database.js';
import { registerAuditIntegrityRoutes } from './audit-integrity-routes.js';
import { fromRow } from './audit-log.js';

/**
 * Reading the audit log, and proving it intact (audit-integrity-routes.ts). There is no route that changes or
 * deletes an entry, by design.
 */
export function registerAuditRoutes(app: FastifyInstance, database: Database): void {
  const { db } = database;
  app.get('/api/v1/audit', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['audit'],
      summary: 'Audit entries, oldest first, filtered by resource, actor and time',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          resource: { type: 'string' },
          actor: { type: 'string' },
          since: { type: 'string', format: 'date-time' },
          until: { type: 'string', format: 'date-time' },
          after: { type: 'integer', minimum: 0, description: 'only entries with seq greater than this' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
      },
    },
    handler: async (request) => {
      const q = request.query as {
        resource?: string;
        actor?: string;
        since?: string;
        until?: string;
        after?: number;
        limit: number;
      };
      let query = db.selectFrom('audit_log').selectAll().orderBy('seq').limit(q.limit);
      if (q.resource) query = query.where('resource', '=', q.resource);
      if (q.actor) query = query.where('actor', 'like', `%${q.actor.replace(/[%_]/g, '')}%`);
      if (q.since) query = query.where('at', '>=', new Date(q.since).toISOString());
      if (q.until) query = query.where('at', '<', new Date(q.until).toISOString());
      if (q.after !== undefined) query = query.where('seq', '>', q.after);
      return { entries: (await query.execute()).map(fromRow) };
    },
  });
  registerAuditIntegrityRoutes(app, database);
}
