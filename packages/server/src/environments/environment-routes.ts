import type { FastifyInstance } from 'fastify';
import { mutationContext } from '../api/request-context.js';
import type { EnvironmentService } from './environment-service.js';

export function registerEnvironmentRoutes(app: FastifyInstance, environments: EnvironmentService): void {
  app.get('/api/v1/environments', {
    config: { auth: { role: 'viewer' } },
    schema: { tags: ['environments'], summary: 'Environments in promotion order' },
    handler: async () => ({ environments: await environments.list() }),
  });

  app.post('/api/v1/environments', {
    config: { auth: { role: 'admin' } },
    schema: {
      tags: ['environments'],
      summary: 'Add an environment (after the last one)',
      body: {
        type: 'object',
        required: ['key'],
        additionalProperties: false,
        properties: {
          key: { type: 'string', maxLength: 128 },
          description: { type: 'string', maxLength: 1000 },
        },
      },
    },
    handler: async (request, reply) =>
      reply
        .status(201)
        .send(
          await environments.create(
            mutationContext(request),
            request.body as { key: string; description?: string },
          ),
        ),
  });

  app.patch('/api/v1/environments/:key', {
    config: { auth: { role: 'admin' } },
    schema: {
      tags: ['environments'],
      summary: 'Describe an environment or lock it to GitOps',
      params: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] },
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: { description: { type: 'string', maxLength: 1000 }, gitopsLocked: { type: 'boolean' } },
      },
    },
    handler: async (request) =>
      environments.update(
        mutationContext(request),
        (request.params as { key: string }).key,
        request.body as { gitopsLocked?: boolean },
      ),
  });
}
