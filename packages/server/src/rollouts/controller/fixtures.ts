import type { ResolvedMetric } from '../../analysis/analysis-template.js';
import type { Measurement } from '../../analysis/measurement.js';
import { resolvedMetric } from '../../analysis/testing/fixtures.js';
import type { BlueGreenStrategy, ResolvedRollout, RolloutStep } from '../rollout.js';
import type { Command, Observations, RolloutPhase, RolloutState } from '../rollout-state.js';
import {
  type ControllerOptions,
  type ControllerResult,
  dueMeasurements,
  initialState,
  step,
} from './step.js';

/**
 * Hand-built rollouts and a table player for the controller's tests: a row is an observation at a time and what
 * the controller must make of it. Built by hand, so they do not depend on the spec readers.
 */

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');

export function metric(name: string, over: Partial<ResolvedMetric> = {}): ResolvedMetric {
  return resolvedMetric({
    name,
    template: `${name}-tpl`,
    query: `success_ratio{service="wallet",version="{{version}}"}[1m]`,
    consecutiveErrorLimit: 0,
    ...over,
  });
}

const route = {
  service: 'wallet',
  stable: { version: 'v1', upstreams: ['http://v1'] },
  canary: { version: 'v2', upstreams: ['http://v2'] },
  stickiness: 'playerId',
};

export function analysisStep(...templates: string[]): RolloutStep {
  return { kind: 'analysis', analysis: { templates, args: [] } };
}

export function canary(
  steps: readonly RolloutStep[],
  opts: {
    analyses?: Record<string, readonly ResolvedMetric[]>;
    background?: { startingStep: number; metrics: readonly ResolvedMetric[] };
    onProviderOutage?: 'pause' | 'abort';
  } = {},
): ResolvedRollout {
  const background = opts.background;
  return {
    rollout: {
      name: 'wallet',
      route,
      strategy: {
        kind: 'canary',
        steps,
        ...(background
          ? { analysis: { templates: ['bg'], args: [], startingStep: background.startingStep } }
          : {}),
      },
      onProviderOutage: opts.onProviderOutage ?? 'pause',
      notifications: [],
    },
    analyses: { ...opts.analyses, ...(background ? { background: background.metrics } : {}) },
  };
}

export function blueGreen(
  strategy: Partial<Omit<BlueGreenStrategy, 'kind'>>,
  analyses: Record<string, readonly ResolvedMetric[]> = {},
): ResolvedRollout {
  return {
    rollout: {
      name: 'wallet',
      route,
      strategy: { kind: 'blueGreen', autoPromotionEnabled: true, ...strategy },
      onProviderOutage: 'pause',
      notifications: [],
    },
    analyses,
  };
}

/** What a metric measures in a row: one word per measurement outcome the analysis distinguishes. */
export type Verdict = 'success' | 'failure' | 'error' | 'incident' | 'noData' | 'inconclusive';

export function measurement(verdict: Verdict, at: Date, message = verdict): Measurement {
  const base = { at: at.toISOString(), message };
  switch (verdict) {
    case 'success':
    case 'failure':
    case 'error':
      return {
        ...base,
        phase: verdict,
        ...(verdict === 'error' ? { reason: 'providerError' as const } : {}),
      };
    case 'incident':
      return { ...base, phase: 'inconclusive', reason: 'sharedIncident' };
    case 'noData':
      return { ...base, phase: 'inconclusive', reason: 'noData' };
    case 'inconclusive':
      return { ...base, phase: 'inconclusive' };
  }
}

export interface Expect {
  readonly phase?: RolloutPhase;
  readonly step?: number;
  readonly weight?: number;
  readonly segment?: string | null;
  readonly mirror?: number;
  readonly reason?: string;
  readonly confirmed?: boolean;
  /** Exactly these transition events, in order. */
  readonly events?: readonly string[];
  /** Exactly these action kinds, in order. */
  readonly actions?: readonly string[];
  /** The same state object came back (nothing to write). */
  readonly same?: boolean;
  /** The command was refused (true) or not (false). */
  readonly rejected?: boolean;
  /** A substring of the state's message. */
  readonly message?: string;
  /** Runs with metrics due after this row. */
  readonly due?: readonly string[];
}

