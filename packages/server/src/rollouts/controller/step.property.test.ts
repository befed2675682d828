import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RolloutEvent as E } from '../reasons.js';
import type { ResolvedRollout } from '../rollout.js';
import type { Command, RolloutState } from '../rollout-state.js';
import { analysisStep, blueGreen, canary, metric, observe, type Row, T0, type Verdict } from './fixtures.js';
import { initialState, step } from './step.js';

/** Every step kind, a background analysis and a hard stop: the widest canary the controller knows. */
const wide = canary(
  [
    { kind: 'setWeight', weight: 0.5 },
    { kind: 'setSegment', segment: 'player.staff' },
    { kind: 'pause', durationMs: 20_000 },
    analysisStep('gate'),
    { kind: 'setMirror', percent: 20 },
    { kind: 'setFlag', flag: 'f', environment: 'prod', rollout: 25 },
    { kind: 'setWeight', weight: 25 },
    { kind: 'pause' },
    { kind: 'setWeight', weight: 100 },
  ],
  {
    analyses: {
      'step-3': [
        metric('m1', { count: 3, failureLimit: 1 }),
        metric('hard', { count: 3, hardStop: true, failureLimit: 5 }),
      ],
    },
    background: { startingStep: 1, metrics: [metric('bg1', { failureLimit: 2, consecutiveErrorLimit: 1 })] },
  },
);

const ref = (name: string) => ({ templates: [name], args: [] });
const bg = blueGreen(
  { prePromotionAnalysis: ref('smoke'), postPromotionAnalysis: ref('slo'), autoPromotionEnabled: false },
  { 'pre-promotion': [metric('smoke', { count: 2 })], 'post-promotion': [metric('slo', { count: 2 })] },
);

const w = <T>(weight: number, value: T) => ({ weight, arbitrary: fc.constant(value) });
const c = (weight: number, value: Command | undefined) => w(weight, value);

/**
 * One tick: time passes, and maybe a router answer, measurements and a command. Mostly cooperative (the router
 * confirms, metrics pass), so that runs reach the late steps; commands are rare, `promote --full` rarest.
 */
const tick = fc.record({
  dt: fc.constantFrom(0, 1, 5, 10, 21, 31, 61),
  route: fc.oneof(
    w<boolean | undefined>(4, true),
    w<boolean | undefined>(1, false),
    w<boolean | undefined>(1, undefined),
  ),
  measure: fc.oneof(
    w<Verdict | undefined>(2, undefined),
    w<Verdict | undefined>(8, 'success'),
    ...(['failure', 'error', 'incident', 'noData', 'inconclusive'] as const).map((v) =>
      w<Verdict | undefined>(1, v),
    ),
  ),
  command: fc.oneof(
    c(40, undefined),
    c(3, { kind: 'promote', full: false }),
    c(1, { kind: 'promote', full: true }),
    c(2, { kind: 'pause' }),
    c(3, { kind: 'resume' }),
    c(1, { kind: 'abort', reason: 'test' }),
    c(2, { kind: 'retry' }),
    c(2, { kind: 'skip' }),
  ),
});

type Tick = typeof tick extends fc.Arbitrary<infer T> ? T : never;

function run(resolved: ResolvedRollout, ticks: readonly Tick[]): void {
  let state: RolloutState = initialState(resolved, 1, new Date(T0));
  let t = 0;
  for (const k of ticks) {
    t += k.dt;
    const now = new Date(T0 + t * 1000);
    const row: Row = {
      t,
      ...(k.route === undefined ? {} : { route: k.route }),
      ...(k.measure === undefined ? {} : { measure: k.measure }),
      ...(k.command === undefined ? {} : { command: k.command }),
    };
    const obs = observe(resolved, state, row, now);
    const r = step(resolved, state, obs, now);
    const n = r.next;
    const events = r.transitions.map((x) => x.event);

    expect(n.route.weight).toBeGreaterThanOrEqual(0);
    expect(n.route.weight).toBeLessThanOrEqual(100);
    expect(n.route.mirror).toBeGreaterThanOrEqual(0);
    expect(n.route.mirror).toBeLessThanOrEqual(100);
    if (n.phase === 'Aborted') expect(n.route).toEqual({ weight: 0, mirror: 0 });
    if (n.phase === 'Healthy')
      expect([n.route.weight, n.route.mirror, n.routeConfirmed]).toEqual([100, 0, true]);
    if (state.phase === 'Healthy') expect(n).toBe(state);
    if (!events.includes(E.Retried)) expect(n.stepIndex).toBeGreaterThanOrEqual(state.stepIndex);
    expect(n.transitions).toBe(state.transitions + r.transitions.length);
    // Transitions chain: each starts where the previous ended, the last ends in the new phase.
    let phase = state.phase;
    for (const x of r.transitions) {
      expect(x.from).toBe(phase);
      phase = x.to;
    }
    expect(phase).toBe(n.phase);
    if (r.transitions.length === 0) expect([n.phase, n.stepIndex]).toEqual([state.phase, state.stepIndex]);
    // Routing gate: without a command, the rollout only leaves a step on a confirmed routing.
    if (obs.command === undefined && n.stepIndex > state.stepIndex && state.transitions > 0) {
      expect(state.routeConfirmed || obs.routeVerified === true).toBe(true);
    }
    // The route action is there exactly while the routing is unconfirmed, and carries the desired routing.
    const routeActions = r.actions.filter((a) => a.kind === 'route');
    expect(routeActions).toEqual(n.routeConfirmed ? [] : [{ kind: 'route', route: n.route }]);
    // Replaying the measurements on the result changes nothing, and so does replaying a command that is
    // idempotent by phase (promote, skip and resume may act again on a new step: the runtime dequeues commands).
    // A command is replayed alone: a retry's fresh runs must not take measurements meant for the old ones.
    const replay =
      obs.command === undefined ? { ...obs, routeVerified: undefined } : { command: obs.command };
    const again = step(resolved, n, replay, now);
    const kind = obs.command?.kind;
    if (kind === undefined || kind === 'pause' || kind === 'abort' || kind === 'retry') {
      expect(again.next).toBe(n);
      expect(again.transitions).toEqual([]);
    }
    if (obs.command?.kind === 'promote' && obs.command.full) expect(again.transitions).toEqual([]);
    state = n;
  }
}

describe('controller invariants under random observations and commands', () => {
  it('holds for a canary with every step kind and a background analysis', () => {
    fc.assert(
      fc.property(fc.array(tick, { minLength: 1, maxLength: 60 }), (ticks) => run(wide, ticks)),
      { seed: 20_250_101, numRuns: 400 },
    );
  });

  it('holds for blue-green with analyses and manual promotion', () => {
    fc.assert(
      fc.property(fc.array(tick, { minLength: 1, maxLength: 40 }), (ticks) => run(bg, ticks)),
      { seed: 7, numRuns: 300 },
    );
  });

  it('reaches Healthy on a cooperative router and healthy metrics', () => {
    let state = initialState(wide, 1, new Date(T0));
    for (let t = 0; t < 3600 && state.phase !== 'Healthy'; t += 5) {
      const now = new Date(T0 + t * 1000);
      const command: Command | undefined = state.phase === 'Paused' ? { kind: 'resume' } : undefined;
      const obs = observe(
        wide,
        state,
        { t, route: true, measure: 'success', ...(command ? { command } : {}) },
        now,
      );
      state = step(wide, state, obs, now).next;
    }
    expect(state.phase).toBe('Healthy');
  });
});
