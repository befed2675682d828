import { describe, expect, it } from 'vitest';
import { RolloutEvent as E, PhaseReason as R } from '../reasons.js';
import { blueGreen, metric, play, type Row } from './fixtures.js';
import { stagesOf } from './stages.js';

const ref = (name: string) => ({ templates: [name], args: [] });
const analyses = {
  'pre-promotion': [metric('smoke', { count: 1 })],
  'post-promotion': [metric('slo', { count: 2 })],
};

describe('blue-green', () => {
  it('lays out preview, pre-promotion analysis, promotion, switch and post-promotion analysis as stages', () => {
    const bg = blueGreen(
      { prePromotionAnalysis: ref('smoke'), postPromotionAnalysis: ref('slo'), autoPromotionSeconds: 30 },
      analyses,
    );
    expect(stagesOf(bg).map((s) => s.description)).toEqual([
      'preview: new version deployed, no traffic',
      'pre-promotion analysis smoke',
      'auto-promotion after 30s',
      'switch: 100 % to the new version',
      'post-promotion analysis slo',
    ]);
    expect(stagesOf(blueGreen({ autoPromotionEnabled: false }))).toHaveLength(3);
  });

  it('auto-promotes after the delay, with pre- and post-promotion analysis', () => {
    const bg = blueGreen(
      { prePromotionAnalysis: ref('smoke'), postPromotionAnalysis: ref('slo'), autoPromotionSeconds: 30 },
      analyses,
    );
    const rows: Row[] = [
      { t: 0, expect: { events: [E.RolloutStarted], step: 0, weight: 0, actions: ['route'] } },
      {
        t: 1,
        route: true,
        expect: {
          events: [E.StepCompleted],
          phase: 'Analyzing',
          step: 1,
          weight: 0,
          due: ['pre-promotion/smoke'],
        },
      },
      {
        t: 2,
        measure: 'success',
        expect: { events: [E.AnalysisSucceeded], phase: 'Progressing', reason: R.AutoPromotion, step: 2 },
      },
      { t: 31, expect: { same: true, weight: 0 } },
      {
        t: 32,
        expect: { events: [E.StepCompleted], step: 3, weight: 100, confirmed: false, actions: ['route'] },
      },
      {
        t: 33,
        route: true,
        expect: {
          events: [E.StepCompleted],
          phase: 'Analyzing',
          step: 4,
          weight: 100,
          due: ['post-promotion/slo'],
        },
      },
      { t: 34, measure: 'success', expect: { events: [], phase: 'Analyzing' } },
      // 100 % is already confirmed: the last analysis passing completes the rollout in the same step.
      {
        t: 44,
        measure: 'success',
        expect: {
          events: [E.AnalysisSucceeded, E.Completed],
          phase: 'Healthy',
          step: 5,
          weight: 100,
          actions: [],
        },
      },
    ];
    expect(play(bg, rows).mismatches).toEqual([]);
  });

  it('switches at once when auto-promotion has no delay', () => {
    const rows: Row[] = [
      {
        t: 0,
        route: true,
        expect: { events: [E.RolloutStarted, E.StepCompleted, E.StepCompleted], step: 2, weight: 100 },
      },
      { t: 1, route: true, expect: { events: [E.StepCompleted, E.Completed], phase: 'Healthy' } },
    ];
    expect(play(blueGreen({}), rows).mismatches).toEqual([]);
  });

  it('waits for promote without auto-promotion', () => {
    const bg = blueGreen({ autoPromotionEnabled: false, prePromotionAnalysis: ref('smoke') }, analyses);
    const rows: Row[] = [
      { t: 0, route: true, expect: { phase: 'Analyzing', step: 1 } },
      {
        t: 1,
        measure: 'success',
        expect: {
          events: [E.AnalysisSucceeded],
          phase: 'Paused',
          reason: R.PausedForPromotion,
          step: 2,
          weight: 0,
        },
      },
      { t: 86_400, expect: { same: true } },
      { t: 86_401, command: { kind: 'pause' }, expect: { rejected: true, same: true } },
      {
        t: 86_402,
        command: { kind: 'promote', full: false },
        expect: { events: [E.Promoted], phase: 'Progressing', step: 3, weight: 100, actions: ['route'] },
      },
      { t: 86_403, route: true, expect: { events: [E.StepCompleted, E.Completed], phase: 'Healthy' } },
    ];
    expect(play(bg, rows).mismatches).toEqual([]);
  });

  it('switches back when the post-promotion analysis fails', () => {
    const bg = blueGreen({ postPromotionAnalysis: ref('slo') }, analyses);
    const rows: Row[] = [
      { t: 0, route: true, expect: { step: 2, weight: 100 } },
      { t: 1, route: true, expect: { phase: 'Analyzing', step: 3 } },
      {
        t: 2,
        measure: 'failure',
        expect: {
          events: [E.AnalysisFailed],
          phase: 'Aborted',
          reason: R.AnalysisFailed,
          step: 3,
          weight: 0,
          actions: ['route'],
        },
      },
      { t: 3, route: true, expect: { events: [E.RolledBack], confirmed: true } },
    ];
    expect(play(bg, rows).mismatches).toEqual([]);
  });

  it('never switches when the pre-promotion analysis fails', () => {
    const bg = blueGreen({ prePromotionAnalysis: ref('smoke') }, analyses);
    const rows: Row[] = [
      { t: 0, route: true, expect: { phase: 'Analyzing', step: 1, weight: 0 } },
      {
        t: 1,
        measure: 'failure',
        expect: { events: [E.AnalysisFailed], phase: 'Aborted', weight: 0, confirmed: true },
      },
    ];
    expect(play(bg, rows).mismatches).toEqual([]);
  });
});
