import type { Tone } from '../components/badge.js';
import type { MetricStatus, RolloutPhase, RolloutView, RouteState } from './rollout-types.js';

/** Pure wording and state rules for the release pages. */

const PHASE_TONE: Record<RolloutPhase, Tone> = {
  Healthy: 'good',
  Aborted: 'bad',
  Paused: 'warn',
  Degraded: 'warn',
  Progressing: 'info',
  Analyzing: 'info',
};

export function phaseTone(phase: string): Tone {
  return PHASE_TONE[phase as RolloutPhase] ?? 'neutral';
}

const METRIC_TONE: Record<MetricStatus, Tone> = {
  Successful: 'good',
  Failed: 'bad',
  Error: 'bad',
  Inconclusive: 'warn',
  Running: 'info',
  Pending: 'neutral',
};

export function metricTone(status: string): Tone {
  return METRIC_TONE[status as MetricStatus] ?? 'neutral';
}

/** "3/8": the step being run, 1-based; once every step is done, "8/8". */
export function stepText(view: Pick<RolloutView, 'stepIndex' | 'steps'>): string {
  const n = view.steps.length;
  return `${Math.min(view.stepIndex + 1, n)}/${n}`;
}

export function percent(n: number): string {
  return `${Number.isInteger(n) ? n : Number(n.toFixed(2))} %`;
}

/** The routing in words: weight, or the segment rule that picks canary players. */
export function routeText(route: RouteState): string {
  const weight = percent(route.weight);
  return route.segment ? `segment ${route.segment} (and ${weight} of the rest)` : weight;
}

export type CommandName = 'promote' | 'promoteFull' | 'pause' | 'resume' | 'abort' | 'retry';

/**
 * Which commands make sense now — the same rules as the server's `checkCommand` (rollouts/controller/commands.ts),
 * loosely: a button is enabled when the command may be accepted; the server has the last word and its refusal
 * is shown.
 */
export function allowedCommands(view: Pick<RolloutView, 'phase' | 'stepIndex' | 'steps' | 'pause'>) {
  const { phase } = view;
  const settled = phase === 'Healthy' || phase === 'Aborted';
  const atCompletion = view.stepIndex >= view.steps.length;
  const waiting =
    phase === 'Paused' || phase === 'Analyzing' || (phase === 'Progressing' && !!view.pause?.until);
  const allowed: Record<CommandName, boolean> = {
    promote: !settled && !atCompletion && waiting,
    promoteFull: !settled && !atCompletion,
    pause: !settled && phase !== 'Paused',
    resume: phase === 'Paused',
    abort: !settled,
    retry: phase === 'Aborted',
  };
  return allowed;
}
