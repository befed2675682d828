import { describe, expect, it } from 'vitest';
import { readAnalysisTemplate } from '../analysis/read-analysis-template.js';
import { readRollout } from '../rollouts/read-rollout.js';
import { resolveRollout } from '../rollouts/resolve-rollout.js';
import type { RolloutView } from '../rollouts/rollout-view.js';
import { SCENARIOS } from './platform/scenarios.js';
import {
  compressTemplate,
  demoTemplateName,
  judgeOutcome,
  releasePlan,
  releaseRollout,
  releaseTemplates,
  shippedTemplateDocuments,
} from './release-script.js';

const UPSTREAMS = { stable: 'http://127.0.0.1:4001', canary: 'http://127.0.0.1:4002' };

describe('compressTemplate', () => {
  const shipped = shippedTemplateDocuments();
  const metric = (doc: Record<string, unknown>) =>
    ((doc.spec as { metrics: Record<string, unknown>[] }).metrics[0] ?? {}) as Record<string, unknown>;

  it('at speed 1 keeps every figure and only names the endpoint', () => {
    const t = compressTemplate(shipped.get('deposit-success-by-psp')!, 1, 'deposit');
    expect((t.metadata as { name: string }).name).toBe('deposit-success-by-psp-demo');
    expect(metric(t)).toMatchObject({ interval: '10000ms', count: 30, consecutiveFailureLimit: 3 });
    expect((t.spec as { args: unknown }).args).toEqual([
      { name: 'service' },
      { name: 'endpoint', value: 'deposit' },
    ]);
  });

  it('divides the interval down to its 1 s floor, then the count, so an analysis lasts 1/speed as long', () => {
    // [speed, interval ms, count]: 30 measurements × 10 s = 300 s at speed 1.
    const cases: [number, string, number][] = [
      [2, '5000ms', 30],
      [10, '1000ms', 30],
      [30, '1000ms', 10],
      [100, '1000ms', 7], // never fewer than the consecutive-failure limit can use: 2 × 3 + 1
    ];
    for (const [speed, interval, count] of cases) {
      const m = metric(compressTemplate(shipped.get('deposit-latency-p95')!, speed, 'deposit'));
      expect([speed, m.interval, m.count]).toEqual([speed, interval, count]);
    }
    const latency = metric(compressTemplate(shipped.get('deposit-latency-p95')!, 30, 'deposit'));
    expect(latency.window).toEqual({ failures: 5, within: '30000ms' });
    // Conditions and queries are the shipped ones.
    expect(latency.successCondition).toBe(metric(shipped.get('deposit-latency-p95')!).successCondition);
    expect(latency.provider).toEqual(metric(shipped.get('deposit-latency-p95')!).provider);
  });

  it('divides initial delays and keeps metrics without a count unbounded', () => {
    const m = metric(compressTemplate(shipped.get('psp-success-collapse')!, 6, 'deposit'));
    expect(m.initialDelay).toBe('10000ms');
    expect(m.count).toBeUndefined();
    expect(m.hardStop).toBe(true);
  });

  it('names compressed copies after the speed', () => {
    expect(demoTemplateName('ws-rtt-p95', 1)).toBe('ws-rtt-p95-demo');
    expect(demoTemplateName('ws-rtt-p95', 2.5)).toBe('ws-rtt-p95-demo-x2.5');
  });
});

describe('the scripted release', () => {
  it.each(SCENARIOS)('%s: its rollout and templates read and resolve without a problem', (scenario) => {
    for (const speed of [1, 6, 30]) {
      const plan = releasePlan(scenario);
      const { templates } = releaseTemplates(plan, speed);
      const read = templates.map((doc) => readAnalysisTemplate(doc));
      for (const r of read) expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const rollout = readRollout(releaseRollout(plan, UPSTREAMS, speed));
      expect(rollout.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const byName = new Map(read.map((r) => [r.template!.name, r.template!]));
      const resolved = resolveRollout(rollout.rollout!, byName);
      expect(resolved.diagnostics).toEqual([]);
    }
  });

  it('moves the wallet step by step: employees, a pause, 5 → 25 (+ the flag) → 50 → 100, a gate after each weight', () => {
    const doc = releaseRollout(releasePlan('psp-failure'), UPSTREAMS, 6) as {
      spec: {
        strategy: { canary: { steps: Record<string, unknown>[]; analysis: unknown } };
        service: string;
      };
    };
    expect(doc.spec.service).toBe('wallet');
    const steps = doc.spec.strategy.canary.steps.map((s) => Object.keys(s)[0]);
    expect(steps).toEqual([
      'setSegment',
      'pause',
      'setWeight',
      'analysis',
      'setWeight',
      'setFlag',
      'analysis',
      'setWeight',
      'analysis',
      'setWeight',
    ]);
    expect(doc.spec.strategy.canary.steps[1]).toEqual({ pause: { duration: '5000ms' } });
    expect(doc.spec.strategy.canary.analysis).toEqual({
      startingStep: 2,
      templates: [
        { templateName: 'psp-success-collapse-demo-x6' },
        { templateName: 'chargeback-errors-demo-x6' },
      ],
    });
  });

  it('releases the game gateway for the WebSocket regression, gated on the RTT', () => {
    const plan = releasePlan('ws-regression');
    expect(plan).toMatchObject({ name: 'games-v2', service: 'games', process: 'game-gateway', flag: false });
    const { counts } = releaseTemplates(plan, 30);
    expect([...counts]).toEqual([['ws-rtt-p95', 10]]);
  });
});

describe('judgeOutcome', () => {
  const view = (over: Partial<RolloutView>): RolloutView =>
    ({ phase: 'Aborted', message: '', route: { weight: 0, mirror: 0 }, ...over }) as RolloutView;

  it('wants psp-failure aborted with the PSP named, healthy at 100 %', () => {
    const named = view({ message: 'deposit-success-by-psp: psp=B 96.4 % fails result >= 0.99' });
    expect(judgeOutcome('psp-failure', named).ok).toBe(true);
    expect(judgeOutcome('psp-failure', view({ message: 'deposit-latency-p95: 700' }))).toEqual({
      ok: false,
      why: 'the reason does not name psp=B: deposit-latency-p95: 700',
    });
    expect(judgeOutcome('psp-failure', view({ phase: 'Healthy' })).ok).toBe(false);
    expect(judgeOutcome('healthy', view({ phase: 'Healthy', route: { weight: 100, mirror: 0 } })).ok).toBe(
      true,
    );
    expect(judgeOutcome('healthy', view({ phase: 'Paused' }))).toEqual({
      ok: false,
      why: 'expected Healthy, ended Paused',
    });
  });
});
