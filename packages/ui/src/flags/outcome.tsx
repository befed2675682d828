import { href } from '../router.js';
import type { ApprovalRequired } from './flag-types.js';

/** A 2xx answer that is a change request rather than the change (202 APPROVAL_REQUIRED). */
export function approvalOf(status: number, body: unknown): ApprovalRequired | undefined {
  const b = body as Partial<ApprovalRequired> | undefined;
  return status === 202 && b?.code === 'APPROVAL_REQUIRED' ? (b as ApprovalRequired) : undefined;
}

/** Not an error: the change waits for a second person, on the Approvals page. */
export function SentForApproval({ approval }: { readonly approval: ApprovalRequired }) {
  return (
    <div class="notice" role="status">
      <strong>Sent for approval.</strong> {approval.message} <a href={href('approvals')}>Open Approvals</a>
    </div>
  );
}
