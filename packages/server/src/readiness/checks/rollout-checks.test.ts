import { describe, expect, it } from 'vitest';
import {
  analysis,
  canary,
  flag,
  GATED_WALLET,
  readyData,
  rolloutInfo,
  TEMPLATES,
} from '../testing/fixtures.js';
import { hardStops, providerOutage, sloGates, ungatedSteps } from './rollout-checks.js';

const weight = (w: number) => ({ kind: 'setWeight', weight: w }) as const;
const pause = (durationMs?: number) =>
  ({ kind: 'pause', ...(durationMs === undefined ? {} : { durationMs }) }) as const;

describe('ungatedSteps', () => {
  const strategyOf = (r: ReturnType<typeof canary>) =>
    r.strategy.kind === 'canary' ? r.strategy : (undefined as never);

  it('accepts the article wallet release: an analysis after every weight', () => {
    expect(ungatedSteps(strategyOf(GATED_WALLET), TEMPLATES)).toEqual([]);
  });

  it("flags the article's Argo fragment: 50 % waits on a manual pause, not an SLO", () => {
    const argo = canary([
      weight(5),
      pause(300_000),
      analysis('deposit-slo'),
      weight(25),
      pause(600_000),
      analysis('deposit-slo'),
      weight(50),
      pause(),
    ]);
    expect(ungatedSteps(strategyOf(argo), TEMPLATES)).toEqual(['setWeight 50 (step 6)']);
  });

  it('counts a background analysis only where it covers the step and a pause gives it time', () => {
    const bg = { templates: ['deposit-slo'], startingStep: 2 };
    const r = canary([weight(1), pause(60_000), weight(5), pause(60_000), weight(25), weight(100)], {
      background: bg,
    });
    expect(ungatedSteps(strategyOf(r), TEMPLATES)).toEqual(['setWeight 1 (step 0)', 'setWeight 25 (step 4)']);
  });

  it('does not count a gate made only of dry-run metrics', () => {
    const r = canary([weight(5), analysis('dry-only'), weight(100)]);
    expect(ungatedSteps(strategyOf(r), TEMPLATES)).toEqual(['setWeight 5 (step 0)']);
  });

  it('gives an unknown template the benefit of the doubt, and refuses a rollout without steps', () => {
    expect(ungatedSteps(strategyOf(canary([weight(5), analysis('elsewhere')])), TEMPLATES)).toEqual([]);
    expect(ungatedSteps(strategyOf(canary([])), TEMPLATES)).toEqual(['no steps: straight to 100 %']);
  });
});

describe('sloGates', () => {
  it('passes gated rollouts and fails ungated ones, naming rollout and step', () => {
    expect(sloGates(readyData()).status).toBe('PASS');
    const bad = canary([weight(10), pause(), weight(100)], { service: 'bets' });
    const r = sloGates(
      readyData({ rollouts: { ok: true, value: [rolloutInfo(GATED_WALLET), rolloutInfo(bad)] } }),
    );
    expect(r.status).toBe('FAIL');
    expect(r.items).toEqual(['bets-v2: setWeight 10 (step 0)']);
  });

  it('ignores settled rollouts, and warns when no rollout ever ran', () => {
    const finished = rolloutInfo(canary([weight(10), weight(100)]), 'Healthy');
    expect(sloGates(readyData({ rollouts: { ok: true, value: [finished] } }))).toMatchObject({
      status: 'PASS',
      reason: 'no rollout under way (1 finished)',
    });
    expect(sloGates(readyData({ rollouts: { ok: true, value: [] } })).status).toBe('WARN');
  });

  it('fails a blue-green release without analysis, and warns when rollouts cannot be read', () => {
    const bg = {
      ...GATED_WALLET,
      strategy: { kind: 'blueGreen', autoPromotionEnabled: true },
    } as const;
    expect(sloGates(readyData({ rollouts: { ok: true, value: [rolloutInfo(bg)] } })).status).toBe('FAIL');
    const r = sloGates(readyData({ rollouts: { ok: false, error: 'FORBIDDEN: no' } }));
    expect(r).toMatchObject({ status: 'WARN', reason: 'could not read rollouts: FORBIDDEN: no' });
  });
});

describe('hardStops', () => {
  it('requires a hard stop on a payments rollout', () => {
    expect(hardStops(readyData()).status).toBe('PASS');
    const soft = canary([weight(5), analysis('deposit-slo'), weight(100)]);
    const r = hardStops(readyData({ rollouts: { ok: true, value: [rolloutInfo(soft)] } }));
    expect(r).toMatchObject({ status: 'FAIL', items: ['wallet-v2 (service wallet)'] });
  });

  it('treats a rollout that moves a payments flag as a payments release, and ignores the others', () => {
    const lobby = canary(
      [
        weight(5),
        analysis('deposit-slo'),
        { kind: 'setFlag', flag: 'payments_v2', environment: 'prod', rollout: 1 },
      ],
      { service: 'lobby' },
    );
    const games = canary([weight(5), analysis('deposit-slo')], { service: 'games' });
    const data = (r: ReturnType<typeof canary>) =>
      readyData({
        rollouts: { ok: true, value: [rolloutInfo(r)] },
        flags: [flag('payments_v2', { tags: ['payments'], protected: true })],
      });
    expect(hardStops(data(lobby)).status).toBe('FAIL');
    expect(hardStops(data(games))).toMatchObject({ status: 'PASS', reason: 'no payments rollout under way' });
  });
});

describe('providerOutage', () => {
  it('warns about rollouts that abort on a metrics outage', () => {
    expect(providerOutage(readyData()).status).toBe('PASS');
    const aborting = canary([weight(5), analysis('deposit-slo')], { onProviderOutage: 'abort' });
    expect(
      providerOutage(readyData({ rollouts: { ok: true, value: [rolloutInfo(aborting)] } })),
    ).toMatchObject({
      status: 'WARN',
      items: ['wallet-v2'],
    });
  });
});
