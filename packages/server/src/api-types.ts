/**
 * The JSON shapes the HTTP API answers, for clients written in TypeScript — the web console imports them
 * (`import type … from '@pitboss/server/api-types'`), so a change to an answer's shape breaks the console's
 * type check instead of its pages. Types only: nothing here exists at run time.
 */
export type { ArmValue, ComparisonEvidence, Measurement, MetricStatus } from './analysis/measurement.js';
export type { Approval, ChangeKind, ChangeRequest, ChangeStatus } from './approvals/change-request.js';
export type { ApprovalRequired } from './approvals/gated-reply.js';
export type { AuditEntry } from './audit/audit-entry.js';
export type { Role } from './auth/roles.js';
export type { StoredSegment as SegmentView } from './config/state.js';
export type { DecisionRecord } from './delivery/decision-log.js';
export type { Environment } from './environments/environment-service.js';
export type { FlagView } from './flags/flag-service.js';
export type { StaleFlagItem, StaleFlagReport, StaleReason } from './flags/stale-flags.js';
export type {
  EndpointHealth,
  HealthFigures,
  HealthSample,
  ReleaseHealth,
} from './rollouts/release-health.js';
export type { RolloutPhase } from './rollouts/rollout-state.js';
export type { Gate, HistoryEntry, MetricGate, RolloutView } from './rollouts/rollout-view.js';
export type { RouteState } from './routing/router.js';
