import type { FastifyInstance } from 'fastify';
import { etag, ifMatch, mutationContext } from '../api/request-context.js';
import type { FlagGate } from '../approvals/flag-gate.js';
import { sendGated } from '../approvals/gated-reply.js';
import type { EnvironmentPatch, FlagService } from './flag-service.js';

const keyParams = {
  type: 'object',
  properties: { key: { type: 'string', maxLength: 128 } },
  required: ['key'],
} as const;
const envParams = {
  type: 'object',
  properties: { key: { type: 'string', maxLength: 128 }, env: { type: 'string', maxLength: 128 } },
  required: ['key', 'env'],
} as const;
const flagBody = {
  type: 'object',
  description: 'A flag in any form `pitboss validate` accepts (docs/flag-model.md).',
} as const;
const environmentPatch = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    enabled: { type: 'boolean' },
    killSwitch: { type: 'boolean' },
    rules: { type: 'array' },
    defaultVariant: { type: 'string' },
    offVariant: { type: 'string' },
    prerequisites: { type: 'array' },
  },
} as const;
const killBody = {
  type: 'object',
  additionalProperties: false,
  required: ['on'],
  properties: { on: { type: 'boolean' }, reason: { type: 'string', maxLength: 1000 } },
} as const;

/**
 * Reads go to FlagService; every change goes through the approval gate, which applies it at once or answers
 * 202 with the change request a protected flag needs (docs/approvals.md).
 */
export function registerFlagRoutes(app: FastifyInstance, flags: FlagService, gate: FlagGate): void {
  app.get('/api/v1/flags', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['flags'],
      summary: 'List flags',
      querystring: {
        type: 'object',
        properties: { archived: { type: 'boolean' } },
        additionalProperties: false,
      },
    },
    handler: async (request) => ({
      flags: await flags.list((request.query as { archived?: boolean }).archived === true),
    }),
  });

  app.post('/api/v1/flags', {
    config: { auth: { role: 'editor' } },
    schema: { tags: ['flags'], summary: 'Create a flag', body: flagBody },
    handler: async (request, reply) => {
      return sendGated(request, reply, await gate.create(mutationContext(request), request.body), 201);
    },
  });

  app.get('/api/v1/flags/:key', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['flags'],
      summary: 'Read a flag; its ETag is the version to send as If-Match',
      params: keyParams,
    },
    handler: async (request, reply) => {
      const view = await flags.get((request.params as { key: string }).key);
      return reply.header('etag', etag(view.version)).send(view);
    },
  });

  app.put('/api/v1/flags/:key', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['flags'],
      summary: 'Replace a flag (If-Match required)',
      params: keyParams,
      body: flagBody,
    },
    handler: async (request, reply) => {
      const { key } = request.params as { key: string };
      const gated = await gate.replace(mutationContext(request), key, request.body, ifMatch(request));
      return sendGated(request, reply, gated);
    },
  });

  app.delete('/api/v1/flags/:key', {
    config: { auth: { role: 'editor' } },
    schema: { tags: ['flags'], summary: 'Archive a flag (If-Match required)', params: keyParams },
    handler: async (request, reply) => {
      const { key } = request.params as { key: string };
      return sendGated(request, reply, await gate.archive(mutationContext(request), key, ifMatch(request)));
    },
  });

  app.patch('/api/v1/flags/:key/environments/:env', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['flags'],
      summary:
        'Change one environment of a flag: enabled, killSwitch, rules, defaultVariant, offVariant, prerequisites',
      params: envParams,
      body: environmentPatch,
    },
    handler: async (request, reply) => {
      const { key, env } = request.params as { key: string; env: string };
      const gated = await gate.patchEnvironment(
        mutationContext(request),
        key,
        env,
        request.body as EnvironmentPatch,
        ifMatch(request),
      );
      return sendGated(request, reply, gated);
    },
  });

  app.post('/api/v1/flags/:key/environments/:env/kill', {
    config: { auth: { role: 'editor' } },
    schema: {
      tags: ['flags'],
      summary:
        'Kill switch: on turns the flag off in this environment at once, whatever its rules (no If-Match); off on a protected flag that is not kind ops needs approval (202)',
      params: envParams,
      body: killBody,
    },
    handler: async (request, reply) => {
      const { key, env } = request.params as { key: string; env: string };
      const { on, reason } = request.body as { on: boolean; reason?: string };
      return sendGated(
        request,
        reply,
        await gate.setKillSwitch(mutationContext(request, reason), key, env, on),
      );
    },
  });
}
