import type { EnvironmentConfig, Flag, FlagKind } from '@pitboss/engine';

/**
 * The shapes the flag routes answer with (packages/server/src/flags/*, segments/*, delivery/decision-log.ts).
 * Declared here rather than imported from the server, which the console must not bundle.
 */
export interface FlagView {
  readonly flag: Flag;
  readonly version: number;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** `GET /api/v1/environments`, in promotion order. */
export interface EnvironmentInfo {
  readonly key: string;
  readonly position: number;
  readonly description: string | null;
  readonly gitopsLocked: boolean;
}

export type StaleReason =
  | { readonly reason: 'expired'; readonly expiresAt: string; readonly daysOverdue: number }
  | { readonly reason: 'unused'; readonly createdAt: string; readonly lastEvaluatedAt: string | null }
  | { readonly reason: 'fully_rolled_out'; readonly variant: string; readonly unchangedSince: string };

export interface StaleFlagItem {
  readonly key: string;
  readonly kind: FlagKind;
  readonly owner?: string;
  readonly reasons: readonly StaleReason[];
}

/** `GET /api/v1/flags/stale`. */
export interface StaleReport {
  readonly days: number;
  readonly asOf: string;
  readonly flags: readonly StaleFlagItem[];
}

export interface SegmentView {
  readonly segment: { readonly key: string; readonly if: string; readonly description?: string };
  readonly version: number;
  readonly archived: boolean;
}

/** A decision an SDK reported (`GET /api/v1/decisions`). */
export interface DecisionRecord {
  readonly id: string;
  readonly environment: string;
  readonly flag: string;
  readonly variant: string | null;
  readonly reason: string;
  readonly ruleIndex: number | null;
  readonly traceId: string | null;
  readonly at: string;
}

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
