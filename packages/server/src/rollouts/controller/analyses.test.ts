import { describe, expect, it } from 'vitest';
import { RolloutEvent as E, PhaseReason as R } from '../reasons.js';
import { analysisStep, canary, metric, play, type Row } from './fixtures.js';

/** 20 %, a segment and a mirror, then an analysis: an abort must undo all three. */
function withAnalysis(metrics = [metric('m1', { count: 3 })], onProviderOutage: 'pause' | 'abort' = 'pause') {
  return canary(
    [
      { kind: 'setWeight', weight: 20 },
      { kind: 'setSegment', segment: 'player.staff' },
      { kind: 'setMirror', percent: 5 },
      analysisStep('gate'),
      { kind: 'setWeight', weight: 50 },
    ],
    { analyses: { 'step-3': metrics }, onProviderOutage },
  );
}

/** Rows that bring `withAnalysis` to its analysis step at t=3 s. */
const toAnalysis: Row[] = [
  { t: 0 },
  { t: 1, route: true },
  { t: 2, route: true },
  { t: 3, route: true, expect: { phase: 'Analyzing', step: 3, due: ['step-3/m1'] } },
];

describe('step analysis verdicts', () => {
  it('rolls back on a failed analysis: weight 0, no segment, no mirror, then RolledBack once confirmed', () => {
    const rows: Row[] = [
      ...toAnalysis,
      {
        t: 4,
        measure: 'failure',
        expect: {
          events: [E.AnalysisFailed],
          phase: 'Aborted',
          reason: R.AnalysisFailed,
          step: 3,
          weight: 0,
          segment: null,
          mirror: 0,
          confirmed: false,
          actions: ['route'],
          message: 'analysis step-3 (m1-tpl) failed: m1: failure',
          due: [],
        },
      },
      { t: 5, route: false, expect: { same: true, actions: ['route'] } },
      {
        t: 6,
        route: true,
        expect: {
          events: [E.RolledBack],
          phase: 'Aborted',
          confirmed: true,
          actions: [],
          message:
            'failed: m1: failure (1 failed measurements, limit 0); all traffic back to v1 (confirmed by the router)',
        },
      },
      { t: 60, route: true, measure: 'success', expect: { same: true, actions: [] } },
    ];
    expect(play(withAnalysis(), rows).mismatches).toEqual([]);
  });

  it('tolerates failures up to failureLimit and aborts past it', () => {
    const rows: Row[] = [
      ...toAnalysis,
      { t: 4, measure: 'failure', expect: { phase: 'Analyzing', events: [] } },
      { t: 14, measure: 'failure', expect: { phase: 'Aborted', events: [E.AnalysisFailed] } },
    ];
    expect(play(withAnalysis([metric('m1', { count: 5, failureLimit: 1 })]), rows).mismatches).toEqual([]);
  });

  it('aborts at the first failure of a hard-stop metric, whatever its limits', () => {
    const metrics = [
      metric('m1', { count: 5, failureLimit: 3 }),
      metric('chargebacks', { hardStop: true, failureLimit: 3 }),
    ];
    const rows: Row[] = [
      { t: 0 },
      { t: 1, route: true },
      { t: 2, route: true },
      { t: 3, route: true, expect: { due: ['step-3/m1', 'step-3/chargebacks'] } },
      {
        t: 4,
        measure: { 'step-3/m1': 'failure', 'step-3/chargebacks': 'success' },
        expect: { phase: 'Analyzing' },
      },
      {
        t: 14,
        measure: { 'step-3/m1': 'success', 'step-3/chargebacks': 'failure' },
        expect: {
          events: [E.HardStop],
          phase: 'Aborted',
          reason: R.HardStop,
          weight: 0,
          message: 'hard stop',
        },
      },
    ];
    expect(play(withAnalysis(metrics), rows).mismatches).toEqual([]);
  });

  it('never lets a dry-run metric decide', () => {
    const metrics = [metric('m1', { count: 1 }), metric('shadow', { dryRun: true })];
    const rows: Row[] = [
      ...toAnalysis.slice(0, 3),
      { t: 3, route: true },
      {
        t: 4,
        measure: { 'step-3/m1': 'success', 'step-3/shadow': 'failure' },
        expect: { events: [E.AnalysisSucceeded], step: 4, weight: 50 },
      },
    ];
    expect(play(withAnalysis(metrics), rows).mismatches).toEqual([]);
  });

  it('pauses on a provider outage, keeps measuring, and resumes by itself', () => {
    const rows: Row[] = [
      ...toAnalysis,
      {
        t: 4,
        measure: 'error',
        expect: {
          events: [E.ProviderOutage],
          phase: 'Paused',
          reason: R.ProviderOutage,
          weight: 20,
          due: [],
        },
      },
      { t: 13, expect: { same: true, due: [] } },
      { t: 14, expect: { same: true, due: ['step-3/m1'] } },
      { t: 14, measure: 'error', expect: { events: [], phase: 'Paused', reason: R.ProviderOutage } },
      {
        t: 24,
        measure: 'success',
        expect: { events: [E.ProviderRecovered], phase: 'Analyzing', reason: R.AnalysisRunning, step: 3 },
      },
      { t: 34, measure: 'success', expect: { events: [E.AnalysisSucceeded], step: 4 } },
    ];
    // count 2: the errors do not use it up, the two successes after the outage do.
    expect(play(withAnalysis([metric('m1', { count: 2 })]), rows).mismatches).toEqual([]);
  });

  it('aborts on a provider outage when the rollout says so', () => {
    const rows: Row[] = [
      ...toAnalysis,
      {
        t: 4,
        measure: 'error',
        expect: { events: [E.ProviderOutage], phase: 'Aborted', reason: R.ProviderOutage, weight: 0 },
      },
    ];
    expect(play(withAnalysis(undefined, 'abort'), rows).mismatches).toEqual([]);
  });

  it('never aborts on missing data alone', () => {
    const rows: Row[] = [
      ...toAnalysis,
      ...[4, 14, 24, 34, 44].map(
        (t): Row => ({ t, measure: 'noData', expect: { phase: 'Analyzing', events: [] } }),
      ),
    ];
    expect(play(withAnalysis([metric('m1')]), rows).mismatches).toEqual([]);
  });

  it('pauses on a platform-wide incident and resumes when it clears', () => {
    const rows: Row[] = [
      ...toAnalysis,
      {
        t: 4,
        measure: 'incident',
        expect: { events: [E.SharedIncident], phase: 'Paused', reason: R.SharedIncident, weight: 20 },
      },
      { t: 14, measure: 'incident', expect: { same: false, events: [], phase: 'Paused', due: [] } },
      { t: 24, expect: { due: ['step-3/m1'] } },
      {
        t: 24,
        measure: 'success',
        expect: { events: [E.SharedIncidentCleared], phase: 'Analyzing', step: 3 },
      },
    ];
    expect(play(withAnalysis([metric('m1', { count: 5 })]), rows).mismatches).toEqual([]);
  });

  it('waits for a person when the analysis is inconclusive', () => {
    const rows: Row[] = [
      ...toAnalysis,
      {
        t: 4,
        measure: 'inconclusive',
        expect: {
          events: [E.AnalysisInconclusive],
          phase: 'Paused',
          reason: R.AnalysisInconclusive,
          due: [],
        },
      },
      { t: 3600, expect: { same: true } },
      { t: 3601, command: { kind: 'resume' }, expect: { events: [E.Resumed], step: 4, weight: 50 } },
    ];
    expect(play(withAnalysis(), rows).mismatches).toEqual([]);
  });

  it('holds the rollout when an analysis step has no resolved metrics', () => {
    const rows: Row[] = [
      { t: 0 },
      { t: 1, route: true },
      { t: 2, route: true },
      { t: 3, route: true, expect: { phase: 'Paused', reason: R.AnalysisNotResolved, step: 3 } },
      { t: 4, command: { kind: 'resume' }, expect: { events: [E.Resumed], step: 4 } },
    ];
    expect(play(withAnalysis([]), rows).mismatches).toEqual([]);
  });
});

