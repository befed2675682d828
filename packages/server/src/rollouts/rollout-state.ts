import type { AnalysisRunState, Measurement } from '../analysis/measurement.js';
import type { RouteState } from '../routing/router.js';

/**
 * A rollout's phase, a closed union (docs/rollouts.md has the diagram):
 * - `Progressing`: moving through steps (routing applied and confirmed, timed pauses running);
 * - `Analyzing`: on an analysis step (or blue-green pre/post-promotion analysis), waiting for its verdict;
 * - `Paused`: waiting for a person (`pause: {}`, operator pause, inconclusive analysis) or held by a provider
 *   outage or a platform-wide incident (then it resumes by itself when that clears);
 * - `Degraded`: the router does not confirm the desired routing; the controller keeps re-applying it;
 * - `Aborted`: rolled back (weight 0, canary drained) after a failed analysis, a hard stop or an operator abort;
 *   `retry` starts again from the first step;
 * - `Healthy`: fully promoted, the canary takes all traffic.
 */
export type RolloutPhase = 'Progressing' | 'Analyzing' | 'Paused' | 'Degraded' | 'Aborted' | 'Healthy';

export interface RolloutState {
  readonly name: string;
  /** Increases with every `start` of the rollout (a new canary version), so audit entries tell runs apart. */
  readonly revision: number;
  readonly phase: RolloutPhase;
  /** Why the rollout is in this phase: a constant from rollouts/reasons.ts. */
  readonly reason: string;
  readonly message: string;
  /** Index of the current step (canary) or stage (blue-green); equals the step count once complete. */
  readonly stepIndex: number;
  readonly stepStartedAt: string;
  /** The routing the controller wants; `routeConfirmed` once the router verified it. */
  readonly route: RouteState;
  readonly routeConfirmed: boolean;
  /** Set while paused: why, since when, and (timed pause) until when. */
  readonly pause?: { readonly reason: string; readonly since: string; readonly until?: string };
  readonly stepAnalysis?: AnalysisRunState;
  readonly backgroundAnalysis?: AnalysisRunState;
  /** Monotonic count of transitions: makes every audit entry and notification of a rollout unique and ordered. */
  readonly transitions: number;
  readonly updatedAt: string;
}

/** Operator commands (CLI `pitboss rollout <command>`, API `POST /api/v1/rollouts/:name/<command>`). */
export type Command =
  | { readonly kind: 'promote'; readonly full: boolean }
  | { readonly kind: 'pause' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'abort'; readonly reason?: string }
  | { readonly kind: 'retry' }
  | { readonly kind: 'skip' };

/** What the world told the controller since the last step: all optional, all data. */
export interface Observations {
  /** The router's answer to `verify(route)` for the state's desired routing. */
  readonly routeVerified?: boolean;
  /** Measurements taken for due metrics (see `dueMeasurements`). */
  readonly measurements?: readonly {
    readonly run: string;
    readonly metric: string;
    readonly measurement: Measurement;
  }[];
  readonly command?: Command;
}

/** Idempotent side effects the reconcile loop performs after persisting `next` (in this order). */
export type Action =
  | { readonly kind: 'route'; readonly route: RouteState }
  | {
      readonly kind: 'setFlag';
      readonly flag: string;
      readonly environment: string;
      readonly rollout: number;
    }
  /**
   * A rollback's undo of `setFlag`: the flag's environment back to what it was before this revision's first
   * `setFlag` on it (rollouts/rollout-actions.ts reads that from the audit log).
   */
  | { readonly kind: 'restoreFlag'; readonly flag: string; readonly environment: string };

/** A phase or step change: one audit entry (`rollout.<event>`) and one notification each. */
export interface Transition {
  /** Event name, a constant from rollouts/reasons.ts (`StepCompleted`, `RolledBack`, …). */
  readonly event: string;
  readonly from: RolloutPhase;
  readonly to: RolloutPhase;
  readonly stepIndex: number;
  /** The canary version and the step, as metrics and the audit log label them. */
  readonly version: string;
  readonly rolloutStep: number;
  readonly weight: number;
  readonly message: string;
}

export interface StepResult {
  readonly next: RolloutState;
  readonly actions: readonly Action[];
  readonly transitions: readonly Transition[];
}
