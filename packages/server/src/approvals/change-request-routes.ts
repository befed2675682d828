import type { FastifyInstance, FastifyRequest } from 'fastify';
import { etag, ifMatch, mutationContext } from '../api/request-context.js';
import { CHANGE_STATUSES, type ChangeStatus } from './change-request.js';
import type { ChangeRequestService } from './change-request-service.js';

const idParams = {
  type: 'object',
  properties: { id: { type: 'string', maxLength: 64 } },
  required: ['id'],
} as const;
const noteBody = (field: 'comment' | 'reason') =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: { [field]: { type: 'string', maxLength: 1000 } },
  }) as const;

/** Approve, reject and apply take an optional note: a POST without a body is `{}`, not a validation error. */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

/** Change requests: read them, let their author edit them, let approvers approve or reject them. */
export function registerChangeRequestRoutes(app: FastifyInstance, requests: ChangeRequestService): void {
  app.get('/api/v1/change-requests', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['approvals'],
      summary: 'List change requests, oldest first; pending ones past their expiry are expired first',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { status: { type: 'string', enum: [...CHANGE_STATUSES] } },
      },
    },
    handler: async (request) => ({
      changeRequests: await requests.list((request.query as { status?: ChangeStatus }).status),
    }),
  });

  app.get('/api/v1/change-requests/:id', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['approvals'],
      summary: 'Read a change request; its ETag is its version',
      params: idParams,
    },
    handler: async (request, reply) => {
      const cr = await requests.get((request.params as { id: string }).id);
      return reply.header('etag', etag(cr.version)).send(cr);
    },
  });

  app.put('/api/v1/change-requests/:id', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['approvals'],
      summary:
        'The author edits the payload of a pending request (If-Match); approvals given so far are cleared',
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['payload'],
        properties: { payload: { type: 'object' } },
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const { payload } = request.body as { payload: unknown };
      const cr = await requests.update(mutationContext(request), id, ifMatch(request), payload);
      return reply.header('etag', etag(cr.version)).send(cr);
    },
  });

  app.post('/api/v1/change-requests/:id/approve', {
    config: { auth: { role: 'approver' } },
    preValidation: emptyBodyAsObject,
    schema: {
      tags: ['approvals'],
      summary:
        'Approve someone else’s pending request; the approval that reaches the required count applies it',
      params: idParams,
      body: noteBody('comment'),
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const { comment } = (request.body ?? {}) as { comment?: string };
      const cr = await requests.approve(mutationContext(request), id, comment);
      return reply.header('etag', etag(cr.version)).send(cr);
    },
  });

  app.post('/api/v1/change-requests/:id/reject', {
    config: { auth: { role: 'approver' } },
    preValidation: emptyBodyAsObject,
    schema: {
      tags: ['approvals'],
      summary: 'Reject a pending request',
      params: idParams,
      body: noteBody('reason'),
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const { reason } = (request.body ?? {}) as { reason?: string };
      const cr = await requests.reject(mutationContext(request, reason), id, reason);
      return reply.header('etag', etag(cr.version)).send(cr);
    },
  });
}
