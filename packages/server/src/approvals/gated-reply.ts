import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpStatus } from '../api/error-handler.js';
import { etag } from '../api/request-context.js';
import type { ChangeRequest } from './change-request.js';
import type { Gated } from './change-request-service.js';

/** The 202 answer of a change that became a change request instead of applying (docs/approvals.md). */
export interface ApprovalRequired {
  readonly id: string;
  readonly code: 'APPROVAL_REQUIRED';
  readonly message: string;
  readonly changeRequest: ChangeRequest;
}

/**
 * Answers a gated change: the result with its ETag when it was done, or `202 { code: 'APPROVAL_REQUIRED',
 * changeRequest }` with a Location to follow it when it became a change request. Not an error: nothing went
 * wrong, the change is waiting for a second person.
 */
export function sendGated<T extends { version: number }>(
  request: FastifyRequest,
  reply: FastifyReply,
  gated: Gated<T>,
  status = 200,
): FastifyReply {
  if ('applied' in gated)
    return reply.status(status).header('etag', etag(gated.applied.version)).send(gated.applied);
  const cr = gated.changeRequest;
  const needed = cr.requiredApprovals === 1 ? '1 approval' : `${cr.requiredApprovals} approvals`;
  return reply
    .status(httpStatus('APPROVAL_REQUIRED'))
    .header('location', `/api/v1/change-requests/${cr.id}`)
    .send({
      id: request.id,
      code: 'APPROVAL_REQUIRED',
      message: `${cr.target} is protected: change request ${cr.id} needs ${needed} from someone other than you`,
      changeRequest: cr,
    } satisfies ApprovalRequired);
}
