import type { FastifyInstance } from 'fastify';
import { etag, ifMatch, mutationContext } from '../api/request-context.js';
import type { SegmentService } from './segment-service.js';

const keyParams = {
  type: 'object',
  properties: { key: { type: 'string', maxLength: 128 } },
  required: ['key'],
} as const;
const segmentBody = {
  type: 'object',
  description: "A segment: {key, if, description?}, e.g. {key: 'employees', if: 'user.isEmployee'}",
} as const;

export function registerSegmentRoutes(app: FastifyInstance, segments: SegmentService): void {
  app.get('/api/v1/segments', {
    config: { auth: { role: 'viewer' } },
    schema: { tags: ['segments'], summary: 'List segments' },
    handler: async () => ({ segments: await segments.list() }),
  });

  app.post('/api/v1/segments', {
    config: { auth: { role: 'editor' } },
    schema: { tags: ['segments'], summary: 'Create a segment', body: segmentBody },
    handler: async (request, reply) => {
      const view = await segments.create(mutationContext(request), request.body);
      return reply.status(201).header('etag', etag(view.version)).send(view);
    },
  });

  app.get('/api/v1/segments/:key', {
    config: { auth: { role: 'viewer' } },
    schema: { tags: ['segments'], summary: 'Read a segment', params: keyParams },
    handler: async (request, reply) => {
      const view = await segments.get((request.params as { key: string }).key);
      return reply.header('etag', etag(view.version)).send(view);
    },
  });

  app.put('/api/v1/segments/:key', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['segments'],
      summary: 'Replace a segment (If-Match required)',
      params: keyParams,
      body: segmentBody,
    },
    handler: async (request, reply) => {
      const { key } = request.params as { key: string };
      const view = await segments.replace(mutationContext(request), key, request.body, ifMatch(request));
      return reply.header('etag', etag(view.version)).send(view);
    },
  });

  app.delete('/api/v1/segments/:key', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['segments'],
      summary: 'Archive a segment no flag uses (If-Match required)',
      params: keyParams,
    },
    handler: async (request, reply) => {
      const { key } = request.params as { key: string };
      const view = await segments.archive(mutationContext(request), key, ifMatch(request));
      return reply.header('etag', etag(view.version)).send(view);
    },
  });
}
