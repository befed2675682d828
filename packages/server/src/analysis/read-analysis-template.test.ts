import type { Diagnostic } from '@pitboss/engine';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readAnalysisTemplate } from './read-analysis-template.js';

const BUILTIN = { builtin: { query: 'success_ratio{service="wallet",version="{{version}}"}[1m]' } };
const PROM = { prometheus: { address: 'http://prom:9090', query: 'up' } };

/** A Pitboss-form template with one metric. */
function doc(metric: Record<string, unknown>, spec: Record<string, unknown> = {}, extra = {}) {
  return {
    apiVersion: 'pitboss.dev/v1',
    kind: 'AnalysisTemplate',
    metadata: { name: 't' },
    spec: {
      metrics: [{ name: 'm', successCondition: 'result >= 0.99', provider: BUILTIN, ...metric }],
      ...spec,
    },
    ...extra,
  };
}
const argo = (metric: Record<string, unknown>, spec = {}) => ({
  ...doc(metric, spec),
  apiVersion: 'argoproj.io/v1alpha1',
});

function metricOf(d: unknown) {
  const { template, diagnostics } = readAnalysisTemplate(d);
  expect(diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
  return template!.metrics[0]!;
}
const errors = (d: unknown): [string, string][] =>
  readAnalysisTemplate(d)
    .diagnostics.filter((x: Diagnostic) => x.severity === 'error')
    .map((x) => [x.code, x.path.join('.')]);
const warnings = (d: unknown): [string, string][] =>
  readAnalysisTemplate(d)
    .diagnostics.filter((x: Diagnostic) => x.severity === 'warning')
    .map((x) => [x.code, x.path.join('.')]);

describe('readAnalysisTemplate: defaults and fields', () => {
  it('fills the defaults of the contract', () => {
    expect(metricOf(doc({}))).toEqual({
      name: 'm',
      provider: { kind: 'builtin' },
      query: 'success_ratio{service="wallet",version="{{version}}"}[1m]',
      successCondition: 'result >= 0.99',
      intervalMs: 10_000,
      initialDelayMs: 0,
      failureLimit: 0,
      consecutiveErrorLimit: 4,
      inconclusiveLimit: 0,
      dryRun: false,
      hardStop: false,
    });
  });
  it('reads the template name, args and both kinds', () => {
    const t = readAnalysisTemplate(
      doc({}, { args: [{ name: 'a' }, { name: 'b', value: 'x' }, { name: 'n', value: 5 }] }),
    );
    expect(t.template).toMatchObject({
      name: 't',
      args: [{ name: 'a' }, { name: 'b', value: 'x' }, { name: 'n', value: '5' }],
    });
    expect(readAnalysisTemplate({ ...doc({}), kind: 'ClusterAnalysisTemplate' }).template?.name).toBe('t');
    expect(readAnalysisTemplate({ ...doc({}), apiVersion: undefined }).template?.name).toBe('t');
  });
  it.each([
    ['interval', { interval: '1m' }, { intervalMs: 60_000 }],
    ['count', { count: 5 }, { count: 5 }],
    ['initialDelay', { initialDelay: '30s' }, { initialDelayMs: 30_000 }],
    ['failureLimit', { failureLimit: 2 }, { failureLimit: 2 }],
    ['inconclusiveLimit', { inconclusiveLimit: 1 }, { inconclusiveLimit: 1 }],
    ['consecutiveErrorLimit', { consecutiveErrorLimit: 0 }, { consecutiveErrorLimit: 0 }],
    [
      'consecutiveFailureLimit turns the default failureLimit off',
      { consecutiveFailureLimit: 3 },
      { consecutiveFailureLimit: 3, failureLimit: undefined },
    ],
    [
      'window turns the default failureLimit off',
      { window: { failures: 3, within: '15m' } },
      { window: { failures: 3, withinMs: 900_000 }, failureLimit: undefined },
    ],
    [
      'explicit failureLimit with consecutiveFailureLimit',
      { failureLimit: 5, consecutiveFailureLimit: 3 },
      { failureLimit: 5, consecutiveFailureLimit: 3 },
    ],
    ['dryRun', { dryRun: true }, { dryRun: true }],
    ['hardStop', { hardStop: true }, { hardStop: true }],
    ['dimension', { dimension: 'psp' }, { dimension: 'psp' }],
    [
      'failureCondition alone',
      { successCondition: undefined, failureCondition: 'result < 0.5' },
      { failureCondition: 'result < 0.5', successCondition: undefined },
    ],
    [
      'Argo result[0] read as result',
      { successCondition: 'result[0] >= 0.95' },
      { successCondition: 'result >= 0.95' },
    ],
    [
      'metric-level query',
      { query: 'requests{service="w"}[1m]', provider: { builtin: {} } },
      { query: 'requests{service="w"}[1m]' },
    ],
    [
      'builtin: null',
      { query: 'requests{service="w"}[1m]', provider: { builtin: null } },
      { provider: { kind: 'builtin' } },
    ],
    [
      'arg placeholder in a condition waits for resolution',
      { successCondition: 'result >= {{args.min}}' },
      { successCondition: 'result >= {{args.min}}' },
    ],
  ])('%s', (_, metric, expected) => {
    const spec =
      _ === 'arg placeholder in a condition waits for resolution' ? { args: [{ name: 'min' }] } : {};
    const m = metricOf(doc(metric, spec)) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) expect(m[k], k).toEqual(v);
  });

  it('reads a prometheus provider', () => {
    const m = metricOf(
      doc({
        provider: {
          prometheus: {
            address: 'http://prom:9090',
            query: 'up',
            timeout: 20,
            headers: [{ key: 'Authorization', value: 'Bearer x' }],
          },
        },
      }),
    );
    expect(m.provider).toEqual({
      kind: 'prometheus',
      address: 'http://prom:9090',
      timeoutMs: 20_000,
      headers: { Authorization: 'Bearer x' },
    });
    expect(m.query).toBe('up');
    expect(metricOf(doc({ provider: PROM })).provider).toMatchObject({ timeoutMs: 10_000, headers: {} });
  });
  it('reads a web provider, the URL as the query', () => {
    const web = {
      url: 'http://x/m?v={{version}}',
      method: 'POST',
      headers: { 'X-A': 'b' },
      body: '{}',
      timeoutSeconds: 5,
      jsonPath: '{$.ok}',
    };
    const m = metricOf(doc({ provider: { web } }));
    expect(m.provider).toEqual({
      kind: 'web',
      method: 'POST',
      headers: { 'X-A': 'b' },
      body: '{}',
      timeoutMs: 5000,
      jsonPath: '{$.ok}',
    });
    expect(m.query).toBe('http://x/m?v={{version}}');
    expect(
      metricOf(doc({ provider: { web: { url: 'http://x', jsonBody: { a: 1 } } } })).provider,
    ).toMatchObject({ method: 'GET', body: '{"a":1}' });
  });
  it('reads comparisons with their defaults', () => {
    const q = (m: string) => `${m}{service="w",version="{{version}}"}[{{window}}]`;
    const p = metricOf(
      doc({
        successCondition: undefined,
        provider: { builtin: {} },
        comparison: { test: 'proportions', failures: q('failures'), total: q('requests'), tolerance: 0.5 },
      }),
    );
    expect(p.comparison).toEqual({
      test: 'proportions',
      failures: q('failures'),
      total: q('requests'),
      tolerance: 0.5,
      alpha: 0.01,
    });
    const l = metricOf(
      doc({
        successCondition: undefined,
        provider: { prometheus: { address: 'http://prom:9090' } },
        comparison: { test: 'latency', buckets: q('b'), tolerance: 0.2, alpha: 0.05 },
      }),
    );
    expect(l.comparison).toEqual({
      test: 'latency',
      buckets: q('b'),
      quantile: 0.95,
      tolerance: 0.2,
      alpha: 0.05,
    });
    expect(l.query).toBeUndefined();
  });
  it('Argo form: no interval and no count measures once, as Argo does', () => {
    expect(metricOf(argo({})).count).toBe(1);
    expect(metricOf(argo({ interval: '5s' })).count).toBeUndefined();
    expect(metricOf(doc({})).count).toBeUndefined();
  });
  it("Argo's spec-level dryRun list, by name or pattern", () => {
    const two = {
      ...doc({}),
      spec: {
        metrics: [
          { name: 'a', successCondition: 'result > 0', provider: BUILTIN },
          { name: 'b', successCondition: 'result > 0', provider: BUILTIN },
        ],
      },
    };
    const byName = readAnalysisTemplate({ ...two, spec: { ...two.spec, dryRun: [{ metricName: 'b' }] } })
      .template!;
    expect(byName.metrics.map((m) => m.dryRun)).toEqual([false, true]);
    const all = readAnalysisTemplate({ ...two, spec: { ...two.spec, dryRun: [{ metricName: '.*' }] } })
      .template!;
    expect(all.metrics.map((m) => m.dryRun)).toEqual([true, true]);
  });
  it('reads YAML as written by hand', () => {
    const text = `
kind: AnalysisTemplate
metadata: {name: success-rate}
spec:
  args: [{name: service-name}]
  metrics:
  - name: success-rate
    interval: 5m
    successCondition: result[0] >= 0.95
    failureLimit: 3
    provider:
      prometheus:
        address: http://prometheus.example.com:9090
        query: sum(irate(x{s=~"{{ args.service-name }}"}[5m]))
`;
    expect(metricOf(parse(text))).toMatchObject({
      intervalMs: 300_000,
      failureLimit: 3,
      successCondition: 'result >= 0.95',
    });
  });
});

