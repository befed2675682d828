import { describe, expect, it } from 'vitest';
import { RolloutEvent as E, PhaseReason as R } from '../reasons.js';
import { analysisStep, canary, metric, observe, play, type Row, T0 } from './fixtures.js';
import { initialState, step } from './step.js';

/** Every canary step kind, in the order a release would use them. */
const walk = canary(
  [
    { kind: 'setWeight', weight: 5 },
    { kind: 'pause', durationMs: 60_000 },
    analysisStep('success-rate'),
    { kind: 'setSegment', segment: 'player.country == "MT"' },
    { kind: 'setMirror', percent: 10 },
    { kind: 'setFlag', flag: 'new-wallet', environment: 'prod', rollout: 50 },
    { kind: 'pause' },
    { kind: 'setWeight', weight: 100 },
  ],
  { analyses: { 'step-2': [metric('m1', { count: 2 })] } },
);

const walkRows: Row[] = [
  {
    t: 0,
    expect: {
      events: [E.RolloutStarted],
      phase: 'Progressing',
      reason: R.WaitingForRoute,
      step: 0,
      weight: 5,
      confirmed: false,
      actions: ['route'],
    },
  },
  { t: 1, route: false, expect: { same: true, events: [], actions: ['route'] } },
  {
    t: 2,
    route: true,
    expect: { events: [E.StepCompleted], phase: 'Progressing', reason: R.TimedPause, step: 1, actions: [] },
  },
  { t: 30, expect: { same: true, events: [], actions: [] } },
  // The pause ends at 62 s (it began when the router confirmed 5 %, at 2 s).
  { t: 61, expect: { same: true, step: 1 } },
  { t: 62, expect: { events: [E.StepCompleted], phase: 'Analyzing', step: 2, due: ['step-2/m1'] } },
  { t: 63, measure: 'success', expect: { events: [], phase: 'Analyzing', step: 2, due: [] } },
  { t: 70, measure: 'success', expect: { same: true, due: [] } },
  {
    t: 73,
    measure: 'success',
    expect: {
      events: [E.AnalysisSucceeded],
      phase: 'Progressing',
      step: 3,
      weight: 5,
      segment: 'player.country == "MT"',
      confirmed: false,
      actions: ['route'],
    },
  },
  { t: 74, route: true, expect: { events: [E.StepCompleted], step: 4, mirror: 10, actions: ['route'] } },
  // The flag step hands its action to the runtime and completes; the manual pause holds the rollout.
  {
    t: 75,
    route: true,
    expect: {
      events: [E.StepCompleted, E.StepCompleted],
      step: 6,
      phase: 'Paused',
      reason: R.PausedByStep,
      actions: ['setFlag'],
    },
  },
  { t: 500, route: true, expect: { same: true, actions: [] } },
  {
    t: 600,
    command: { kind: 'resume' },
    expect: {
      events: [E.Resumed],
      step: 7,
      phase: 'Progressing',
      weight: 100,
      mirror: 10,
      actions: ['route'],
    },
  },
  // Last step done: 100 %, segment and mirror cleared, still waiting for the router.
  {
    t: 601,
    route: true,
    expect: {
      events: [E.StepCompleted],
      step: 8,
      phase: 'Progressing',
      weight: 100,
      segment: null,
      mirror: 0,
      actions: ['route'],
    },
  },
  {
    t: 602,
    route: true,
    expect: {
      events: [E.Completed],
      phase: 'Healthy',
      reason: R.Completed,
      step: 8,
      weight: 100,
      actions: [],
    },
  },
  { t: 700, route: true, expect: { same: true, actions: [] } },
];

describe('canary walk through every step kind', () => {
  it('advances only when each step is done', () => {
    expect(play(walk, walkRows).mismatches).toEqual([]);
  });

  it('sets the flag with the step values', () => {
    const { results } = play(walk, walkRows);
    expect(results[10]!.actions).toEqual([
      { kind: 'setFlag', flag: 'new-wallet', environment: 'prod', rollout: 50 },
    ]);
  });

  it('puts the flags its setFlag steps moved back on a rollback, after taking traffic off the canary', () => {
    const upToFlag = walkRows.slice(0, walkRows.findIndex((r) => r.t === 75) + 1);
    const abortRow: Row = {
      t: 80,
      command: { kind: 'abort' },
      expect: { events: [E.Aborted], phase: 'Aborted', weight: 0, actions: ['route', 'restoreFlag'] },
    };
    const { results, mismatches } = play(walk, [...upToFlag, abortRow]);
    expect(mismatches).toEqual([]);
    expect(results.at(-1)!.actions[1]).toEqual({
      kind: 'restoreFlag',
      flag: 'new-wallet',
      environment: 'prod',
    });
    // Aborted before the flag step: nothing of the flag to undo.
    const early = play(walk, [
      ...walkRows.slice(0, 3),
      { ...abortRow, t: 40, expect: { actions: ['route'] } },
    ]);
    expect(early.mismatches).toEqual([]);
  });

  it('numbers transitions and labels them with the canary version and step', () => {
    const { results, state } = play(walk, walkRows);
    const all = results.flatMap((r) => r.transitions);
    expect(state.transitions).toBe(all.length);
    expect(all.every((t) => t.version === 'v2' && t.rolloutStep === t.stepIndex)).toBe(true);
    expect(all.map((t) => t.stepIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 8]);
    expect(all.at(-1)).toMatchObject({ from: 'Progressing', to: 'Healthy', weight: 100 });
  });

  // `routeVerified` is the router's answer about the state's own routing, so it is not replayed on a state that
  // wants another routing; measurements and commands are.
  it('writes nothing when the same measurements and commands are replayed on the result', () => {
    let state = initialState(walk, 1, new Date(T0));
    for (const row of walkRows) {
      const now = new Date(T0 + row.t * 1000);
      const obs = observe(walk, state, row, now);
      const first = step(walk, state, obs, now);
      const { routeVerified: _, ...replayed } = obs;
      const again = step(walk, first.next, replayed, now);
      expect(again.next, `t=${row.t}`).toBe(first.next);
      expect(again.transitions, `t=${row.t}`).toEqual([]);
      state = first.next;
    }
  });

  it('is a pure function of its arguments', () => {
    const state = initialState(walk, 1, new Date(T0));
    const frozen = JSON.stringify(state);
    const a = step(walk, state, {}, new Date(T0));
    const b = step(walk, state, {}, new Date(T0));
    expect(a).toEqual(b);
    expect(JSON.stringify(state)).toBe(frozen);
  });
});

