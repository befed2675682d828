import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readAnalysisTemplate } from '../analysis/read-analysis-template.js';
import { imageVersion, readRollout } from './read-rollout.js';
import type { CanaryStrategy, RolloutStep } from './rollout.js';

const STABLE = { version: 'v1', upstreams: ['http://wallet-v1:8080'] };
const CANARY = { version: 'v2', upstreams: ['http://wallet-v2:8080'] };

/** A Pitboss-form rollout; `spec` fields override the base, `strategy` replaces the canary steps. */
function doc(spec: Record<string, unknown> = {}, top: Record<string, unknown> = {}) {
  return {
    apiVersion: 'pitboss.dev/v1',
    kind: 'Rollout',
    metadata: { name: 'wallet-v2' },
    spec: { service: 'wallet', stable: STABLE, canary: CANARY, strategy: { canary: { steps: [] } }, ...spec },
    ...top,
  };
}
const steps = (...s: unknown[]) => doc({ strategy: { canary: { steps: s } } });
const canary = (c: Record<string, unknown>) => doc({ strategy: { canary: c } });
const blueGreen = (b: Record<string, unknown>) => doc({ strategy: { blueGreen: b } });
const argo = (spec: Record<string, unknown>) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'demo' },
  spec: {
    template: { spec: { containers: [{ name: 'c', image: 'argoproj/rollouts-demo:blue' }] } },
    ...spec,
  },
});

const errors = (d: unknown) =>
  readRollout(d)
    .diagnostics.filter((x) => x.severity === 'error')
    .map((x) => [x.code, x.path.join('.')]);
const warnings = (d: unknown) =>
  readRollout(d)
    .diagnostics.filter((x) => x.severity === 'warning')
    .map((x) => [x.code, x.path.join('.')]);
