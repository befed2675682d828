import { describe, expect, it } from 'vitest';
import { RolloutEvent as E, PhaseReason as R } from '../reasons.js';
import type { Command, RolloutPhase } from '../rollout-state.js';
import { analysisStep, canary, metric, observe, play, type Row, T0 } from './fixtures.js';
import { checkCommand, step } from './step.js';

const rollout = canary(
  [
    { kind: 'setWeight', weight: 10 },
    { kind: 'pause', durationMs: 60_000 },
    analysisStep('gate'),
    { kind: 'pause' },
    { kind: 'setWeight', weight: 50 },
  ],
  { analyses: { 'step-2': [metric('m1', { count: 2 })] } },
);

const routeWait: Row[] = [{ t: 0 }];
const timedPause: Row[] = [...routeWait, { t: 1, route: true }];
const analyzing: Row[] = [...timedPause, { t: 61 }];

/** Scripts that bring the rollout into each phase (and reason) a command can meet. */
const SCRIPTS: Record<string, readonly Row[]> = {
  routeWait,
  degraded: [...routeWait, { t: 31 }],
  timedPause,
  analyzing,
  outage: [...analyzing, { t: 62, measure: 'error' }],
  incident: [...analyzing, { t: 62, measure: 'incident' }],
  inconclusive: [...analyzing, { t: 62, measure: 'inconclusive' }],
  operatorPaused: [...analyzing, { t: 62, command: { kind: 'pause' } }],
  pausedByStep: [...analyzing, { t: 62, measure: 'success' }, { t: 72, measure: 'success' }],
  aborted: [...routeWait, { t: 1, command: { kind: 'abort' } }],
  healthy: [...routeWait, { t: 1, command: { kind: 'promote', full: true } }, { t: 2, route: true }],
};

const START: Record<string, [RolloutPhase, string, number]> = {
  routeWait: ['Progressing', R.WaitingForRoute, 0],
  degraded: ['Degraded', R.RouteNotConfirmed, 0],
  timedPause: ['Progressing', R.TimedPause, 1],
  analyzing: ['Analyzing', R.AnalysisRunning, 2],
  outage: ['Paused', R.ProviderOutage, 2],
  incident: ['Paused', R.SharedIncident, 2],
  inconclusive: ['Paused', R.AnalysisInconclusive, 2],
  operatorPaused: ['Paused', R.PausedByOperator, 2],
  pausedByStep: ['Paused', R.PausedByStep, 3],
  aborted: ['Aborted', R.AbortedByOperator, 0],
  healthy: ['Healthy', R.Completed, 5],
};

const COMMANDS: Record<string, Command> = {
  promote: { kind: 'promote', full: false },
  full: { kind: 'promote', full: true },
  pause: { kind: 'pause' },
  resume: { kind: 'resume' },
  abort: { kind: 'abort' },
  retry: { kind: 'retry' },
  skip: { kind: 'skip' },
};

type Outcome = 'rejected' | readonly [event: string, phase: RolloutPhase, step: number];
const X = 'rejected' as const;
const full = [E.FullyPromoted, 'Progressing', 5] as const;
const abortAt = (s: number) => [E.Aborted, 'Aborted', s] as const;
const pauseAt = (s: number) => [E.Paused, 'Paused', s] as const;

const promoted = (phase: RolloutPhase, s: number) => [E.Promoted, phase, s] as const;
const skipped = (phase: RolloutPhase, s: number) => [E.StepSkipped, phase, s] as const;
const resumed = (phase: RolloutPhase, s: number) => [E.Resumed, phase, s] as const;

const COLUMNS = ['promote', 'full', 'pause', 'resume', 'abort', 'retry', 'skip'] as const;

