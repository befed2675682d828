import type { FastifyRequest } from 'fastify';
import { assertEnvironment } from '../api/auth-hook.js';
import { PitbossError } from '../errors.js';

/**
 * `?environment=` on the SDK routes that take a body (evaluate, decisions), like on the GET routes. Optional
 * there — the body may name the environment instead — but when present it is checked before the body is
 * validated, so an SDK key of another environment is refused with 403 whatever the body holds (access is
 * decided before content, on every route).
 */
export const environmentQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { environment: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/** A `preValidation` hook: scope check on `?environment=` before the body is looked at. */
export async function scopeByQuery(request: FastifyRequest): Promise<void> {
  const { environment } = (request.query ?? {}) as { environment?: unknown };
  if (typeof environment === 'string') assertEnvironment(request, environment);
}

/** The environment named by the query string or the body; both may be given if they agree. */
export function requestEnvironment(request: FastifyRequest, fromBody: string | undefined): string {
  const fromQuery = (request.query as { environment?: string }).environment;
  if (fromQuery !== undefined && fromBody !== undefined && fromQuery !== fromBody) {
    throw new PitbossError(
      'VALIDATION_FAILED',
      `environment: the body names '${fromBody}', the query string '${fromQuery}'`,
      [{ path: ['body', 'environment'], message: 'does not match ?environment=' }],
    );
  }
  const environment = fromBody ?? fromQuery;
  if (environment === undefined) {
    throw new PitbossError(
      'VALIDATION_FAILED',
      'environment: is required (in the body or as ?environment=)',
      [{ path: ['body', 'environment'], message: 'is required' }],
    );
  }
  assertEnvironment(request, environment);
  return environment;
}
