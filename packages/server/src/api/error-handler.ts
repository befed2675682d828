import type { FastifyError, FastifyInstance } from 'fastify';
import { type ErrorCode, isPitbossError, PitbossError } from '../errors.js';

/** The HTTP status of each error code: chosen here, at the edge, and nowhere else. */
const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  VERSION_CONFLICT: 409,
  GITOPS_LOCKED: 409,
  PRECONDITION_REQUIRED: 428,
  APPROVAL_REQUIRED: 202,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function httpStatus(code: ErrorCode): number {
  return STATUS[code];
}

/**
 * Every error leaves as `{ id, code, message, details? }`: `id` is the request id (also in the server log),
 * `details` name the fields. Stack traces stay in the log, never in a response.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | PitbossError | Error, request, reply) => {
    const e = toPitbossError(error);
    if (e.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: e.code }, e.message);
    return reply.status(httpStatus(e.code)).send({
      id: request.id,
      code: e.code,
      message: e.message,
      ...(e.details === undefined ? {} : { details: e.details }),
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      id: request.id,
      code: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
}

function toPitbossError(error: unknown): PitbossError {
  if (isPitbossError(error)) return error;
  const e = error as FastifyError;
  if (e.validation) {
    const details = e.validation.map((v) => ({
      path: [e.validationContext ?? 'body', ...v.instancePath.split('/').filter(Boolean)].map((p) =>
        /^\d+$/.test(p) ? Number(p) : p,
      ),
      message: v.message ?? 'invalid',
      ...(v.params && 'additionalProperty' in v.params ? { field: v.params.additionalProperty } : {}),
    }));
    const first = details[0];
    const where = first ? `${first.path.join('.')}${'field' in first ? `.${first.field}` : ''}` : 'request';
    return new PitbossError('VALIDATION_FAILED', `${where}: ${first?.message ?? 'invalid'}`, details);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PitbossError('PAYLOAD_TOO_LARGE', 'request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new PitbossError('BAD_REQUEST', 'send JSON (content-type: application/json)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new PitbossError('BAD_REQUEST', 'the JSON body is empty');
  }
  if (e.statusCode === 400 && e instanceof SyntaxError)
    return new PitbossError('BAD_REQUEST', `invalid JSON: ${e.message}`);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new PitbossError('BAD_REQUEST', e.message);
  }
  return new PitbossError('INTERNAL', 'internal error; see the server log for this request id');
}
