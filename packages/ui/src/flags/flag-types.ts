import type { EnvironmentConfig } from '@pitboss/engine';

/** The shapes the flag routes answer with: the server's own types (type-only, nothing of the server is bundled). */
export type {
  DecisionRecord,
  Environment as EnvironmentInfo,
  FlagView,
  SegmentView,
  StaleFlagItem,
  StaleFlagReport as StaleReport,
  StaleReason,
} from '@pitboss/server/api-types';

/** The 202 a protected resource answers with instead of applying (approvals/gated-reply.ts). */
export interface ApprovalRequired {
  readonly code: 'APPROVAL_REQUIRED';
  readonly message: string;
  readonly changeRequest: {
    readonly id: string;
    readonly target: string;
    readonly requiredApprovals: number;
  };
}

export type EnvironmentPatch = Partial<EnvironmentConfig>;

/** The audit resource of a flag, as the flag service writes it. */
export function flagResource(key: string): string {
  return `flag:${key}`;
}