describe('background analysis', () => {
  const bg = (startingStep: number) =>
    canary(
      [
        { kind: 'setWeight', weight: 10 },
        { kind: 'setWeight', weight: 20 },
        { kind: 'pause', durationMs: 100_000 },
        { kind: 'setWeight', weight: 50 },
      ],
      { background: { startingStep, metrics: [metric('bg1')] } },
    );

  it('starts at its starting step, watches every later step, and aborts mid-rollout on failure', () => {
    const rows: Row[] = [
      { t: 0, expect: { step: 0, due: [] } },
      { t: 1, route: true, expect: { step: 1, due: ['background/bg1'] } },
      { t: 2, route: true, expect: { step: 2, phase: 'Progressing', reason: R.TimedPause } },
      { t: 11, measure: 'success', expect: { step: 2, events: [] } },
      { t: 21, measure: 'success', expect: { step: 2, events: [] } },
      {
        t: 31,
        measure: 'failure',
        expect: { events: [E.AnalysisFailed], phase: 'Aborted', step: 2, weight: 0, due: [] },
      },
    ];
    expect(play(bg(1), rows).mismatches).toEqual([]);
  });

  it('aborts even while a person holds the rollout', () => {
    const rows: Row[] = [
      { t: 0, route: true },
      { t: 1, route: true },
      { t: 2, command: { kind: 'pause' }, expect: { phase: 'Paused', reason: R.PausedByOperator } },
      { t: 12, measure: 'failure', expect: { phase: 'Aborted', events: [E.AnalysisFailed] } },
    ];
    expect(play(bg(0), rows).mismatches).toEqual([]);
  });

  it('pauses a timed pause on an outage and gives it back its remaining time', () => {
    const rows: Row[] = [
      { t: 0, route: true },
      { t: 1, route: true },
      // The pause runs from 2 s to 102 s; the outage at 42 s leaves 60 s.
      { t: 2, route: true, expect: { step: 2, reason: R.TimedPause } },
      {
        t: 42,
        measure: 'error',
        expect: { phase: 'Paused', reason: R.ProviderOutage, events: [E.ProviderOutage] },
      },
      { t: 200, expect: { same: true } },
      {
        t: 300,
        measure: 'success',
        expect: { phase: 'Progressing', reason: R.TimedPause, events: [E.ProviderRecovered] },
      },
      { t: 359, expect: { same: true, step: 2 } },
      { t: 360, expect: { step: 3, events: [E.StepCompleted] } },
    ];
    const { mismatches, results } = play(bg(0), rows);
    expect(mismatches).toEqual([]);
    expect(results[5]!.next.pause?.until).toBe('2025-01-01T00:06:00.000Z');
  });

  it('ends at completion with its final assessment', () => {
    const rows: Row[] = [
      { t: 0, route: true },
      { t: 1, route: true, measure: 'success' },
      { t: 2, route: true, expect: { step: 2 } },
      { t: 102, expect: { step: 3 } },
      { t: 103, route: true, expect: { step: 4, due: [] } },
      { t: 104, route: true, expect: { phase: 'Healthy', due: [] } },
    ];
    const { mismatches, state } = play(bg(0), rows);
    expect(mismatches).toEqual([]);
    expect(state.backgroundAnalysis?.status).toBe('Successful');
  });

  it('restarts after a person accepts its inconclusive verdict', () => {
    const rows: Row[] = [
      { t: 0, route: true },
      // Measured before the step moves on: held at step 0 although the router confirmed 10 %.
      {
        t: 1,
        route: true,
        measure: 'inconclusive',
        expect: { phase: 'Paused', reason: R.AnalysisInconclusive, step: 0, confirmed: true },
      },
      {
        t: 5,
        command: { kind: 'resume' },
        expect: { events: [E.Resumed, E.StepCompleted], phase: 'Progressing', step: 1 },
      },
    ];
    const { mismatches, state } = play(bg(0), rows);
    expect(mismatches).toEqual([]);
    expect(state.backgroundAnalysis).toMatchObject({
      status: 'Running',
      startedAt: '2025-01-01T00:00:05.000Z',
    });
  });

  it('runs alongside a step analysis; the worse verdict wins', () => {
    const both = canary([{ kind: 'setWeight', weight: 10 }, analysisStep('gate')], {
      analyses: { 'step-1': [metric('m1', { count: 3 })] },
      background: { startingStep: 0, metrics: [metric('bg1')] },
    });
    const rows: Row[] = [
      { t: 0, route: true },
      { t: 1, route: true, expect: { phase: 'Analyzing', due: ['step-1/m1', 'background/bg1'] } },
      { t: 2, measure: { 'step-1': 'success', background: 'failure' }, expect: { phase: 'Aborted' } },
    ];
    expect(play(both, rows).mismatches).toEqual([]);
  });
});