describe('readAnalysisTemplate: errors name the field', () => {
  it.each([
    ['not a mapping', 'x', 'CONFIG_TYPE', ''],
    ['wrong kind', { ...doc({}), kind: 'Rollout' }, 'CONFIG_TYPE', 'kind'],
    ['no kind', { ...doc({}), kind: undefined }, 'CONFIG_REQUIRED', ''],
    ['unknown apiVersion', { ...doc({}), apiVersion: 'v2' }, 'CONFIG_TYPE', 'apiVersion'],
    ['no name', { ...doc({}), metadata: {} }, 'CONFIG_REQUIRED', 'metadata.name'],
    ['bad name', { ...doc({}), metadata: { name: 'a b' } }, 'CONFIG_INVALID_KEY', 'metadata.name'],
    ['no spec', { ...doc({}), spec: undefined }, 'CONFIG_REQUIRED', 'spec'],
    ['no metrics', { ...doc({}), spec: {} }, 'CONFIG_REQUIRED', 'spec.metrics'],
    ['empty metrics', { ...doc({}), spec: { metrics: [] } }, 'CONFIG_REQUIRED', 'spec.metrics'],
    ['unknown top field', { ...doc({}), extra: 1 }, 'CONFIG_UNKNOWN_FIELD', 'extra'],
    ['unknown spec field', doc({}, { metric: [] }), 'CONFIG_UNKNOWN_FIELD', 'spec.metric'],
    ['unknown metric field', doc({ intervall: '5s' }), 'CONFIG_UNKNOWN_FIELD', 'spec.metrics.0.intervall'],
    ['no metric name', doc({ name: undefined }), 'CONFIG_REQUIRED', 'spec.metrics.0.name'],
    ['bad metric name', doc({ name: 'a b' }), 'CONFIG_INVALID_KEY', 'spec.metrics.0.name'],
    ['bad interval', doc({ interval: '5 minutes' }), 'CONFIG_TYPE', 'spec.metrics.0.interval'],
    ['interval under 1s', doc({ interval: '500ms' }), 'CONFIG_TYPE', 'spec.metrics.0.interval'],
    ['bad initialDelay', doc({ initialDelay: '-1s' }), 'CONFIG_TYPE', 'spec.metrics.0.initialDelay'],
    ['count 0', doc({ count: 0 }), 'CONFIG_TYPE', 'spec.metrics.0.count'],
    ['count as an arg', doc({ count: '{{args.count}}' }), 'CONFIG_TYPE', 'spec.metrics.0.count'],
    ['negative failureLimit', doc({ failureLimit: -1 }), 'CONFIG_TYPE', 'spec.metrics.0.failureLimit'],
    ['fractional failureLimit', doc({ failureLimit: 1.5 }), 'CONFIG_TYPE', 'spec.metrics.0.failureLimit'],
    [
      'negative inconclusiveLimit',
      doc({ inconclusiveLimit: -1 }),
      'CONFIG_TYPE',
      'spec.metrics.0.inconclusiveLimit',
    ],
    [
      'negative consecutiveErrorLimit',
      doc({ consecutiveErrorLimit: -2 }),
      'CONFIG_TYPE',
      'spec.metrics.0.consecutiveErrorLimit',
    ],
    [
      'consecutiveFailureLimit 0',
      doc({ consecutiveFailureLimit: 0 }),
      'CONFIG_TYPE',
      'spec.metrics.0.consecutiveFailureLimit',
    ],
    [
      'window without within',
      doc({ window: { failures: 3 } }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.window.within',
    ],
    [
      'window without failures',
      doc({ window: { within: '5m' } }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.window.failures',
    ],
    [
      'window with 0 failures',
      doc({ window: { failures: 0, within: '5m' } }),
      'CONFIG_TYPE',
      'spec.metrics.0.window.failures',
    ],
    [
      'window unknown field',
      doc({ window: { failures: 1, within: '5m', over: 1 } }),
      'CONFIG_UNKNOWN_FIELD',
      'spec.metrics.0.window.over',
    ],
    ['dryRun not boolean', doc({ dryRun: 'yes' }), 'CONFIG_TYPE', 'spec.metrics.0.dryRun'],
    ['hardStop not boolean', doc({ hardStop: 1 }), 'CONFIG_TYPE', 'spec.metrics.0.hardStop'],
    ['dimension not a label', doc({ dimension: 'p s p' }), 'CONFIG_TYPE', 'spec.metrics.0.dimension'],
    ['no condition', doc({ successCondition: undefined }), 'CONFIG_REQUIRED', 'spec.metrics.0'],
    [
      'condition syntax',
      doc({ successCondition: 'result >= ' }),
      'EXPR_SYNTAX',
      'spec.metrics.0.successCondition',
    ],
    [
      'failureCondition syntax',
      doc({ failureCondition: 'result <' }),
      'EXPR_SYNTAX',
      'spec.metrics.0.failureCondition',
    ],
    [
      'result[1]',
      doc({ successCondition: 'result[1] > 0' }),
      'EXPR_SYNTAX',
      'spec.metrics.0.successCondition',
    ],
    [
      'unknown function',
      doc({ successCondition: 'asFloat(result) > 0' }),
      'EXPR_UNKNOWN_FUNCTION',
      'spec.metrics.0.successCondition',
    ],
    [
      'undeclared arg in a condition',
      doc({ successCondition: 'result > {{args.min}}' }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.successCondition',
    ],
    [
      'placeholder in a condition',
      doc({ successCondition: 'result > {{version}}' }),
      'CONFIG_TYPE',
      'spec.metrics.0.successCondition',
    ],
    ['no provider', doc({ provider: undefined }), 'CONFIG_REQUIRED', 'spec.metrics.0.provider'],
    ['empty provider', doc({ provider: {} }), 'CONFIG_REQUIRED', 'spec.metrics.0.provider'],
    ['two providers', doc({ provider: { ...BUILTIN, ...PROM } }), 'CONFIG_TYPE', 'spec.metrics.0.provider'],
    [
      'unknown provider',
      doc({ provider: { graphit: {} } }),
      'CONFIG_UNKNOWN_FIELD',
      'spec.metrics.0.provider.graphit',
    ],
    [
      'builtin without query',
      doc({ provider: { builtin: {} } }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.provider.builtin.query',
    ],
    ['query twice', doc({ query: 'x' }), 'CONFIG_DUPLICATE_KEY', 'spec.metrics.0.query'],
    [
      'query with web',
      doc({ query: 'x', provider: { web: { url: 'http://x' } } }),
      'CONFIG_TYPE',
      'spec.metrics.0.query',
    ],
    [
      'prometheus without address',
      doc({ provider: { prometheus: { query: 'up' } } }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.provider.prometheus.address',
    ],
    [
      'prometheus address not a URL',
      doc({ provider: { prometheus: { address: 'prom:9090', query: 'up' } } }),
      'CONFIG_TYPE',
      'spec.metrics.0.provider.prometheus.address',
    ],
    [
      'prometheus bad timeout',
      doc({ provider: { prometheus: { ...PROM.prometheus, timeout: 'soon' } } }),
      'CONFIG_TYPE',
      'spec.metrics.0.provider.prometheus.timeout',
    ],
    [
      'header without value',
      doc({ provider: { prometheus: { ...PROM.prometheus, headers: [{ key: 'A' }] } } }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.provider.prometheus.headers.0.value',
    ],
    ['web without url', doc({ provider: { web: {} } }), 'CONFIG_REQUIRED', 'spec.metrics.0.provider.web.url'],
    [
      'web method PUT',
      doc({ provider: { web: { url: 'http://x', method: 'PUT' } } }),
      'CONFIG_TYPE',
      'spec.metrics.0.provider.web.method',
    ],
    [
      'web body and jsonBody',
      doc({ provider: { web: { url: 'http://x', body: 'a', jsonBody: {} } } }),
      'CONFIG_DUPLICATE_KEY',
      'spec.metrics.0.provider.web.jsonBody',
    ],
    [
      'unknown placeholder',
      doc({ provider: { builtin: { query: 'requests{v="{{canary}}"}[1m]' } } }),
      'CONFIG_TYPE',
      'spec.metrics.0.provider.builtin.query',
    ],
    [
      'undeclared arg',
      doc({ provider: { builtin: { query: 'requests{v="{{args.x}}"}[1m]' } } }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.provider.builtin.query',
    ],
    [
      'duplicate metric',
      { ...doc({}), spec: { metrics: [doc({}).spec.metrics[0], doc({}).spec.metrics[0]] } },
      'CONFIG_DUPLICATE_KEY',
      'spec.metrics.1.name',
    ],
    [
      'duplicate arg',
      doc({}, { args: [{ name: 'a' }, { name: 'a' }] }),
      'CONFIG_DUPLICATE_KEY',
      'spec.args.1.name',
    ],
    ['arg without name', doc({}, { args: [{ value: 'a' }] }), 'CONFIG_REQUIRED', 'spec.args.0.name'],
    [
      'arg with a mapping value',
      doc({}, { args: [{ name: 'a', value: { x: 1 } }] }),
      'CONFIG_TYPE',
      'spec.args.0.value',
    ],
    [
      'dryRun naming no metric',
      doc({}, { dryRun: [{ metricName: 'nope' }] }),
      'CONFIG_UNKNOWN_FIELD',
      'spec.dryRun.0.metricName',
    ],
  ])('%s', (_, d, code, path) => {
    expect(errors(d)).toContainEqual([code, path]);
    expect(readAnalysisTemplate(d).template).toBeUndefined();
  });

  const cmp = (c: Record<string, unknown>, m: Record<string, unknown> = {}) =>
    doc({ successCondition: undefined, provider: { builtin: {} }, comparison: c, ...m });
  const F = 'failures{version="{{version}}"}[{{window}}]';
  const T = 'requests{version="{{version}}"}[{{window}}]';
  it.each([
    [
      'unknown test',
      cmp({ test: 'mann-whitney', tolerance: 1 }),
      'CONFIG_TYPE',
      'spec.metrics.0.comparison.test',
    ],
    ['no test', cmp({ tolerance: 1 }), 'CONFIG_REQUIRED', 'spec.metrics.0.comparison.test'],
    [
      'no tolerance',
      cmp({ test: 'proportions', failures: F, total: T }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.comparison.tolerance',
    ],
    [
      'negative tolerance',
      cmp({ test: 'proportions', failures: F, total: T, tolerance: -0.1 }),
      'CONFIG_TYPE',
      'spec.metrics.0.comparison.tolerance',
    ],
    [
      'alpha 0',
      cmp({ test: 'proportions', failures: F, total: T, tolerance: 1, alpha: 0 }),
      'CONFIG_TYPE',
      'spec.metrics.0.comparison.alpha',
    ],
    [
      'alpha above 0.5',
      cmp({ test: 'proportions', failures: F, total: T, tolerance: 1, alpha: 0.6 }),
      'CONFIG_TYPE',
      'spec.metrics.0.comparison.alpha',
    ],
    [
      'no failures query',
      cmp({ test: 'proportions', total: T, tolerance: 1 }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.comparison.failures',
    ],
    [
      'query without {{version}}',
      cmp({ test: 'proportions', failures: 'failures[1m]', total: T, tolerance: 1 }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.comparison.failures',
    ],
    [
      'buckets on proportions',
      cmp({ test: 'proportions', failures: F, total: T, tolerance: 1, buckets: F }),
      'CONFIG_TYPE',
      'spec.metrics.0.comparison.buckets',
    ],
    [
      'quantile 1',
      cmp({ test: 'latency', buckets: F, tolerance: 1, quantile: 1 }),
      'CONFIG_TYPE',
      'spec.metrics.0.comparison.quantile',
    ],
    [
      'quantile 0',
      cmp({ test: 'latency', buckets: F, tolerance: 1, quantile: 0 }),
      'CONFIG_TYPE',
      'spec.metrics.0.comparison.quantile',
    ],
    [
      'latency without buckets',
      cmp({ test: 'latency', tolerance: 1 }),
      'CONFIG_REQUIRED',
      'spec.metrics.0.comparison.buckets',
    ],
    [
      'total on latency',
      cmp({ test: 'latency', buckets: F, tolerance: 1, total: T }),
      'CONFIG_TYPE',
      'spec.metrics.0.comparison.total',
    ],
    [
      'comparison with a condition',
      cmp({ test: 'proportions', failures: F, total: T, tolerance: 1 }, { successCondition: 'result > 0' }),
      'CONFIG_TYPE',
      'spec.metrics.0.successCondition',
    ],
    [
      'comparison with dimension',
      cmp({ test: 'proportions', failures: F, total: T, tolerance: 1 }, { dimension: 'psp' }),
      'CONFIG_TYPE',
      'spec.metrics.0.dimension',
    ],
    [
      'comparison with a query',
      cmp({ test: 'proportions', failures: F, total: T, tolerance: 1 }, { provider: BUILTIN }),
      'CONFIG_TYPE',
      'spec.metrics.0.provider.builtin.query',
    ],
    [
      'comparison on web',
      cmp(
        { test: 'proportions', failures: F, total: T, tolerance: 1 },
        { provider: { web: { url: 'http://x' } } },
      ),
      'CONFIG_TYPE',
      'spec.metrics.0.provider.web',
    ],
  ])('comparison: %s', (_, d, code, path) => {
    expect(errors(d)).toContainEqual([code, path]);
  });

  it('collects every problem at once', () => {
    expect(
      errors(doc({ interval: 'x', count: -1, failureLimit: 'y', successCondition: 'result >' })),
    ).toEqual([
      ['CONFIG_TYPE', 'spec.metrics.0.count'],
      ['CONFIG_TYPE', 'spec.metrics.0.interval'],
      ['CONFIG_TYPE', 'spec.metrics.0.failureLimit'],
      ['EXPR_SYNTAX', 'spec.metrics.0.successCondition'],
    ]);
  });
  it('positions condition errors inside the text as written', () => {
    const d = readAnalysisTemplate(doc({ successCondition: 'result[0] >= 0.95 &&\n  result <' }))
      .diagnostics[0]!;
    expect(d).toMatchObject({
      code: 'EXPR_SYNTAX',
      line: 2,
      path: ['spec', 'metrics', 0, 'successCondition'],
    });
    expect(d.excerpt).toContain('result <');
  });
  it('hints at the rule language for Argo idioms', () => {
    const d = readAnalysisTemplate(doc({ successCondition: 'result > 1 and result < 2' })).diagnostics[0]!;
    expect(d.message).toContain('&&');
  });
  it('warns when a condition reads something other than result', () => {
    expect(warnings(doc({ successCondition: 'value > 1' }))).toEqual([
      ['EXPR_TYPE', 'spec.metrics.0.successCondition'],
    ]);
  });
});

describe('readAnalysisTemplate: Argo fields', () => {
  it.each([
    [
      'job provider',
      argo({ provider: { job: { spec: {} } } }),
      'spec.metrics.0.provider.job',
      'web provider',
    ],
    [
      'kayenta provider',
      argo({ provider: { kayenta: {} } }),
      'spec.metrics.0.provider.kayenta',
      'comparison',
    ],
    [
      'datadog provider',
      argo({ provider: { datadog: {} } }),
      'spec.metrics.0.provider.datadog',
      'prometheus',
    ],
    [
      'newRelic provider',
      argo({ provider: { newRelic: {} } }),
      'spec.metrics.0.provider.newRelic',
      'prometheus',
    ],
    [
      'cloudWatch provider',
      argo({ provider: { cloudWatch: {} } }),
      'spec.metrics.0.provider.cloudWatch',
      'prometheus',
    ],
    ['plugin provider', argo({ provider: { plugin: {} } }), 'spec.metrics.0.provider.plugin', 'web'],
    [
      'arg valueFrom',
      argo({}, { args: [{ name: 'x', valueFrom: { secretKeyRef: {} } }] }),
      'spec.args.0.valueFrom',
      'value',
    ],
    [
      'consecutiveSuccessLimit',
      argo({ consecutiveSuccessLimit: 3 }),
      'spec.metrics.0.consecutiveSuccessLimit',
      'count',
    ],
    [
      'prometheus authentication',
      argo({ provider: { prometheus: { ...PROM.prometheus, authentication: {} } } }),
      'spec.metrics.0.provider.prometheus.authentication',
      'headers',
    ],
    [
      'prometheus insecure',
      argo({ provider: { prometheus: { ...PROM.prometheus, insecure: true } } }),
      'spec.metrics.0.provider.prometheus.insecure',
      'NODE_EXTRA_CA_CERTS',
    ],
    [
      'web insecure',
      argo({ provider: { web: { url: 'http://x', insecure: true } } }),
      'spec.metrics.0.provider.web.insecure',
      'NODE_EXTRA_CA_CERTS',
    ],
  ])('%s is rejected, naming what to use', (_, d, path, advice) => {
    const found = readAnalysisTemplate(d).diagnostics.find((x) => x.path.join('.') === path);
    expect(found).toMatchObject({ severity: 'error', code: 'CONFIG_UNSUPPORTED' });
    expect(found?.message).toContain(advice);
  });
  it.each([
    [
      'measurementRetention',
      argo({}, { measurementRetention: [{ metricName: 'm', limit: 5 }] }),
      'spec.measurementRetention',
    ],
    ['metadata.namespace', { ...argo({}), metadata: { name: 't', namespace: 'x' } }, 'metadata.namespace'],
    [
      'metadata.annotations',
      { ...argo({}), metadata: { name: 't', annotations: {} } },
      'metadata.annotations',
    ],
    ['status', { ...argo({}), status: {} }, 'status'],
  ])('%s is ignored with a warning', (_, d, path) => {
    const r = readAnalysisTemplate(d);
    expect(r.template).toBeDefined();
    expect(warnings(d)).toEqual([['CONFIG_UNSUPPORTED', path]]);
  });
  it('metadata.labels are accepted silently', () => {
    expect(
      readAnalysisTemplate({ ...argo({}), metadata: { name: 't', labels: { a: 'b' } } }).diagnostics,
    ).toEqual([]);
  });
});