/** Every command in every phase: the transition it makes (event, phase and step after it) or its refusal. */
// biome-ignore format: a table reads best aligned
const MATRIX: Record<string, readonly Outcome[]> = {
  //               promote                          full  pause       resume                      abort        retry                                 skip
  routeWait:      [X,                               full, pauseAt(0), X,                          abortAt(0),  X,                                    skipped('Progressing', 1)],
  degraded:       [X,                               full, pauseAt(0), X,                          abortAt(0),  X,                                    skipped('Progressing', 1)],
  timedPause:     [promoted('Analyzing', 2),        full, pauseAt(1), X,                          abortAt(1),  X,                                    skipped('Analyzing', 2)],
  analyzing:      [promoted('Paused', 3),           full, pauseAt(2), X,                          abortAt(2),  X,                                    skipped('Paused', 3)],
  outage:         [promoted('Paused', 3),           full, pauseAt(2), X,                          abortAt(2),  X,                                    skipped('Paused', 3)],
  incident:       [promoted('Paused', 3),           full, pauseAt(2), X,                          abortAt(2),  X,                                    skipped('Paused', 3)],
  inconclusive:   [promoted('Paused', 3),           full, X,          resumed('Paused', 3),       abortAt(2),  X,                                    skipped('Paused', 3)],
  operatorPaused: [promoted('Paused', 3),           full, X,          resumed('Analyzing', 2),    abortAt(2),  X,                                    skipped('Paused', 3)],
  pausedByStep:   [promoted('Progressing', 4),      full, X,          resumed('Progressing', 4),  abortAt(3),  X,                                    skipped('Progressing', 4)],
  aborted:        [X,                               X,    X,          X,                          X,           [E.Retried, 'Progressing', 0],        X],
  healthy:        [X,                               X,    X,          X,                          X,           X,                                    X],
};

const cases = Object.entries(MATRIX).flatMap(([phase, row]) =>
  row.map((outcome, i) => ({ phase, command: COLUMNS[i]!, outcome })),
);

describe('every command in every phase', () => {
  it.each(Object.keys(SCRIPTS))('the %s script reaches its phase', (name) => {
    const { state } = play(rollout, SCRIPTS[name]!);
    expect([state.phase, state.reason, state.stepIndex]).toEqual(START[name]);
  });

  it.each(cases)('$command when $phase → $outcome', ({ phase, command, outcome }) => {
    const script = SCRIPTS[phase]!;
    const { state } = play(rollout, script);
    const now = new Date(T0 + (script.at(-1)!.t + 1) * 1000);
    const cmd = COMMANDS[command]!;
    const result = step(rollout, state, { command: cmd }, now);
    const refusal = checkCommand(state, cmd, rollout);
    expect(checkCommand(state, cmd)).toBe(refusal);
    if (outcome === X) {
      expect(refusal).toEqual(expect.any(String));
      expect(result.rejected).toBe(refusal);
      expect(result.next).toBe(state);
      expect(result.transitions).toEqual([]);
      return;
    }
    expect(refusal).toBeUndefined();
    expect(result.rejected).toBeUndefined();
    const [event, nextPhase, nextStep] = outcome;
    expect(result.transitions[0]?.event).toBe(event);
    expect([result.next.phase, result.next.stepIndex]).toEqual([nextPhase, nextStep]);
    if (nextPhase === 'Aborted') expect(result.next.route).toEqual({ weight: 0, mirror: 0 });
    if (event === E.FullyPromoted) expect(result.next.route).toEqual({ weight: 100, mirror: 0 });
    if (event === E.Paused) expect(result.next.reason).toBe(R.PausedByOperator);
  });
});

