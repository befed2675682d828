/** Rollouts as the API gives them: the server's own types (rollouts/rollout-view.ts, analysis/measurement.ts). */
export type {
  ArmValue,
  ComparisonEvidence,
  Gate,
  HistoryEntry,
  Measurement,
  MetricGate,
  MetricStatus,
  RolloutPhase,
  RolloutView,
  RouteState,
} from '@pitboss/server/api-types';
