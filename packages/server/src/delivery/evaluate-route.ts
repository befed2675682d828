import type { EvaluationResult } from '@pitboss/engine';
import type { FastifyInstance } from 'fastify';
import type { ResolvedDeliveryOptions } from './delivery-options.js';
import { environmentQuery, requestEnvironment, scopeByQuery } from './environment-scope.js';
import type { SnapshotService } from './snapshot-service.js';

/** Most flags one request may name; without `flags`, every flag of the environment is evaluated. */
const MAX_FLAGS = 1000;

interface EvaluateBody {
  readonly environment?: string;
  readonly context: Record<string, unknown>;
  readonly flags?: readonly string[];
}

/** One flag's answer: the engine's result without its message (which may quote rules the caller must not see). */
export interface RemoteResult {
  readonly value: EvaluationResult['value'] | null;
  readonly variant: string | null;
  readonly reason: EvaluationResult['reason'];
  readonly ruleIndex?: number;
  readonly errorCode?: EvaluationResult['errorCode'];
}

/**
 * `POST /sdk/v1/evaluate`: the server evaluates for clients that must not see the rules (browsers, where a
 * snapshot would disclose targeting). Evaluates with the snapshot's compiled config — compiled once per version
 * and shared — so a request costs a lookup per flag. Never throws for a flag: an unknown one answers
 * `ERROR` / `FLAG_NOT_FOUND`, like the local evaluators in the SDKs.
 */
export function registerEvaluateRoute(
  app: FastifyInstance,
  snapshots: SnapshotService,
  options: ResolvedDeliveryOptions,
): void {
  app.post('/sdk/v1/evaluate', {
    bodyLimit: options.evaluateBodyLimit,
    config: { auth: { role: 'viewer', sdk: true, client: true } },
    preValidation: scopeByQuery,
    schema: {
      tags: ['sdk'],
      summary: 'Evaluate flags on the server for one context (for clients that must not see rules)',
      querystring: environmentQuery,
      body: {
        type: 'object',
        required: ['context'],
        additionalProperties: false,
        properties: {
          environment: { type: 'string', minLength: 1, maxLength: 128 },
          context: { type: 'object' },
          flags: {
            type: 'array',
            maxItems: MAX_FLAGS,
            items: { type: 'string', minLength: 1, maxLength: 128 },
          },
        },
      },
    },
    handler: async (request) => {
      const body = request.body as EvaluateBody;
      const environment = requestEnvironment(request, body.environment);
      const snapshot = await snapshots.get(environment);
      const config = snapshot.compiled();
      const values: Record<string, RemoteResult> = {};
      for (const key of body.flags ?? config.keys()) {
        // defineProperty, not assignment: a flag named `__proto__` must stay data, not reach the prototype.
        Object.defineProperty(values, key, {
          value: remote(config.evaluate(key, environment, body.context)),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      return { version: snapshot.version, values };
    },
  });
}

function remote(r: EvaluationResult): RemoteResult {
  return {
    value: r.value ?? null,
    variant: r.variant ?? null,
    reason: r.reason,
    ...(r.ruleIndex === undefined ? {} : { ruleIndex: r.ruleIndex }),
    ...(r.errorCode === undefined ? {} : { errorCode: r.errorCode }),
  };
}
