/**
 * One error type for the whole server, with a closed list of codes (docs/errors.md). Services throw it; only the
 * API edge (api/error-handler.ts) turns a code into an HTTP status, and the CLI into an exit code (tRPC
 * getHTTPStatusCode.ts, Fastify lib/errors.js).
 */
export type ErrorCode =
  | 'BAD_REQUEST' // malformed request: invalid JSON, wrong content type
  | 'VALIDATION_FAILED' // the request parsed but its content is invalid; details name the fields
  | 'UNAUTHENTICATED' // no or unknown token
  | 'FORBIDDEN' // the token's role or scope does not allow this
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PRECONDITION_REQUIRED' // a mutation without If-Match
  | 'VERSION_CONFLICT' // If-Match does not match: someone else changed it first
  | 'APPROVAL_REQUIRED' // the change became a change request
  | 'GITOPS_LOCKED' // the environment only takes changes through `pitboss apply`
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE' // not ready, shutting down
  | 'INTERNAL';

export class PitbossError extends Error {
  override readonly name = 'PitbossError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (what: string, key: string): PitbossError =>
  new PitbossError('NOT_FOUND', `${what} '${key}' does not exist`);

export function isPitbossError(e: unknown): e is PitbossError {
  return e instanceof PitbossError;
}
