import type { FastifyRequest } from 'fastify';
import { PitbossError } from '../errors.js';
import type { MutationContext } from '../mutation.js';
import { principalOf } from './auth-hook.js';

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/**
 * Who, why and which trace: the principal, the `x-pitboss-reason` header (or a `reason` the route passes), and
 * the trace id of a W3C `traceparent` header or `x-trace-id`, so audit entries link to the traces of the change.
 */
export function mutationContext(request: FastifyRequest, reason?: string): MutationContext {
  const header = request.headers['x-pitboss-reason'];
  const why = reason ?? (typeof header === 'string' && header !== '' ? header : undefined);
  const traceId = traceIdOf(request);
  return {
    principal: principalOf(request),
    ...(why ? { reason: why } : {}),
    ...(traceId ? { traceId } : {}),
  };
}

function traceIdOf(request: FastifyRequest): string | undefined {
  const parent = request.headers.traceparent;
  if (typeof parent === 'string') {
    const m = TRACEPARENT.exec(parent.trim());
    if (m) return m[1];
  }
  const id = request.headers['x-trace-id'];
  return typeof id === 'string' && /^[\w.-]{1,128}$/.test(id) ? id : undefined;
}

/** The version an `If-Match` header names (`"3"`, `W/"3"` or `3`); mutations of versioned resources need one. */
export function ifMatch(request: FastifyRequest): number {
  const header = request.headers['if-match'];
  if (header === undefined) {
    throw new PitbossError(
      'PRECONDITION_REQUIRED',
      'send If-Match with the version you read (the ETag of the GET), so a lost update cannot happen',
    );
  }
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(String(header).trim());
  if (m === null)
    throw new PitbossError('BAD_REQUEST', `If-Match must be a version such as "3", not '${header}'`);
  return Number(m[1]);
}

export function etag(version: number): string {
  return `"${version}"`;
}