describe('command details', () => {
  it('keeps the remaining time of a timed pause across an operator pause', () => {
    const rows: Row[] = [
      ...timedPause,
      // The pause runs from 1 s to 61 s; paused at 21 s with 40 s left, resumed at 100 s: ends at 140 s.
      { t: 21, command: { kind: 'pause' }, expect: { phase: 'Paused', step: 1 } },
      { t: 90, expect: { same: true } },
      { t: 100, command: { kind: 'resume' }, expect: { events: [E.Resumed], phase: 'Progressing', step: 1 } },
      { t: 139, expect: { same: true, step: 1 } },
      { t: 140, expect: { events: [E.StepCompleted], step: 2 } },
    ];
    expect(play(rollout, rows).mismatches).toEqual([]);
  });

  it('stops measuring a step analysis held by an operator, and an outage turned operator pause stays put', () => {
    const rows: Row[] = [
      ...analyzing,
      { t: 62, measure: 'error', expect: { reason: R.ProviderOutage, due: [] } },
      { t: 63, command: { kind: 'pause' }, expect: { events: [E.Paused], reason: R.PausedByOperator } },
      { t: 200, expect: { same: true, due: [] } },
      {
        t: 201,
        command: { kind: 'resume' },
        expect: { events: [E.Resumed, E.ProviderOutage], reason: R.ProviderOutage },
      },
    ];
    expect(play(rollout, rows).mismatches).toEqual([]);
  });

  it('puts the operator reason of an abort in the message', () => {
    const rows: Row[] = [
      ...timedPause,
      {
        t: 5,
        command: { kind: 'abort', reason: 'deposit complaints' },
        expect: {
          phase: 'Aborted',
          reason: R.AbortedByOperator,
          message: 'aborted by an operator: deposit complaints',
        },
      },
    ];
    expect(play(rollout, rows).mismatches).toEqual([]);
  });

  it('never promotes twice: the same promote given again after it moved is refused', () => {
    const { state } = play(rollout, SCRIPTS.pausedByStep!);
    const now = new Date(T0 + 100_000);
    const promote: Command = { kind: 'promote', full: false };
    const first = step(rollout, state, { command: promote }, now);
    expect(first.next.stepIndex).toBe(4);
    const again = step(rollout, first.next, { command: promote }, now);
    expect(again.next).toBe(first.next);
    expect(again.transitions).toEqual([]);
    expect(again.rejected).toMatch(/waiting for the router/);
  });

  it('refuses promote, skip and promote --full once every step is done', () => {
    const rows: Row[] = [
      ...SCRIPTS.pausedByStep!,
      { t: 80, command: { kind: 'resume' } },
      { t: 81, route: true, expect: { step: 5, phase: 'Progressing' } },
      { t: 82, command: { kind: 'pause' }, expect: { phase: 'Paused', step: 5 } },
      { t: 83, command: { kind: 'promote', full: false }, expect: { rejected: true, same: true } },
      { t: 84, command: { kind: 'skip' }, expect: { rejected: true, same: true } },
      { t: 85, command: { kind: 'promote', full: true }, expect: { rejected: true, same: true } },
      {
        t: 86,
        route: true,
        command: { kind: 'resume' },
        expect: { events: [E.Resumed, E.Completed], phase: 'Healthy' },
      },
    ];
    expect(play(rollout, rows).mismatches).toEqual([]);
  });

  it('retries an aborted rollout from step 0 with fresh analyses and the same revision', () => {
    const rows: Row[] = [
      ...analyzing,
      { t: 62, measure: 'failure', expect: { phase: 'Aborted', step: 2, weight: 0 } },
      { t: 63, route: true, expect: { events: [E.RolledBack] } },
      {
        t: 70,
        command: { kind: 'retry' },
        expect: { events: [E.Retried], phase: 'Progressing', step: 0, weight: 10, actions: ['route'] },
      },
      { t: 71, route: true, expect: { step: 1 } },
      { t: 131, expect: { step: 2, phase: 'Analyzing', due: ['step-2/m1'] } },
    ];
    const { mismatches, state } = play(rollout, rows);
    expect(mismatches).toEqual([]);
    expect(state.revision).toBe(1);
    expect(state.stepAnalysis).toMatchObject({ startedAt: '2025-01-01T00:02:11.000Z', status: 'Running' });
    expect(state.stepAnalysis?.metrics[0]?.taken).toBe(0);
  });

  it('promote --full terminates the analyses and completes once 100 % is confirmed', () => {
    const withBg = canary([{ kind: 'setWeight', weight: 10 }, analysisStep('gate')], {
      analyses: { 'step-1': [metric('m1', { count: 5 })] },
      background: { startingStep: 0, metrics: [metric('bg1')] },
    });
    const rows: Row[] = [
      { t: 0, route: true },
      { t: 1, route: true, measure: 'success', expect: { phase: 'Analyzing' } },
      {
        t: 2,
        command: { kind: 'promote', full: true },
        expect: { events: [E.FullyPromoted], step: 2, due: [] },
      },
      { t: 3, route: true, expect: { events: [E.Completed], phase: 'Healthy', weight: 100 } },
    ];
    const { mismatches, state } = play(withBg, rows);
    expect(mismatches).toEqual([]);
    expect(state.stepAnalysis).toBeUndefined();
    expect(state.backgroundAnalysis?.status).toBe('Successful');
  });

  it('explains refusals', () => {
    const { state } = play(rollout, SCRIPTS.healthy!);
    expect(checkCommand(state, { kind: 'promote', full: false })).toMatch(/Healthy/);
    const outage = play(rollout, SCRIPTS.outage!).state;
    expect(checkCommand(outage, { kind: 'resume' })).toMatch(/resumes by itself/);
    const running = play(rollout, SCRIPTS.analyzing!).state;
    expect(checkCommand(running, { kind: 'retry' })).toMatch(/Aborted/);
  });

  it('applies a command given with the observation that moves the rollout, after the verdicts', () => {
    const { state } = play(rollout, analyzing);
    const now = new Date(T0 + 62_000);
    const obs = {
      ...observe(rollout, state, { t: 62, measure: 'failure' }, now),
      command: { kind: 'promote', full: false } as const,
    };
    const result = step(rollout, state, obs, now);
    expect(result.next.phase).toBe('Aborted');
    expect(result.rejected).toMatch(/Aborted/);
  });
});