function read(d: unknown) {
  const { rollout, diagnostics } = readRollout(d);
  expect(diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  return rollout!;
}
const stepsOf = (d: unknown): readonly RolloutStep[] => (read(d).strategy as CanaryStrategy).steps;

describe('readRollout: Pitboss form', () => {
  it('reads the route, defaults and notifications', () => {
    const r = read(
      doc({
        notifications: {
          webhooks: [
            { url: 'https://hooks.example/a' },
            { url: 'https://hooks.example/b', events: ['RolledBack'], headers: { 'X-Token': 't' } },
          ],
        },
      }),
    );
    expect(r).toEqual({
      name: 'wallet-v2',
      route: { service: 'wallet', stable: STABLE, canary: CANARY, stickiness: 'playerId' },
      strategy: { kind: 'canary', steps: [] },
      onProviderOutage: 'pause',
      notifications: [
        { url: 'https://hooks.example/a', events: [], headers: {} },
        { url: 'https://hooks.example/b', events: ['RolledBack'], headers: { 'X-Token': 't' } },
      ],
    });
  });
  it('reads stickiness, onProviderOutage, versions written as numbers, no upstreams', () => {
    const r = read(
      doc({
        stickiness: 'user.id',
        onProviderOutage: 'abort',
        stable: { version: 1 },
        canary: { version: 1.1 },
      }),
    );
    expect(r.route).toEqual({
      service: 'wallet',
      stable: { version: '1', upstreams: [] },
      canary: { version: '1.1', upstreams: [] },
      stickiness: 'user.id',
    });
    expect(r.onProviderOutage).toBe('abort');
    expect(read({ ...doc(), apiVersion: undefined }).name).toBe('wallet-v2');
  });
  it.each([
    ['setWeight', { setWeight: 5 }, { kind: 'setWeight', weight: 5 }],
    ['setWeight fraction', { setWeight: 0.5 }, { kind: 'setWeight', weight: 0.5 }],
    ['setWeight 0', { setWeight: 0 }, { kind: 'setWeight', weight: 0 }],
    ['setWeight 100', { setWeight: 100 }, { kind: 'setWeight', weight: 100 }],
    ['pause {}', { pause: {} }, { kind: 'pause' }],
    ['pause: (null)', { pause: null }, { kind: 'pause' }],
    ['pause 5m', { pause: { duration: '5m' } }, { kind: 'pause', durationMs: 300_000 }],
    ['pause 30 (seconds)', { pause: { duration: 30 } }, { kind: 'pause', durationMs: 30_000 }],
    ['pause "30"', { pause: { duration: '30' } }, { kind: 'pause', durationMs: 30_000 }],
    ['pause 1h', { pause: { duration: '1h' } }, { kind: 'pause', durationMs: 3_600_000 }],
    ['setMirror', { setMirror: 10 }, { kind: 'setMirror', percent: 10 }],
    ['setSegment', { setSegment: 'user.isEmployee' }, { kind: 'setSegment', segment: 'user.isEmployee' }],
    [
      'setSegment with a segment',
      { setSegment: "segment('employees') || market == 'SE'" },
      { kind: 'setSegment', segment: "segment('employees') || market == 'SE'" },
    ],
    [
      'setFlag',
      { setFlag: { flag: 'payments_v2', environment: 'prod', rollout: 0.25 } },
      { kind: 'setFlag', flag: 'payments_v2', environment: 'prod', rollout: 0.25 },
    ],
    [
      'analysis',
      {
        analysis: {
          templates: [{ templateName: 'a' }, { templateName: 'b', clusterScope: true }],
          args: [{ name: 'x', value: '1' }],
        },
      },
      { kind: 'analysis', analysis: { templates: ['a', 'b'], args: [{ name: 'x', value: '1' }] } },
    ],
    [
      'analysis by plain names',
      { analysis: { templates: ['a'] } },
      { kind: 'analysis', analysis: { templates: ['a'], args: [] } },
    ],
  ])('step %s', (_, step, expected) => {
    expect(stepsOf(steps(step))).toEqual([expected]);
  });
  it('reads background analysis with startingStep', () => {
    const s = read(
      canary({
        steps: [{ setWeight: 5 }, { setWeight: 50 }],
        analysis: { templates: [{ templateName: 'a' }], startingStep: 1 },
      }),
    ).strategy;
    expect(s).toEqual({
      kind: 'canary',
      steps: [
        { kind: 'setWeight', weight: 5 },
        { kind: 'setWeight', weight: 50 },
      ],
      analysis: { templates: ['a'], args: [], startingStep: 1 },
    });
    expect(
      (read(canary({ steps: [], analysis: { templates: ['a'] } })).strategy as CanaryStrategy).analysis
        ?.startingStep,
    ).toBe(0);
  });
  it('reads blue-green', () => {
    const ref = { templates: [{ templateName: 'smoke' }], args: [{ name: 'a', value: 'b' }] };
    expect(
      read(blueGreen({ prePromotionAnalysis: ref, postPromotionAnalysis: ref, autoPromotionSeconds: 30 }))
        .strategy,
    ).toEqual({
      kind: 'blueGreen',
      prePromotionAnalysis: { templates: ['smoke'], args: [{ name: 'a', value: 'b' }] },
      postPromotionAnalysis: { templates: ['smoke'], args: [{ name: 'a', value: 'b' }] },
      autoPromotionEnabled: true,
      autoPromotionSeconds: 30,
    });
    expect(read(blueGreen({})).strategy).toEqual({ kind: 'blueGreen', autoPromotionEnabled: true });
    expect(read(blueGreen({ autoPromotionEnabled: false })).strategy).toEqual({
      kind: 'blueGreen',
      autoPromotionEnabled: false,
    });
  });
  it('autoPromotionSeconds without auto-promotion is ignored with a warning, as in Argo', () => {
    const d = blueGreen({ autoPromotionEnabled: false, autoPromotionSeconds: 30 });
    expect(read(d).strategy).toEqual({ kind: 'blueGreen', autoPromotionEnabled: false });
    expect(warnings(d)).toEqual([['CONFIG_UNSUPPORTED', 'spec.strategy.blueGreen.autoPromotionSeconds']]);
  });
});

describe('readRollout: errors name the field', () => {
  it.each([
    ['not a mapping', [], 'CONFIG_TYPE', ''],
    ['wrong kind', doc({}, { kind: 'AnalysisTemplate' }), 'CONFIG_TYPE', 'kind'],
    ['bad apiVersion', doc({}, { apiVersion: 'apps/v1' }), 'CONFIG_TYPE', 'apiVersion'],
    ['no metadata', doc({}, { metadata: undefined }), 'CONFIG_REQUIRED', 'metadata'],
    ['bad name', doc({}, { metadata: { name: '-x' } }), 'CONFIG_INVALID_KEY', 'metadata.name'],
    [
      'unknown metadata field',
      doc({}, { metadata: { name: 'x', nmae: 'y' } }),
      'CONFIG_UNKNOWN_FIELD',
      'metadata.nmae',
    ],
    ['unknown spec field', doc({ servcie: 'w' }), 'CONFIG_UNKNOWN_FIELD', 'spec.servcie'],
    ['no service', doc({ service: undefined }), 'CONFIG_REQUIRED', 'spec.service'],
    ['bad service', doc({ service: 'a/b' }), 'CONFIG_INVALID_KEY', 'spec.service'],
    ['no stable', doc({ stable: undefined }), 'CONFIG_REQUIRED', 'spec.stable'],
    ['no canary version', doc({ canary: { upstreams: [] } }), 'CONFIG_REQUIRED', 'spec.canary.version'],
    ['version with a space', doc({ canary: { version: 'v 2' } }), 'CONFIG_TYPE', 'spec.canary.version'],
    ['same versions', doc({ canary: STABLE }), 'CONFIG_TYPE', 'spec.canary.version'],
    [
      'upstream not a URL',
      doc({ canary: { version: 'v2', upstreams: ['wallet:8080'] } }),
      'CONFIG_TYPE',
      'spec.canary.upstreams.0',
    ],
    [
      'upstreams not a list',
      doc({ canary: { version: 'v2', upstreams: 'http://x' } }),
      'CONFIG_TYPE',
      'spec.canary.upstreams',
    ],
    [
      'unknown upstream field',
      doc({ canary: { version: 'v2', weight: 1 } }),
      'CONFIG_UNKNOWN_FIELD',
      'spec.canary.weight',
    ],
    ['bad stickiness', doc({ stickiness: 'player id' }), 'CONFIG_TYPE', 'spec.stickiness'],
    ['bad onProviderOutage', doc({ onProviderOutage: 'rollback' }), 'CONFIG_TYPE', 'spec.onProviderOutage'],
    [
      'webhook without url',
      doc({ notifications: { webhooks: [{}] } }),
      'CONFIG_REQUIRED',
      'spec.notifications.webhooks.0.url',
    ],
    [
      'webhook bad url',
      doc({ notifications: { webhooks: [{ url: 'slack' }] } }),
      'CONFIG_TYPE',
      'spec.notifications.webhooks.0.url',
    ],
    [
      'webhook unknown event',
      doc({ notifications: { webhooks: [{ url: 'http://x', events: ['RolledBak'] }] } }),
      'CONFIG_TYPE',
      'spec.notifications.webhooks.0.events.0',
    ],
    [
      'webhook events not strings',
      doc({ notifications: { webhooks: [{ url: 'http://x', events: [1] }] } }),
      'CONFIG_TYPE',
      'spec.notifications.webhooks.0.events.0',
    ],
    [
      'unknown notifications field',
      doc({ notifications: { slack: {} } }),
      'CONFIG_UNKNOWN_FIELD',
      'spec.notifications.slack',
    ],
    ['no strategy', doc({ strategy: undefined }), 'CONFIG_REQUIRED', 'spec.strategy'],
    ['empty strategy', doc({ strategy: {} }), 'CONFIG_REQUIRED', 'spec.strategy'],
    ['two strategies', doc({ strategy: { canary: {}, blueGreen: {} } }), 'CONFIG_TYPE', 'spec.strategy'],
    ['unknown strategy', doc({ strategy: { rolling: {} } }), 'CONFIG_UNKNOWN_FIELD', 'spec.strategy.rolling'],
    ['steps not a list', canary({ steps: {} }), 'CONFIG_TYPE', 'spec.strategy.canary.steps'],
    [
      'setWeight above 100',
      steps({ setWeight: 101 }),
      'CONFIG_TYPE',
      'spec.strategy.canary.steps.0.setWeight',
    ],
    ['setWeight negative', steps({ setWeight: -1 }), 'CONFIG_TYPE', 'spec.strategy.canary.steps.0.setWeight'],
    ['setWeight text', steps({ setWeight: '5%' }), 'CONFIG_TYPE', 'spec.strategy.canary.steps.0.setWeight'],
    [
      'setWeight empty',
      steps({ setWeight: null }),
      'CONFIG_REQUIRED',
      'spec.strategy.canary.steps.0.setWeight',
    ],
    [
      'setMirror above 100',
      steps({ setMirror: 150 }),
      'CONFIG_TYPE',
      'spec.strategy.canary.steps.0.setMirror',
    ],
    [
      'pause bad duration',
      steps({ pause: { duration: '5 min' } }),
      'CONFIG_TYPE',
      'spec.strategy.canary.steps.0.pause.duration',
    ],
    [
      'pause unknown field',
      steps({ pause: { until: 'x' } }),
      'CONFIG_UNKNOWN_FIELD',
      'spec.strategy.canary.steps.0.pause.until',
    ],
    ['pause as a number', steps({ pause: 30 }), 'CONFIG_TYPE', 'spec.strategy.canary.steps.0.pause'],
    ['empty step', steps({}), 'CONFIG_REQUIRED', 'spec.strategy.canary.steps.0'],
    [
      'two actions in a step',
      steps({ setWeight: 5, pause: {} }),
      'CONFIG_TYPE',
      'spec.strategy.canary.steps.0',
    ],
    [
      'unknown step',
      steps({ setWieght: 5 }),
      'CONFIG_UNKNOWN_FIELD',
      'spec.strategy.canary.steps.0.setWieght',
    ],
    [
      'setSegment syntax',
      steps({ setSegment: "market == 'SE' &&" }),
      'EXPR_SYNTAX',
      'spec.strategy.canary.steps.0.setSegment',
    ],
    [
      'setSegment unknown function',
      steps({ setSegment: 'isEmployee(user)' }),
      'EXPR_UNKNOWN_FUNCTION',
      'spec.strategy.canary.steps.0.setSegment',
    ],
    [
      'setSegment not text',
      steps({ setSegment: true }),
      'CONFIG_TYPE',
      'spec.strategy.canary.steps.0.setSegment',
    ],
    [
      'setFlag rollout as percent',
      steps({ setFlag: { flag: 'f', environment: 'prod', rollout: 25 } }),
      'FLAG_INVALID_ROLLOUT',
      'spec.strategy.canary.steps.0.setFlag.rollout',
    ],
    [
      'setFlag without flag',
      steps({ setFlag: { environment: 'prod', rollout: 1 } }),
      'CONFIG_REQUIRED',
      'spec.strategy.canary.steps.0.setFlag.flag',
    ],
    [
      'setFlag bad environment',
      steps({ setFlag: { flag: 'f', environment: 'p r o d', rollout: 1 } }),
      'CONFIG_INVALID_KEY',
      'spec.strategy.canary.steps.0.setFlag.environment',
    ],
    [
      'analysis without templates',
      steps({ analysis: {} }),
      'CONFIG_REQUIRED',
      'spec.strategy.canary.steps.0.analysis.templates',
    ],
    [
      'analysis with no template',
      steps({ analysis: { templates: [] } }),
      'CONFIG_REQUIRED',
      'spec.strategy.canary.steps.0.analysis.templates',
    ],
    [
      'template ref without name',
      steps({ analysis: { templates: [{ clusterScope: true }] } }),
      'CONFIG_REQUIRED',
      'spec.strategy.canary.steps.0.analysis.templates.0.templateName',
    ],
    [
      'template ref unknown field',
      steps({ analysis: { templates: [{ name: 'a' }] } }),
      'CONFIG_UNKNOWN_FIELD',
      'spec.strategy.canary.steps.0.analysis.templates.0.name',
    ],
    [
      'arg without name',
      steps({ analysis: { templates: ['a'], args: [{ value: 'x' }] } }),
      'CONFIG_REQUIRED',
      'spec.strategy.canary.steps.0.analysis.args.0.name',
    ],
    [
      'startingStep past the end',
      canary({ steps: [{ setWeight: 5 }], analysis: { templates: ['a'], startingStep: 1 } }),
      'CONFIG_TYPE',
      'spec.strategy.canary.analysis.startingStep',
    ],
    [
      'startingStep negative',
      canary({ steps: [{ setWeight: 5 }], analysis: { templates: ['a'], startingStep: -1 } }),
      'CONFIG_TYPE',
      'spec.strategy.canary.analysis.startingStep',
    ],
    [
      'startingStep on a step analysis',
      steps({ analysis: { templates: ['a'], startingStep: 0 } }),
      'CONFIG_UNKNOWN_FIELD',
      'spec.strategy.canary.steps.0.analysis.startingStep',
    ],
    [
      'autoPromotionEnabled not boolean',
      blueGreen({ autoPromotionEnabled: 'no' }),
      'CONFIG_TYPE',
      'spec.strategy.blueGreen.autoPromotionEnabled',
    ],
    [
      'autoPromotionSeconds negative',
      blueGreen({ autoPromotionSeconds: -5 }),
      'CONFIG_TYPE',
      'spec.strategy.blueGreen.autoPromotionSeconds',
    ],
    ['blue-green steps', blueGreen({ steps: [] }), 'CONFIG_UNKNOWN_FIELD', 'spec.strategy.blueGreen.steps'],
  ])('%s', (_, d, code, path) => {
    expect(errors(d)).toContainEqual([code, path]);
    expect(readRollout(d).rollout).toBeUndefined();
  });

  it('collects every problem at once', () => {
    expect(
      errors(
        doc({
          service: undefined,
          onProviderOutage: 'x',
          strategy: { canary: { steps: [{ setWeight: 200 }, { pause: 'x' }] } },
        }),
      ),
    ).toEqual([
      ['CONFIG_REQUIRED', 'spec.service'],
      ['CONFIG_TYPE', 'spec.onProviderOutage'],
      ['CONFIG_TYPE', 'spec.strategy.canary.steps.0.setWeight'],
      ['CONFIG_TYPE', 'spec.strategy.canary.steps.1.pause'],
    ]);
  });
  it('places setSegment errors on the line and column inside the field', () => {
    const d = readRollout(steps({ setSegment: "user.isEmployee &&\n  market in ['SE'" })).diagnostics[0]!;
    expect(d).toMatchObject({
      code: 'EXPR_SYNTAX',
      line: 2,
      path: ['spec', 'strategy', 'canary', 'steps', 0, 'setSegment'],
    });
    expect(d.column).toBeGreaterThan(1);
  });
  it('suggests the nearest field', () => {
    expect(readRollout(doc({ stickines: 'x' })).diagnostics[0]?.message).toContain(
      "did you mean 'stickiness'",
    );
  });
});

describe('readRollout: Argo form', () => {
  it('maps name, image tag and steps', () => {
    const r = read(
      argo({
        strategy: {
          canary: {
            steps: [
              { setWeight: 20 },
              { pause: {} },
              { pause: { duration: '10s' } },
              { analysis: { templates: [{ templateName: 'x' }] } },
            ],
          },
        },
      }),
    );
    expect(r.name).toBe('demo');
    expect(r.route).toEqual({
      service: 'demo',
      stable: { version: 'stable', upstreams: [] },
      canary: { version: 'blue', upstreams: [] },
      stickiness: 'playerId',
    });
    expect((r.strategy as CanaryStrategy).steps).toEqual([
      { kind: 'setWeight', weight: 20 },
      { kind: 'pause' },
      { kind: 'pause', durationMs: 10_000 },
      { kind: 'analysis', analysis: { templates: ['x'], args: [] } },
    ]);
  });
  it('takes Pitboss fields over the derived ones', () => {
    const r = read(
      argo({
        service: 'wallet',
        stable: { version: 'green' },
        canary: { version: 'v9', upstreams: ['http://c'] },
        strategy: { canary: {} },
      }),
    );
    expect(r.route).toMatchObject({
      service: 'wallet',
      stable: { version: 'green' },
      canary: { version: 'v9', upstreams: ['http://c'] },
    });
  });
  it('a canary without steps (Argo rolling update) reads as no steps', () => {
    expect(read(argo({ strategy: { canary: { maxSurge: 1 } } })).strategy).toEqual({
      kind: 'canary',
      steps: [],
    });
  });
  it('without an image it needs spec.canary', () => {
    expect(errors({ ...argo({ strategy: { canary: {} } }), spec: { strategy: { canary: {} } } })).toEqual([
      ['CONFIG_REQUIRED', 'spec.canary'],
    ]);
  });
  it.each([
    ['replicas', { replicas: 3 }, 'spec.replicas'],
    ['revisionHistoryLimit', { revisionHistoryLimit: 2 }, 'spec.revisionHistoryLimit'],
    ['selector', { selector: {} }, 'spec.selector'],
    ['minReadySeconds', { minReadySeconds: 5 }, 'spec.minReadySeconds'],
    ['progressDeadlineSeconds', { progressDeadlineSeconds: 600 }, 'spec.progressDeadlineSeconds'],
    ['canaryService', { strategy: { canary: { canaryService: 'c' } } }, 'spec.strategy.canary.canaryService'],
    ['stableService', { strategy: { canary: { stableService: 's' } } }, 'spec.strategy.canary.stableService'],
    ['maxSurge', { strategy: { canary: { maxSurge: 1 } } }, 'spec.strategy.canary.maxSurge'],
    [
      'maxUnavailable',
      { strategy: { canary: { maxUnavailable: 1 } } },
      'spec.strategy.canary.maxUnavailable',
    ],
    [
      'scaleDownDelaySeconds',
      { strategy: { canary: { scaleDownDelaySeconds: 30 } } },
      'spec.strategy.canary.scaleDownDelaySeconds',
    ],
    [
      'canaryMetadata',
      { strategy: { canary: { canaryMetadata: {} } } },
      'spec.strategy.canary.canaryMetadata',
    ],
    [
      'activeService',
      { strategy: { blueGreen: { activeService: 'a' } } },
      'spec.strategy.blueGreen.activeService',
    ],
    [
      'previewService',
      { strategy: { blueGreen: { previewService: 'p' } } },
      'spec.strategy.blueGreen.previewService',
    ],
    [
      'previewReplicaCount',
      { strategy: { blueGreen: { previewReplicaCount: 1 } } },
      'spec.strategy.blueGreen.previewReplicaCount',
    ],
    ['analysis history limits', { analysis: { successfulRunHistoryLimit: 3 } }, 'spec.analysis'],
    [
      'measurementRetention on a ref',
      { strategy: { canary: { steps: [{ analysis: { templates: ['a'], measurementRetention: [] } }] } } },
      'spec.strategy.canary.steps.0.analysis.measurementRetention',
    ],
  ])('%s is ignored with a warning', (_, spec, path) => {
    const d = argo({ strategy: { canary: {} }, ...spec });
    expect(readRollout(d).rollout).toBeDefined();
    expect(warnings(d)).toContainEqual(['CONFIG_UNSUPPORTED', path]);
  });
  it('warns that only the image tag of the pod template is read', () => {
    const w = readRollout(argo({ strategy: { canary: {} } })).diagnostics;
    expect(w).toEqual([
      expect.objectContaining({
        severity: 'warning',
        path: ['spec', 'template'],
        message: expect.stringContaining("'blue'"),
      }),
    ]);
  });
  it.each([
    [
      'workloadRef',
      { workloadRef: { kind: 'Deployment', name: 'x' }, template: undefined },
      'spec.workloadRef',
      'spec.canary',
    ],
    ['paused', { paused: true }, 'spec.paused', 'pitboss rollout pause'],
    ['rollbackWindow', { rollbackWindow: { revisions: 3 } }, 'spec.rollbackWindow', 'retry'],
    [
      'trafficRouting',
      { strategy: { canary: { trafficRouting: { istio: {} } } } },
      'spec.strategy.canary.trafficRouting',
      'upstreams',
    ],
    [
      'antiAffinity',
      { strategy: { canary: { antiAffinity: {} } } },
      'spec.strategy.canary.antiAffinity',
      'remove',
    ],
    [
      'blue-green antiAffinity',
      { strategy: { blueGreen: { antiAffinity: {} } } },
      'spec.strategy.blueGreen.antiAffinity',
      'remove',
    ],
    [
      'experiment step',
      { strategy: { canary: { steps: [{ experiment: {} }] } } },
      'spec.strategy.canary.steps.0.experiment',
      'comparison',
    ],
    [
      'setCanaryScale',
      { strategy: { canary: { steps: [{ setCanaryScale: { weight: 5 } }] } } },
      'spec.strategy.canary.steps.0.setCanaryScale',
      'setWeight',
    ],
    [
      'setHeaderRoute',
      { strategy: { canary: { steps: [{ setHeaderRoute: {} }] } } },
      'spec.strategy.canary.steps.0.setHeaderRoute',
      'setSegment',
    ],
    [
      'setMirrorRoute',
      { strategy: { canary: { steps: [{ setMirrorRoute: {} }] } } },
      'spec.strategy.canary.steps.0.setMirrorRoute',
      'setMirror',
    ],
    [
      'step plugin',
      { strategy: { canary: { steps: [{ plugin: {} }] } } },
      'spec.strategy.canary.steps.0.plugin',
      'not supported',
    ],
    [
      'analysis ref dryRun',
      { strategy: { canary: { analysis: { templates: ['a'], dryRun: [{ metricName: 'x' }] } } } },
      'spec.strategy.canary.analysis.dryRun',
      'dryRun: true',
    ],
    [
      'arg valueFrom',
      {
        strategy: {
          canary: {
            steps: [
              {
                analysis: {
                  templates: ['a'],
                  args: [{ name: 'h', valueFrom: { podTemplateHashValue: 'Stable' } }],
                },
              },
            ],
          },
        },
      },
      'spec.strategy.canary.steps.0.analysis.args.0.valueFrom',
      'canary-version',
    ],
  ])('%s is rejected, naming what to use', (_, spec, path, advice) => {
    const d = argo({ strategy: { canary: {} }, ...spec });
    const found = readRollout(d).diagnostics.filter((x) => x.severity === 'error');
    expect(found).toEqual([
      expect.objectContaining({
        code: 'CONFIG_UNSUPPORTED',
        path: path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
      }),
    ]);
    expect(found[0]?.message).toContain(advice);
  });
  it('reads Argo YAML as written', () => {
    const r = read(
      parse(`
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: guestbook}
spec:
  template:
    spec:
      containers: [{name: g, image: "registry:5000/team/guestbook:2.1.0"}]
  strategy:
    canary:
      analysis:
        templates: [{templateName: success-rate}]
        startingStep: 2
        args: [{name: service-name, value: guestbook-svc}]
      steps:
      - setWeight: 20
      - pause: {duration: 10m}
      - setWeight: 40
`),
    );
    expect(r.route.canary.version).toBe('2.1.0');
    expect((r.strategy as CanaryStrategy).analysis).toEqual({
      templates: ['success-rate'],
      args: [{ name: 'service-name', value: 'guestbook-svc' }],
      startingStep: 2,
    });
  });
});

describe('imageVersion', () => {
  it.each([
    ['argoproj/rollouts-demo:blue', 'blue'],
    ['nginx:1.19-alpine', '1.19-alpine'],
    ['nginx', 'latest'],
    ['localhost:5000/app', 'latest'],
    ['localhost:5000/app:v2', 'v2'],
    ['app@sha256:abc', 'sha256:abc'],
  ])('%s → %s', (image, version) => expect(imageVersion(image)).toBe(version));
});

const KEYS = [
  'spec',
  'strategy',
  'canary',
  'steps',
  'analysis',
  'templates',
  'metadata',
  'name',
  'metrics',
  'provider',
  'builtin',
  'query',
  'comparison',
  'args',
  'value',
  'setWeight',
  'setSegment',
  'stable',
  'version',
  'upstreams',
  'test',
  'tolerance',
  'interval',
  'window',
  'successCondition',
  'template',
];

describe('readers never throw', () => {
  const mutate = (base: unknown) =>
    fc
      .tuple(
        fc.array(fc.oneof(fc.constantFrom(...KEYS), fc.nat(2), fc.string({ maxLength: 4 })), {
          maxLength: 6,
        }),
        fc.anything(),
      )
      .map(([path, value]) => {
        const copy = structuredClone(base) as Record<string | number, unknown>;
        let node: Record<string | number, unknown> = copy;
        for (const key of path.slice(0, -1)) {
          const next = node[key];
          if (typeof next !== 'object' || next === null) break;
          node = next as Record<string | number, unknown>;
        }
        node[path.at(-1) ?? 'spec'] = value;
        return copy;
      });
  const wellFormed = steps(
    { setWeight: 5 },
    { analysis: { templates: ['a'] } },
    { setSegment: 'user.isEmployee' },
  );
  const template = readTemplateDoc();

  it('on any value or any mutation of a valid document, with a result exactly when there is no error', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), mutate(wellFormed), mutate(argo({ strategy: { canary: {} } }))),
        (d) => {
          const { rollout, diagnostics } = readRollout(d);
          expect(rollout === undefined).toBe(diagnostics.some((x) => x.severity === 'error'));
        },
      ),
      { seed: 5, numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutate(template)), (d) => {
        const { template: t, diagnostics } = readAnalysisTemplate(d);
        expect(t === undefined).toBe(diagnostics.some((x) => x.severity === 'error'));
      }),
      { seed: 5, numRuns: 2000 },
    );
  });
});

function readTemplateDoc() {
  return {
    kind: 'AnalysisTemplate',
    metadata: { name: 't' },
    spec: {
      args: [{ name: 'endpoint', value: '/x' }],
      metrics: [
        {
          name: 'm',
          interval: '5s',
          successCondition: 'result > 0',
          provider: { builtin: { query: 'requests[1m]' } },
        },
        {
          name: 'c',
          provider: { builtin: {} },
          comparison: {
            test: 'proportions',
            failures: 'f{v="{{version}}"}',
            total: 't{v="{{version}}"}',
            tolerance: 1,
          },
        },
      ],
    },
  };
}
