import type { Flag } from '@pitboss/engine';
import type { AnalysisTemplate, MetricSpec } from '../../analysis/analysis-template.js';
import type { Rollout, RolloutStep } from '../../rollouts/rollout.js';
import { DEFAULT_POLICY, type ReadinessData, type RolloutInfo } from '../readiness-data.js';

/** A flag as the server stores it, with what the checks read; everything else defaulted. */
export function flag(key: string, fields: Partial<Flag> = {}): Flag {
  return {
    key,
    kind: 'release',
    owner: 'team-payments',
    tags: [],
    protected: false,
    createdAt: '2030-01-01T00:00:00.000Z',
    expiresAt: '2030-03-01T00:00:00.000Z',
    variants: { on: true, off: false },
    valueType: 'boolean',
    stickiness: 'user.id',
    salt: key,
    environments: {},
    ...fields,
  };
}

export function metric(name: string, fields: Partial<MetricSpec> = {}): MetricSpec {
  return {
    name,
    provider: { kind: 'builtin' },
    query: 'success_ratio{service="wallet",version="{{version}}"}[1m]',
    successCondition: 'result >= 0.99',
    intervalMs: 10_000,
    count: 3,
    initialDelayMs: 0,
    consecutiveErrorLimit: 4,
    inconclusiveLimit: 0,
    dryRun: false,
    hardStop: false,
    ...fields,
  };
}

export function template(name: string, metrics: MetricSpec[]): AnalysisTemplate {
  return { name, args: [], metrics };
}

/** Templates the fixtures' rollouts use: a gate, a dry-run-only one, and a hard stop. */
export const TEMPLATES: ReadonlyMap<string, AnalysisTemplate> = new Map([
  ['deposit-slo', template('deposit-slo', [metric('deposit-success')])],
  ['dry-only', template('dry-only', [metric('shadow', { dryRun: true })])],
  ['chargebacks', template('chargebacks', [metric('chargebacks', { hardStop: true, count: undefined })])],
]);

export const analysis = (...templates: string[]): RolloutStep => ({
  kind: 'analysis',
  analysis: { templates, args: [] },
});

export function canary(
  steps: RolloutStep[],
  fields: {
    service?: string;
    background?: { templates: string[]; startingStep: number };
    onProviderOutage?: 'pause' | 'abort';
  } = {},
): Rollout {
  const service = fields.service ?? 'wallet';
  return {
    name: `${service}-v2`,
    route: {
      service,
      stable: { version: 'v1', upstreams: [] },
      canary: { version: 'v2', upstreams: [] },
      stickiness: 'playerId',
    },
    strategy: {
      kind: 'canary',
      steps,
      ...(fields.background
        ? {
            analysis: {
              templates: fields.background.templates,
              args: [],
              startingStep: fields.background.startingStep,
            },
          }
        : {}),
    },
    onProviderOutage: fields.onProviderOutage ?? 'pause',
    notifications: [],
  };
}

export function rolloutInfo(spec: Rollout, phase = 'Analyzing'): RolloutInfo {
  return { name: spec.name, revision: 1, phase, service: spec.route.service, spec };
}

/** The article's wallet release, gated at every weight with a background hard stop. */
export const GATED_WALLET: Rollout = canary(
  [
    { kind: 'setSegment', segment: 'user.isEmployee' },
    { kind: 'pause', durationMs: 60_000 },
    { kind: 'setWeight', weight: 5 },
    analysis('deposit-slo'),
    { kind: 'setWeight', weight: 25 },
    analysis('deposit-slo'),
    { kind: 'setFlag', flag: 'payments_v2', environment: 'prod', rollout: 0.25 },
    { kind: 'setWeight', weight: 50 },
    analysis('deposit-slo'),
    { kind: 'setWeight', weight: 100 },
  ],
  { background: { templates: ['chargebacks'], startingStep: 2 } },
);

/** A configuration that passes every check. */
export function readyData(overrides: Partial<ReadinessData> = {}): ReadinessData {
  return {
    policy: DEFAULT_POLICY,
    environments: [
      { key: 'dev', gitopsLocked: false },
      { key: 'prod', gitopsLocked: true },
    ],
    flags: [
      flag('payments_v2', { tags: ['payments'], protected: true }),
      flag('psp_b', { kind: 'ops', tags: ['payments'], expiresAt: '2030-01-08T00:00:00.000Z' }),
      flag('lobby_layout', { kind: 'experiment', owner: 'team-lobby', tags: ['lobby'] }),
    ],
    stale: { ok: true, value: { days: 30, asOf: '2030-01-02T00:00:00.000Z', flags: [] } },
    latestDecision: { ok: true, value: { flag: 'payments_v2', at: '2030-01-02T00:00:00.000Z' } },
    rollouts: { ok: true, value: [rolloutInfo(GATED_WALLET)] },
    templates: TEMPLATES,
    audit: { ok: true, value: { ok: true, checked: 42, checkpoints: 0 } },
    auditSigned: { ok: true, value: true },
    presets: {
      ok: true,
      value: [
        {
          archived: false,
          preset: {
            key: 'return-old-payment',
            protected: true,
            emergency: true,
            states: { payments_v2: { prod: { killSwitch: true } } },
          },
        },
      ],
    },
    runbooks: {
      dir: 'docs/runbooks',
      exists: true,
      files: [
        { name: 'roll-back-a-release.md', title: 'Roll back a release' },
        { name: 'turn-a-flag-off.md', title: 'Turn a flag off' },
        { name: 'switch-psp-with-preset.md', title: 'Switch a PSP with a preset' },
      ],
    },
    ...overrides,
  };
}