export interface Row {
  /** Seconds since T0. */
  readonly t: number;
  readonly route?: boolean;
  /** Every due metric measures this; or per run id (`step-2`, `background`) or `run/metric`. */
  readonly measure?: Verdict | Readonly<Record<string, Verdict>>;
  readonly command?: Command;
  readonly expect?: Expect;
}

/** Observations for `row` against `state`: only metrics the controller says are due get measured. */
export function observe(resolved: ResolvedRollout, state: RolloutState, row: Row, now: Date): Observations {
  const measurements: NonNullable<Observations['measurements']>[number][] = [];
  if (row.measure !== undefined) {
    for (const { run, metric: m } of dueMeasurements(resolved, state, now)) {
      const spec = row.measure;
      const verdict = typeof spec === 'string' ? spec : (spec[`${run}/${m.name}`] ?? spec[run]);
      if (verdict !== undefined)
        measurements.push({ run, metric: m.name, measurement: measurement(verdict, now) });
    }
  }
  return {
    ...(row.route === undefined ? {} : { routeVerified: row.route }),
    ...(measurements.length > 0 ? { measurements } : {}),
    ...(row.command ? { command: row.command } : {}),
  };
}

export interface Mismatch {
  readonly row: string;
  readonly want: Record<string, unknown>;
  readonly got: Record<string, unknown>;
}

/**
 * Plays `rows` from the initial state (or `from`) and compares each row's expectations: `mismatches` is empty
 * when the controller did what every row expected (assert it equals `[]`, the diff names the row).
 */
export function play(
  resolved: ResolvedRollout,
  rows: readonly Row[],
  options: ControllerOptions = {},
  from?: RolloutState,
): { state: RolloutState; results: ControllerResult[]; mismatches: Mismatch[] } {
  let state = from ?? initialState(resolved, 1, new Date(T0));
  const results: ControllerResult[] = [];
  const mismatches: Mismatch[] = [];
  rows.forEach((row, i) => {
    const now = new Date(T0 + row.t * 1000);
    const obs = observe(resolved, state, row, now);
    const result = step(resolved, state, obs, now, options);
    if (row.expect) {
      const { got, want } = compare(result, state, row.expect, resolved, now);
      if (JSON.stringify(got) !== JSON.stringify(want))
        mismatches.push({ row: `row ${i} (t=${row.t}s)`, want, got });
    }
    results.push(result);
    state = result.next;
  });
  return { state, results, mismatches };
}

function compare(
  r: ControllerResult,
  before: RolloutState,
  e: Expect,
  resolved: ResolvedRollout,
  now: Date,
): { got: Record<string, unknown>; want: Record<string, unknown> } {
  const s = r.next;
  const got: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  const add = (key: string, expected: unknown, actual: unknown) => {
    if (expected === undefined) return;
    want[key] = expected;
    got[key] = actual;
  };
  add('phase', e.phase, s.phase);
  add('step', e.step, s.stepIndex);
  add('weight', e.weight, s.route.weight);
  add('segment', e.segment, s.route.segment ?? null);
  add('mirror', e.mirror, s.route.mirror);
  add('reason', e.reason, s.reason);
  add('confirmed', e.confirmed, s.routeConfirmed);
  add(
    'events',
    e.events,
    r.transitions.map((t) => t.event),
  );
  add(
    'actions',
    e.actions,
    r.actions.map((a) => a.kind),
  );
  add('same', e.same, s === before);
  add('rejected', e.rejected, r.rejected !== undefined);
  add(
    'due',
    e.due,
    dueMeasurements(resolved, s, now).map((d) => `${d.run}/${d.metric.name}`),
  );
  add('message', e.message, e.message !== undefined && s.message.includes(e.message) ? e.message : s.message);
  return { got, want };
}
