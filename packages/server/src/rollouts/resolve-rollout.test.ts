import { describe, expect, it } from 'vitest';
import type { AnalysisTemplate, MetricSpec } from '../analysis/analysis-template.js';
import { readAnalysisTemplate } from '../analysis/read-analysis-template.js';
import { readRollout } from './read-rollout.js';
import { analysisSites, resolveRollout } from './resolve-rollout.js';
import type { Rollout } from './rollout.js';

function template(name: string, metrics: Record<string, unknown>[], args: unknown[] = []): AnalysisTemplate {
  const { template, diagnostics } = readAnalysisTemplate({
    kind: 'AnalysisTemplate',
    metadata: { name },
    spec: { args, metrics },
  });
  expect(diagnostics).toEqual([]);
  return template!;
}
const metric = (name: string, query: string, extra: Record<string, unknown> = {}) => ({
  name,
  successCondition: 'result >= 0.99',
  provider: { builtin: { query } },
  ...extra,
});

function rollout(strategy: unknown): Rollout {
  const { rollout, diagnostics } = readRollout({
    kind: 'Rollout',
    metadata: { name: 'wallet-v2' },
    spec: { service: 'wallet', stable: { version: 'v1' }, canary: { version: 'v2' }, strategy },
  });
  expect(diagnostics).toEqual([]);
  return rollout!;
}
const stepAnalysis = (templates: string[], args: unknown[] = []) =>
  rollout({
    canary: {
      steps: [
        { setWeight: 5 },
        { analysis: { templates: templates.map((t) => ({ templateName: t })), args } },
      ],
    },
  });

const SUCCESS = template(
  'success',
  [
    metric(
      'ok',
      'success_ratio{service="{{args.service}}",version="{{version}}",endpoint="{{args.endpoint}}"}[{{window}}]',
    ),
  ],
  [{ name: 'service' }, { name: 'endpoint', value: '/deposit' }],
);
const map = (...ts: AnalysisTemplate[]) => new Map(ts.map((t) => [t.name, t]));
const resolve = (r: Rollout, ...ts: AnalysisTemplate[]) => resolveRollout(r, map(...ts));
const errors = (r: ReturnType<typeof resolve>) =>
  r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.path.join('.')]);

