import type { EnvironmentConfig } from '@pitboss/engine';

/** The shapes the flag routes answer with: the server's own types (type-only, nothing of the server is bundled). */
export type {
  ApprovalRequired,
  DecisionRecord,
  Environment as EnvironmentInfo,
  FlagView,
  SegmentView,
  StaleFlagItem,
  StaleFlagReport as StaleReport,
  StaleReason,
} from '@pitboss/server/api-types';

export type EnvironmentPatch = Partial<EnvironmentConfig>;

/** The audit resource of a flag, as the flag service writes it. */
export function flagResource(key: string): string {
  return `flag:${key}`;
}
