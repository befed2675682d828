import type { FastifyInstance } from 'fastify';
import { etag, ifMatch, mutationContext } from '../api/request-context.js';
import { emptyBodyAsObject } from '../approvals/change-request-routes.js';
import { sendGated } from '../approvals/gated-reply.js';
import type { PresetGate } from '../approvals/preset-gate.js';
import type { PresetService } from './preset-service.js';

const keyParams = {
  type: 'object',
  properties: { key: { type: 'string', maxLength: 128 } },
  required: ['key'],
} as const;
const presetBody = {
  type: 'object',
  description:
    'A preset: {key, description?, protected?, emergency?, states: {flag: {environment: {enabled?, killSwitch?, rules?, defaultVariant?, offVariant?, prerequisites?}}}}',
} as const;
const applyBody = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 1000 } },
} as const;

/** Presets: CRUD, dry-run diff and apply; writes and applies go through the approval gate. */
export function registerPresetRoutes(app: FastifyInstance, presets: PresetService, gate: PresetGate): void {
  app.get('/api/v1/presets', {
    config: { auth: { role: 'viewer' } },
    schema: { tags: ['presets'], summary: 'List presets' },
    handler: async () => ({ presets: await presets.list() }),
  });

  app.post('/api/v1/presets', {
    config: { auth: { role: 'editor' } },
    schema: { tags: ['presets'], summary: 'Create a preset (202 when protected)', body: presetBody },
    handler: async (request, reply) =>
      sendGated(request, reply, await gate.create(mutationContext(request), request.body), 201),
  });

  app.get('/api/v1/presets/:key', {
    config: { auth: { role: 'viewer' } },
    schema: { tags: ['presets'], summary: 'Read a preset; its ETag is its version', params: keyParams },
    handler: async (request, reply) => {
      const view = await presets.get((request.params as { key: string }).key);
      return reply.header('etag', etag(view.version)).send(view);
    },
  });

  app.put('/api/v1/presets/:key', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['presets'],
      summary: 'Replace a preset (If-Match; 202 when protected)',
      params: keyParams,
      body: presetBody,
    },
    handler: async (request, reply) => {
      const { key } = request.params as { key: string };
      const gated = await gate.replace(mutationContext(request), key, request.body, ifMatch(request));
      return sendGated(request, reply, gated);
    },
  });

  app.delete('/api/v1/presets/:key', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['presets'],
      summary: 'Archive a preset (If-Match; 202 when protected)',
      params: keyParams,
    },
    handler: async (request, reply) => {
      const { key } = request.params as { key: string };
      return sendGated(request, reply, await gate.archive(mutationContext(request), key, ifMatch(request)));
    },
  });

  app.post('/api/v1/presets/:key/diff', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['presets'],
      summary: 'Dry run: per flag and environment, the fields applying would change (before → after)',
      params: keyParams,
    },
    handler: async (request) => presets.diff((request.params as { key: string }).key),
  });

  app.post('/api/v1/presets/:key/apply', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['presets'],
      summary:
        'Apply every state in one transaction; a protected preset needs approval (202) unless it is an emergency preset',
      params: keyParams,
      body: applyBody,
    },
    preValidation: emptyBodyAsObject,
    handler: async (request, reply) => {
      const { key } = request.params as { key: string };
      const { reason } = (request.body ?? {}) as { reason?: string };
      return sendGated(request, reply, await gate.apply(mutationContext(request, reason), key));
    },
  });
}
