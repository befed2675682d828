/**
 * The rollout controller's vocabulary, in one place (Argo Rollouts `utils/conditions/conditions.go`): transition
 * events (audit action `rollout.<event>`, webhook `events` filters) and the reasons a rollout is in its phase
 * (`RolloutState.reason`). Changing a value here changes stored audit entries and users' webhook filters.
 */

/** What happened: the `event` of a `Transition`. One audit entry and one notification each. */
export const RolloutEvent = {
  /** The first step of a new revision began. */
  RolloutStarted: 'RolloutStarted',
  /** The current step finished (routing confirmed, pause elapsed, flag set); the next one began. */
  StepCompleted: 'StepCompleted',
  /** An analysis step (or blue-green pre/post-promotion analysis) passed; the next step began. */
  AnalysisSucceeded: 'AnalysisSucceeded',
  /** An analysis failed: the rollout was aborted and traffic sent back to stable. */
  AnalysisFailed: 'AnalysisFailed',
  /** A `hardStop` metric failed once: the rollout was aborted at once. */
  HardStop: 'HardStop',
  /** An analysis could not reach a verdict: the rollout waits for a person. */
  AnalysisInconclusive: 'AnalysisInconclusive',
  /** A metric provider kept failing: the rollout paused (or aborted with `onProviderOutage: abort`). */
  ProviderOutage: 'ProviderOutage',
  /** The provider answers again: the rollout resumed by itself. */
  ProviderRecovered: 'ProviderRecovered',
  /** Canary and baseline are equally worse (platform-wide incident): paused, never blamed on the canary. */
  SharedIncident: 'SharedIncident',
  /** The platform-wide incident cleared: the rollout resumed by itself. */
  SharedIncidentCleared: 'SharedIncidentCleared',
  /** The router did not confirm the desired routing in time; the controller keeps re-applying it. */
  Degraded: 'Degraded',
  /** The router confirmed the routing after the rollout was Degraded. */
  RouteConfirmed: 'RouteConfirmed',
  /** An operator paused the rollout. */
  Paused: 'Paused',
  /** An operator resumed the rollout (from an operator pause, a `pause: {}` step or an inconclusive analysis). */
  Resumed: 'Resumed',
  /** An operator promoted: the current pause or analysis was left and the next step began. */
  Promoted: 'Promoted',
  /** An operator promoted fully: straight to 100 %, analyses ended. */
  FullyPromoted: 'FullyPromoted',
  /** An operator skipped the current step without running it. */
  StepSkipped: 'StepSkipped',
  /** An operator aborted the rollout: traffic goes back to stable. */
  Aborted: 'Aborted',
  /** After an abort, the router confirmed that all traffic is back on stable (the canary is drained). */
  RolledBack: 'RolledBack',
  /** An operator retried an aborted rollout: it starts again from the first step with fresh analyses. */
  Retried: 'Retried',
  /** The router confirmed 100 % on the new version: the rollout is Healthy. */
  Completed: 'Completed',
} as const;
export type RolloutEvent = (typeof RolloutEvent)[keyof typeof RolloutEvent];

/** Why the rollout is in its phase: `RolloutState.reason`, and `pause.reason` while paused. */
export const PhaseReason = {
  /** Progressing: created, the first step not begun yet. */
  Pending: 'Pending',
  /** Progressing: the desired routing is applied, waiting for the router to confirm it. */
  WaitingForRoute: 'WaitingForRoute',
  /** Progressing: a `pause: {duration}` step is counting down (`pause.until`). */
  TimedPause: 'TimedPause',
  /** Progressing: blue-green auto-promotion is counting down (`pause.until`). */
  AutoPromotion: 'AutoPromotion',
  /** Progressing: the current step's action (a flag change) was handed to the runtime. */
  StepInProgress: 'StepInProgress',
  /** Analyzing: the step's analysis run is measuring. */
  AnalysisRunning: 'AnalysisRunning',
  /** Paused: a `pause: {}` step waits for `promote` or `resume`. */
  PausedByStep: 'PausedByStep',
  /** Paused: an operator paused; a timed pause keeps its remaining time. */
  PausedByOperator: 'PausedByOperator',
  /** Paused: blue-green without auto-promotion waits for `promote` before the switch. */
  PausedForPromotion: 'PausedForPromotion',
  /** Paused (or Aborted with `onProviderOutage: abort`): an analysis run is in Error; resumes by itself. */
  ProviderOutage: 'ProviderOutage',
  /** Paused: a platform-wide incident holds the verdict back; resumes by itself when it clears. */
  SharedIncident: 'SharedIncident',
  /** Paused: an analysis ended without a verdict; needs `promote`, `resume`, `skip` or `abort`. */
  AnalysisInconclusive: 'AnalysisInconclusive',
  /** Paused: an analysis step has no resolved metrics (a resolution bug); needs a person. */
  AnalysisNotResolved: 'AnalysisNotResolved',
  /** Degraded: the router has not confirmed the desired routing within the timeout. */
  RouteNotConfirmed: 'RouteNotConfirmed',
  /** Aborted: an analysis run failed. */
  AnalysisFailed: 'AnalysisFailed',
  /** Aborted: a `hardStop` metric failed. */
  HardStop: 'HardStop',
  /** Aborted: an operator aborted. */
  AbortedByOperator: 'AbortedByOperator',
  /** Healthy: all traffic on the new version, confirmed by the router. */
  Completed: 'Completed',
} as const;
export type PhaseReason = (typeof PhaseReason)[keyof typeof PhaseReason];

/** Pauses the controller lifts by itself when their cause clears; the analysis keeps measuring meanwhile. */
export const AUTOMATIC_PAUSES: ReadonlySet<string> = new Set([
  PhaseReason.ProviderOutage,
  PhaseReason.SharedIncident,
]);
