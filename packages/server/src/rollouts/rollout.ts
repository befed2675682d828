import type { ResolvedMetric, TemplateArg } from '../analysis/analysis-template.js';
import type { RouteSpec } from '../routing/router.js';

/**
 * A `Rollout` document, normalised: what rollouts/read-rollout.ts makes of the Pitboss form or of the Argo Rollouts
 * subset. Durations are milliseconds; docs/rollouts.md lists every YAML field.
 */
export interface Rollout {
  readonly name: string;
  /** The service whose traffic is split, its stable and canary versions, and the stickiness attribute. */
  readonly route: RouteSpec;
  readonly strategy: CanaryStrategy | BlueGreenStrategy;
  /** What a metric provider outage does: `pause` (default: never promote, never abort on missing data) or `abort`. */
  readonly onProviderOutage: 'pause' | 'abort';
  readonly notifications: readonly WebhookSpec[];
}

export interface WebhookSpec {
  readonly url: string;
  /** Transition events to send (rollouts/reasons.ts); empty = all. */
  readonly events: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
}

/** Analysis templates to run, by name, with arguments (`value` here overrides the template's default). */
export interface AnalysisRef {
  readonly templates: readonly string[];
  readonly args: readonly TemplateArg[];
}

export type RolloutStep =
  | { readonly kind: 'setWeight'; readonly weight: number }
  /** Without `durationMs` the rollout waits for a person (`promote` or `resume`). */
  | { readonly kind: 'pause'; readonly durationMs?: number }
  | { readonly kind: 'analysis'; readonly analysis: AnalysisRef }
  /** Canary by segment: players matching the rule-language condition get the canary. */
  | { readonly kind: 'setSegment'; readonly segment: string }
  /** Shadow traffic: percent of requests mirrored to the canary. */
  | { readonly kind: 'setMirror'; readonly percent: number }
  /** Moves a feature flag's rollout together with the release. */
  | {
      readonly kind: 'setFlag';
      readonly flag: string;
      readonly environment: string;
      readonly rollout: number;
    };

export interface CanaryStrategy {
  readonly kind: 'canary';
  readonly steps: readonly RolloutStep[];
  /** Background analysis, from `startingStep` (index into steps, default 0) to the end of the rollout. */
  readonly analysis?: AnalysisRef & { readonly startingStep: number };
}

export interface BlueGreenStrategy {
  readonly kind: 'blueGreen';
  /** Run against the new version before it takes traffic (reached through tester overrides / preview). */
  readonly prePromotionAnalysis?: AnalysisRef;
  /** Run after the switch; a failure switches back. */
  readonly postPromotionAnalysis?: AnalysisRef;
  /** False = wait for a person before the switch (Argo's default is true). */
  readonly autoPromotionEnabled: boolean;
  /** With auto-promotion, wait this long before switching. */
  readonly autoPromotionSeconds?: number;
}

/**
 * A rollout with its analysis templates looked up and arguments substituted: the controller's input.
 * `analyses` maps an analysis id (`step-<index>`, `background`, `pre-promotion`, `post-promotion`) to its metrics.
 */
export interface ResolvedRollout {
  readonly rollout: Rollout;
  readonly analyses: Readonly<Record<string, readonly ResolvedMetric[]>>;
}