describe('route confirmation gating', () => {
  const twoWeights = canary([
    { kind: 'setWeight', weight: 10 },
    { kind: 'setWeight', weight: 20 },
  ]);

  it('never advances on an unconfirmed route, turns Degraded after the timeout, recovers on confirmation', () => {
    const rows: Row[] = [
      { t: 0, expect: { step: 0, weight: 10, actions: ['route'] } },
      { t: 10, route: false, expect: { same: true, step: 0, actions: ['route'] } },
      { t: 29, expect: { same: true, phase: 'Progressing' } },
      {
        t: 30,
        route: false,
        expect: {
          events: [E.Degraded],
          phase: 'Degraded',
          reason: R.RouteNotConfirmed,
          step: 0,
          actions: ['route'],
        },
      },
      { t: 300, route: false, expect: { same: true, actions: ['route'] } },
      {
        t: 301,
        route: true,
        expect: { events: [E.RouteConfirmed, E.StepCompleted], phase: 'Progressing', step: 1, weight: 20 },
      },
    ];
    expect(play(twoWeights, rows).mismatches).toEqual([]);
  });

  it('takes the timeout from the options', () => {
    const rows: Row[] = [
      { t: 0, expect: { step: 0 } },
      { t: 4, expect: { same: true, phase: 'Progressing' } },
      { t: 5, expect: { events: [E.Degraded], phase: 'Degraded' } },
    ];
    expect(play(twoWeights, rows, { routeConfirmTimeoutMs: 5000 }).mismatches).toEqual([]);
  });

  it('holds completion until 100 % is confirmed, through Degraded', () => {
    const rows: Row[] = [
      { t: 0, route: true, expect: { step: 0 } },
      { t: 1, route: true, expect: { step: 1 } },
      { t: 2, route: true, expect: { step: 2, phase: 'Progressing', weight: 100, actions: ['route'] } },
      { t: 40, expect: { phase: 'Degraded', events: [E.Degraded], step: 2 } },
      { t: 41, route: true, expect: { events: [E.RouteConfirmed, E.Completed], phase: 'Healthy' } },
    ];
    expect(play(twoWeights, rows).mismatches).toEqual([]);
  });

  it('confirms an unchanged route at once (two steps at the same weight)', () => {
    const same = canary([
      { kind: 'setWeight', weight: 10 },
      { kind: 'setWeight', weight: 10 },
      { kind: 'pause', durationMs: 1000 },
    ]);
    const rows: Row[] = [
      { t: 0, expect: { step: 0 } },
      { t: 1, route: true, expect: { events: [E.StepCompleted, E.StepCompleted], step: 2, confirmed: true } },
    ];
    expect(play(same, rows).mismatches).toEqual([]);
  });

  it('gates even a pause while the initial stable-only routing is unconfirmed', () => {
    const pauseFirst = canary([{ kind: 'pause', durationMs: 1000 }]);
    const rows: Row[] = [
      { t: 0, expect: { step: 0, weight: 0, confirmed: false, actions: ['route'] } },
      { t: 5, expect: { same: true, step: 0 } },
      { t: 6, route: true, expect: { step: 1, weight: 100, events: [E.StepCompleted] } },
    ];
    expect(play(pauseFirst, rows).mismatches).toEqual([]);
  });

  it('completes a rollout without steps straight at 100 %', () => {
    const rows: Row[] = [
      { t: 0, expect: { events: [E.RolloutStarted], step: 0, weight: 100, actions: ['route'] } },
      { t: 1, route: true, expect: { events: [E.Completed], phase: 'Healthy' } },
    ];
    expect(play(canary([]), rows).mismatches).toEqual([]);
  });

  it('repeats a flag step held back by an unconfirmed route', () => {
    const flagFirst = canary([{ kind: 'setFlag', flag: 'f', environment: 'prod', rollout: 10 }]);
    const rows: Row[] = [
      { t: 0, expect: { step: 0, actions: ['setFlag', 'route'] } },
      { t: 1, expect: { same: true, actions: ['setFlag', 'route'] } },
      { t: 2, route: true, expect: { step: 1, actions: ['route'] } },
    ];
    expect(play(flagFirst, rows).mismatches).toEqual([]);
  });
});

describe('initialState', () => {
  it('starts before the first step, stable only, unconfirmed', () => {
    const s = initialState(walk, 3, new Date(T0));
    expect(s).toMatchObject({
      name: 'wallet',
      revision: 3,
      phase: 'Progressing',
      reason: R.Pending,
      stepIndex: 0,
      route: { weight: 0, mirror: 0 },
      routeConfirmed: false,
      transitions: 0,
    });
  });
});
