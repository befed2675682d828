import type { FastifyInstance } from 'fastify';
import { principalOf } from '../api/auth-hook.js';
import { PitbossError } from '../errors.js';
import type { DecisionLog, DecisionQuery } from './decision-log.js';
import { MAX_DECISIONS, validateDecisionBatch } from './decision-validation.js';
import type { ResolvedDeliveryOptions } from './delivery-options.js';
import { environmentQuery, requestEnvironment, scopeByQuery } from './environment-scope.js';
import { RateLimiter } from './rate-limiter.js';
import type { SnapshotService } from './snapshot-service.js';

/**
 * Decision logs: SDKs post what they decided (`POST /sdk/v1/decisions`), people look a player's decision up by
 * trace id (`GET /api/v1/decisions`).
 */
export function registerDecisionRoutes(
  app: FastifyInstance,
  services: { readonly snapshots: SnapshotService; readonly decisions: DecisionLog },
  options: ResolvedDeliveryOptions,
): void {
  const { burst, perSecond } = options.decisionRateLimit;
  const limiter = new RateLimiter(burst, perSecond, options.clock);

  app.post('/sdk/v1/decisions', {
    config: { auth: { role: 'viewer', sdk: true, client: true } },
    preValidation: scopeByQuery,
    schema: {
      tags: ['sdk'],
      summary: `Report up to ${MAX_DECISIONS} flag decisions (kept for a bounded time)`,
      querystring: environmentQuery,
      // Validated by the handler, so that messages name `decisions[i].field` (decision-validation.ts).
      body: { type: 'object' },
    },
    handler: async (request, reply) => {
      const principal = principalOf(request);
      // Before parsing a thousand decisions: a key over its rate costs as little as possible.
      const rate = limiter.take(principal.id);
      if (!rate.allowed) {
        // RFC 9110 §10.2.3: Retry-After in whole seconds; round up so a client that obeys it is admitted.
        const seconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
        reply.header('retry-after', String(seconds));
        throw new PitbossError(
          'RATE_LIMITED',
          `this key posts decisions faster than ${perSecond} batches per second (burst ${burst}); retry after ${seconds} s`,
          { retryAfterSeconds: seconds },
        );
      }
      const batch = validateDecisionBatch(request.body);
      const environment = requestEnvironment(request, batch.environment);
      await services.snapshots.get(environment); // 404 for an environment that does not exist
      const accepted = await services.decisions.record(environment, batch.decisions, principal.id);
      return reply.code(202).send({ accepted });
    },
  });

  app.get('/api/v1/decisions', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['decisions'],
      summary: "Reported decisions, newest first: look a player's decision up by trace id",
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          flag: { type: 'string', minLength: 1, maxLength: 128 },
          traceId: { type: 'string', minLength: 1, maxLength: 128 },
          environment: { type: 'string', minLength: 1, maxLength: 128 },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
      },
    },
    handler: async (request) => {
      const query = request.query as DecisionQuery;
      return { decisions: await services.decisions.find(query) };
    },
  });
}
