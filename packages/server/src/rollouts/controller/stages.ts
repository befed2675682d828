import type { RouteState } from '../../routing/router.js';
import { formatDuration } from '../duration.js';
import { PhaseReason } from '../reasons.js';
import type { ResolvedRollout, RolloutStep } from '../rollout.js';

/**
 * One strategy, one list of stages: canary steps and blue-green stages become the same few kinds, so the
 * controller walks both with one loop. `RolloutState.stepIndex` indexes this list; `stepIndex === stages.length`
 * is the completion stage (100 % on the new version, waiting for the router to confirm it).
 */
export type Stage =
  | {
      readonly kind: 'route';
      /** What the step changes in the desired routing; the rest carries over from the previous steps. */
      readonly weight?: number;
      /** A rule-language condition; `null` clears the segment. */
      readonly segment?: string | null;
      readonly mirror?: number;
      readonly description: string;
    }
  | {
      readonly kind: 'pause';
      /** Undefined: waits for a person (`promote`, `resume`). */
      readonly durationMs?: number;
      /** The reason while counting down (Progressing) and while waiting for a person (Paused). */
      readonly timedReason: typeof PhaseReason.TimedPause | typeof PhaseReason.AutoPromotion;
      readonly manualReason: typeof PhaseReason.PausedByStep | typeof PhaseReason.PausedForPromotion;
      readonly description: string;
    }
  | { readonly kind: 'analysis'; readonly run: string; readonly description: string }
  | {
      readonly kind: 'setFlag';
      readonly flag: string;
      readonly environment: string;
      readonly rollout: number;
      readonly description: string;
    };

/** The routing of a finished rollout: everything on the new version, no segment, no mirror. */
export const FULL_ROUTE: RouteState = Object.freeze({ weight: 100, mirror: 0 });

const cache = new WeakMap<ResolvedRollout, readonly Stage[]>();

/** The stages of a rollout (memoised per resolved rollout object; stages are plain data). */
export function stagesOf(resolved: ResolvedRollout): readonly Stage[] {
  let stages = cache.get(resolved);
  if (stages === undefined) {
    stages = buildStages(resolved);
    cache.set(resolved, stages);
  }
  return stages;
}

function buildStages(resolved: ResolvedRollout): readonly Stage[] {
  const strategy = resolved.rollout.strategy;
  if (strategy.kind === 'canary') return strategy.steps.map((s, i) => canaryStage(s, i));
  // Blue-green (Argo `rollout/bluegreen.go`): green is deployed without traffic (reached through preview), then
  // analysed, promoted by a person or after a delay, switched, and analysed again; a failure switches back.
  const stages: Stage[] = [
    {
      kind: 'route',
      weight: 0,
      segment: null,
      mirror: 0,
      description: 'preview: new version deployed, no traffic',
    },
  ];
  if (strategy.prePromotionAnalysis) {
    const names = strategy.prePromotionAnalysis.templates.join(', ');
    stages.push({ kind: 'analysis', run: 'pre-promotion', description: `pre-promotion analysis ${names}` });
  }
  const seconds = strategy.autoPromotionSeconds ?? 0;
  stages.push({
    kind: 'pause',
    ...(strategy.autoPromotionEnabled ? { durationMs: seconds * 1000 } : {}),
    timedReason: PhaseReason.AutoPromotion,
    manualReason: PhaseReason.PausedForPromotion,
    description: strategy.autoPromotionEnabled
      ? `auto-promotion after ${formatDuration(seconds * 1000)}`
      : 'waiting for promote',
  });
  stages.push({
    kind: 'route',
    weight: 100,
    segment: null,
    mirror: 0,
    description: 'switch: 100 % to the new version',
  });
  if (strategy.postPromotionAnalysis) {
    const names = strategy.postPromotionAnalysis.templates.join(', ');
    stages.push({ kind: 'analysis', run: 'post-promotion', description: `post-promotion analysis ${names}` });
  }
  return stages;
}

function canaryStage(step: RolloutStep, index: number): Stage {
  switch (step.kind) {
    case 'setWeight':
      return { kind: 'route', weight: step.weight, description: `setWeight ${step.weight}` };
    case 'setSegment':
      return { kind: 'route', segment: step.segment, description: `setSegment ${step.segment}` };
    case 'setMirror':
      return { kind: 'route', mirror: step.percent, description: `setMirror ${step.percent}` };
    case 'pause':
      return {
        kind: 'pause',
        ...(step.durationMs === undefined ? {} : { durationMs: step.durationMs }),
        timedReason: PhaseReason.TimedPause,
        manualReason: PhaseReason.PausedByStep,
        description:
          step.durationMs === undefined ? 'pause until promoted' : `pause ${formatDuration(step.durationMs)}`,
      };
    case 'analysis':
      return {
        kind: 'analysis',
        run: `step-${index}`,
        description: `analysis ${step.analysis.templates.join(', ')}`,
      };
    case 'setFlag':
      return {
        kind: 'setFlag',
        flag: step.flag,
        environment: step.environment,
        rollout: step.rollout,
        description: `setFlag ${step.flag} ${formatFraction(step.rollout)} in ${step.environment}`,
      };
  }
}

/** The routing after a route stage: its changes over the current routing. */
export function applyRoute(stage: Extract<Stage, { kind: 'route' }>, current: RouteState): RouteState {
  const segment = stage.segment === undefined ? current.segment : (stage.segment ?? undefined);
  return {
    weight: stage.weight ?? current.weight,
    ...(segment === undefined ? {} : { segment }),
    mirror: stage.mirror ?? current.mirror,
  };
}

export function routeEquals(a: RouteState, b: RouteState): boolean {
  return a.weight === b.weight && a.mirror === b.mirror && (a.segment ?? '') === (b.segment ?? '');
}

/** `step 2 (setWeight 25)`, or the completion stage. */
export function describeStage(resolved: ResolvedRollout, index: number): string {
  const stages = stagesOf(resolved);
  const stage = stages[index];
  if (stage === undefined) return `full promotion: 100 % to ${resolved.rollout.route.canary.version}`;
  return `step ${index} (${stage.description})`;
}

/** `weight 25 %`, `weight 0 %, segment employees, mirror 10 %`: a routing for messages. */
export function describeRoute(route: RouteState): string {
  const parts = [`weight ${route.weight} %`];
  if (route.segment !== undefined) parts.push(`segment ${route.segment}`);
  if (route.mirror > 0) parts.push(`mirror ${route.mirror} %`);
  return parts.join(', ');
}

/** A flag rollout is a fraction 0–1, as in flag rules; people read it as a percentage. */
function formatFraction(fraction: number): string {
  return `${Number((fraction * 100).toFixed(4))} %`;
}
