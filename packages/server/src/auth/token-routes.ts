import type { FastifyInstance } from 'fastify';
import { principalOf } from '../api/auth-hook.js';
import { mutationContext } from '../api/request-context.js';
import { PitbossError } from '../errors.js';
import { ROLES, type Role } from './roles.js';
import type { TokenService } from './token-store.js';

export function registerTokenRoutes(app: FastifyInstance, tokens: TokenService): void {
  app.get('/api/v1/me', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['tokens'],
      summary: "The calling API token: {id, name, role}, never its value (the console's sign-in checks it)",
    },
    handler: async (request) => {
      const p = principalOf(request);
      // Viewer routes refuse SDK keys before this runs; the server's own principal never calls over HTTP.
      if (p.kind !== 'api') throw new PitbossError('FORBIDDEN', 'only API tokens have a role');
      return { id: p.id, name: p.name, role: p.role };
    },
  });

  app.get('/api/v1/tokens', {
    config: { auth: { role: 'admin' } },
    schema: { tags: ['tokens'], summary: 'API tokens and SDK keys (never their values)' },
    handler: async () => ({ tokens: await tokens.list() }),
  });

  app.post('/api/v1/tokens', {
    config: { auth: { role: 'admin' } },
    schema: {
      tags: ['tokens'],
      summary:
        'Issue an API token (with a role) or an SDK key (for one environment); the value is shown once',
      body: {
        type: 'object',
        required: ['name', 'kind'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          kind: { type: 'string', enum: ['api', 'sdk', 'client'] },
          role: { type: 'string', enum: [...ROLES] },
          environment: { type: 'string', maxLength: 128 },
        },
      },
    },
    handler: async (request, reply) => {
      const body = request.body as {
        name: string;
        kind: 'api' | 'sdk' | 'client';
        role?: Role;
        environment?: string;
      };
      const { token, info } = await tokens.create(mutationContext(request), body);
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ token, ...info });
    },
  });

  app.delete('/api/v1/tokens/:id', {
    config: { auth: { role: 'admin' } },
    schema: {
      tags: ['tokens'],
      summary: 'Revoke a token',
      params: { type: 'object', properties: { id: { type: 'string' } } },
    },
    handler: async (request, reply) => {
      await tokens.revoke(mutationContext(request), (request.params as { id: string }).id);
      return reply.status(204).send();
    },
  });
}