describe('resolveRollout', () => {
  it('substitutes ref args, implicit args and template defaults; keeps {{version}} and {{window}}', () => {
    const { resolved, diagnostics } = resolve(stepAnalysis(['success']), SUCCESS);
    expect(diagnostics).toEqual([]);
    expect(resolved?.analyses['step-1']).toEqual([
      expect.objectContaining({
        name: 'ok',
        template: 'success',
        query: 'success_ratio{service="wallet",version="{{version}}",endpoint="/deposit"}[{{window}}]',
      }),
    ]);
  });
  it('ref args override template defaults and implicit args', () => {
    const r = stepAnalysis(
      ['success'],
      [
        { name: 'endpoint', value: '/withdraw' },
        { name: 'service', value: 'payments' },
      ],
    );
    expect(resolve(r, SUCCESS).resolved?.analyses['step-1']?.[0]?.query).toBe(
      'success_ratio{service="payments",version="{{version}}",endpoint="/withdraw"}[{{window}}]',
    );
  });
  it('implicit stable-version and canary-version need no declaration', () => {
    const t = template('v', [
      metric('m', 'requests{version="{{args.canary-version}}",base="{{args.stable-version}}"}[1m]'),
    ]);
    expect(resolve(stepAnalysis(['v']), t).resolved?.analyses['step-1']?.[0]?.query).toBe(
      'requests{version="v2",base="v1"}[1m]',
    );
  });
  it('names the analyses step-<index>, background, pre-promotion, post-promotion', () => {
    const canary = rollout({
      canary: {
        steps: [
          { setWeight: 5 },
          { analysis: { templates: ['success'] } },
          { pause: {} },
          { analysis: { templates: ['success'] } },
        ],
        analysis: { templates: ['success'] },
      },
    });
    expect(Object.keys(resolve(canary, SUCCESS).resolved!.analyses)).toEqual([
      'background',
      'step-1',
      'step-3',
    ]);
    const bg = rollout({
      blueGreen: {
        prePromotionAnalysis: { templates: ['success'] },
        postPromotionAnalysis: { templates: ['success'] },
      },
    });
    expect(Object.keys(resolve(bg, SUCCESS).resolved!.analyses)).toEqual(['pre-promotion', 'post-promotion']);
    expect(analysisSites(bg).map((s) => s.path.join('.'))).toEqual([
      'spec.strategy.blueGreen.prePromotionAnalysis',
      'spec.strategy.blueGreen.postPromotionAnalysis',
    ]);
    expect(resolve(rollout({ canary: { steps: [{ setWeight: 100 }] } })).resolved?.analyses).toEqual({});
  });
  it('substitutes in prometheus address and headers, web URL, headers, body and jsonPath', () => {
    const t = template(
      'p',
      [
        {
          name: 'prom',
          successCondition: 'result > 0',
          provider: {
            prometheus: {
              address: '{{args.prom}}',
              query: 'up{job="{{args.service}}"}',
              headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
            },
          },
        },
        {
          name: 'web',
          successCondition: 'result > 0',
          provider: {
            web: {
              url: 'http://x/{{args.service}}?v={{version}}',
              method: 'POST',
              headers: { 'X-T': '{{args.token}}' },
              body: '{"s":"{{args.service}}"}',
              jsonPath: '{$.{{args.field}}}',
            },
          },
        },
      ],
      [{ name: 'prom', value: 'http://prom:9090' }, { name: 'token' }, { name: 'field', value: 'ok' }],
    );
    const metrics = resolve(stepAnalysis(['p'], [{ name: 'token', value: 's3cret' }]), t).resolved!.analyses[
      'step-1'
    ]!;
    expect(metrics[0]).toMatchObject({
      query: 'up{job="wallet"}',
      provider: {
        kind: 'prometheus',
        address: 'http://prom:9090',
        headers: { Authorization: 'Bearer s3cret' },
      },
    });
    expect(metrics[1]).toMatchObject({
      query: 'http://x/wallet?v={{version}}',
      provider: { kind: 'web', headers: { 'X-T': 's3cret' }, body: '{"s":"wallet"}', jsonPath: '{$.ok}' },
    });
  });
  it('substitutes in comparison queries', () => {
    const t = template('c', [
      {
        name: 'c',
        provider: { builtin: {} },
        comparison: {
          test: 'proportions',
          failures: 'failures{service="{{args.service}}",version="{{version}}"}[{{window}}]',
          total: 'requests{service="{{args.service}}",version="{{version}}"}[{{window}}]',
          tolerance: 0.5,
        },
      },
    ]);
    expect(resolve(stepAnalysis(['c']), t).resolved!.analyses['step-1']![0]!.comparison).toMatchObject({
      failures: 'failures{service="wallet",version="{{version}}"}[{{window}}]',
      total: 'requests{service="wallet",version="{{version}}"}[{{window}}]',
    });
  });
  it('substitutes args in conditions and then compiles them', () => {
    const t = template(
      'm',
      [metric('m', 'requests[1m]', { successCondition: 'result >= {{args.min}}' })],
      [{ name: 'min', value: '0.99' }],
    );
    expect(resolve(stepAnalysis(['m']), t).resolved!.analyses['step-1']![0]!.successCondition).toBe(
      'result >= 0.99',
    );
    const bad = resolve(stepAnalysis(['m'], [{ name: 'min', value: '>' }]), t);
    expect(errors(bad)).toEqual([['EXPR_SYNTAX', 'spec.strategy.canary.steps.1.analysis.templates.0']]);
    expect(bad.diagnostics[0]?.message).toContain("template 'm', metric 'm', successCondition");
  });
  it('merges the metrics of several templates', () => {
    const other = template(
      'other',
      [metric('latency', 'latency_p95{service="{{args.service}}"}[1m]')],
      [{ name: 'service' }],
    );
    expect(
      resolve(stepAnalysis(['success', 'other']), SUCCESS, other).resolved!.analyses['step-1']!.map(
        (m: MetricSpec) => m.name,
      ),
    ).toEqual(['ok', 'latency']);
  });

  it.each([
    [
      'a missing template',
      stepAnalysis(['nope']),
      [SUCCESS],
      'CONFIG_UNKNOWN_FIELD',
      'spec.strategy.canary.steps.1.analysis.templates.0',
    ],
    [
      'an arg without a value',
      stepAnalysis(['need']),
      [template('need', [metric('m', 'requests{x="{{args.x}}"}[1m]')], [{ name: 'x' }])],
      'CONFIG_REQUIRED',
      'spec.strategy.canary.steps.1.analysis.args',
    ],
    [
      'a ref arg without a value',
      stepAnalysis(['success'], [{ name: 'endpoint' }]),
      [SUCCESS],
      'CONFIG_REQUIRED',
      'spec.strategy.canary.steps.1.analysis.args.0.value',
    ],
    [
      'the same metric in two templates',
      stepAnalysis(['success', 'copy']),
      [SUCCESS, { ...SUCCESS, name: 'copy' }],
      'CONFIG_DUPLICATE_KEY',
      'spec.strategy.canary.steps.1.analysis.templates.1',
    ],
    [
      'a URL that is not one once substituted',
      stepAnalysis(['w']),
      [
        template(
          'w',
          [{ name: 'w', successCondition: 'result > 0', provider: { web: { url: '{{args.u}}' } } }],
          [{ name: 'u', value: 'not a url' }],
        ),
      ],
      'CONFIG_TYPE',
      'spec.strategy.canary.steps.1.analysis.templates.0',
    ],
    [
      'a placeholder with no value (template built by hand)',
      stepAnalysis(['h']),
      [{ name: 'h', args: [], metrics: [{ ...SUCCESS.metrics[0]!, query: '{{args.ghost}}' }] }],
      'CONFIG_REQUIRED',
      'spec.strategy.canary.steps.1.analysis.templates.0',
    ],
  ])('reports %s', (_, r, ts, code, path) => {
    const out = resolve(r, ...ts);
    expect(out.resolved).toBeUndefined();
    expect(errors(out)).toContainEqual([code, path]);
  });
  it('background and blue-green errors point at their reference', () => {
    const bg = rollout({ canary: { steps: [], analysis: { templates: ['nope'] } } });
    expect(errors(resolve(bg))).toEqual([
      ['CONFIG_UNKNOWN_FIELD', 'spec.strategy.canary.analysis.templates.0'],
    ]);
    const bluegreen = rollout({ blueGreen: { postPromotionAnalysis: { templates: ['sucess'] } } });
    const out = resolve(bluegreen, SUCCESS);
    expect(errors(out)).toEqual([
      ['CONFIG_UNKNOWN_FIELD', 'spec.strategy.blueGreen.postPromotionAnalysis.templates.0'],
    ]);
    expect(out.diagnostics[0]?.message).toContain("did you mean 'success'");
  });
  it('resolves args per template: two templates may give one arg different defaults', () => {
    const login = template(
      'login',
      [metric('login', 'success_ratio{endpoint="{{args.endpoint}}"}[1m]')],
      [{ name: 'endpoint', value: '/login' }],
    );
    const metrics = resolve(stepAnalysis(['success', 'login']), SUCCESS, login).resolved!.analyses['step-1']!;
    expect(metrics.map((m) => m.query)).toEqual([
      'success_ratio{service="wallet",version="{{version}}",endpoint="/deposit"}[{{window}}]',
      'success_ratio{endpoint="/login"}[1m]',
    ]);
  });
  it('warns about an arg no template declares', () => {
    const out = resolve(stepAnalysis(['success'], [{ name: 'typo', value: 'x' }]), SUCCESS);
    expect(out.resolved).toBeDefined();
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'warning',
        path: ['spec', 'strategy', 'canary', 'steps', 1, 'analysis', 'args', 0, 'name'],
      }),
    ]);
  });
  it('collects the problems of every analysis', () => {
    const r = rollout({
      canary: {
        steps: [{ analysis: { templates: ['a'] } }, { analysis: { templates: ['b'] } }],
        analysis: { templates: ['c'] },
      },
    });
    expect(errors(resolve(r)).map(([, p]) => p)).toEqual([
      'spec.strategy.canary.analysis.templates.0',
      'spec.strategy.canary.steps.0.analysis.templates.0',
      'spec.strategy.canary.steps.1.analysis.templates.0',
    ]);
  });
});
