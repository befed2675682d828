import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { readRollout } from '../rollouts/read-rollout.js';
import { resolveRollout } from '../rollouts/resolve-rollout.js';
import type { CanaryStrategy } from '../rollouts/rollout.js';
import type { AnalysisTemplate } from './analysis-template.js';
import { parseBuiltinQuery } from './providers/builtin-query.js';
import { readAnalysisTemplate } from './read-analysis-template.js';
import { loadShippedTemplates, SHIPPED_TEMPLATES_DIR } from './shipped-templates.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/rollouts/', import.meta.url));

/** The gates the issue asks to ship, with the condition or comparison each must hold. */
const GATES: Record<string, Record<string, unknown>> = {
  'login-success-ratio': { successCondition: 'result >= 0.999' },
  'deposit-latency-p95': { successCondition: 'result <= 400' },
  'ws-rtt-p95': { successCondition: 'result <= 120' },
  'deposit-success-by-psp': { successCondition: 'result >= 0.99', dimension: 'psp' },
  'chargeback-errors': { hardStop: true, comparison: expect.objectContaining({ test: 'proportions' }) },
  'psp-success-collapse': { hardStop: true, dimension: 'psp', failureCondition: 'result < 0.5' },
  'game-provider-errors': { hardStop: true, comparison: expect.objectContaining({ test: 'proportions' }) },
  'deposit-errors-vs-baseline': {
    intervalMs: 5_000, // the fast detector: every 5 s, the built-in gateway's slot
    count: 120,
    comparison: expect.objectContaining({ test: 'proportions', tolerance: 0.25 }),
  },
  'deposit-latency-vs-baseline': { comparison: expect.objectContaining({ test: 'latency', quantile: 0.95 }) },
};

function readYaml(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS();
  });
}

describe('shipped analysis templates', () => {
  const templates = loadShippedTemplates();
  const byName = new Map(templates.map((t) => [t.name, t]));

  it('SHIPPED_TEMPLATES_DIR is the package templates folder', () => {
    expect(SHIPPED_TEMPLATES_DIR.replaceAll('\\', '/')).toMatch(/packages\/server\/templates\/analysis\/$/);
  });

  it.each(readdirSync(SHIPPED_TEMPLATES_DIR).filter((f) => f.endsWith('.yaml')))(
    '%s reads with no diagnostic',
    (file) => {
      for (const doc of readYaml(`${SHIPPED_TEMPLATES_DIR}${file}`)) {
        const { template, diagnostics } = readAnalysisTemplate(doc);
        expect(diagnostics).toEqual([]);
        // One template per file, named after it.
        expect(`${template?.name}.yaml`).toBe(file);
      }
    },
  );

  it.each(Object.entries(GATES))('%s ships with its gate', (name, gate) => {
    const t = byName.get(name);
    expect(t?.metrics).toHaveLength(1);
    expect(t?.metrics[0]).toMatchObject({ intervalMs: 10_000, ...gate });
  });

  it('step thresholds count since the analysis began, so their confidence holds at every look', () => {
    // The background hard stop keeps a sliding range: a collapse hours into the run must not be averaged away.
    for (const t of templates)
      for (const m of t.metrics) {
        if (m.query === undefined) continue;
        if (m.hardStop) expect(m.query, m.name).toMatch(/\[5m\]/);
        else expect(m.query, m.name).toContain('[{{window}}]');
      }
  });

  it('ships exactly the listed gates', () => {
    expect([...byName.keys()].sort()).toEqual(Object.keys(GATES).sort());
  });

  it.each(templates.map((t) => [t.name, t] as const))(
    '%s: every builtin query parses once substituted',
    (_, t: AnalysisTemplate) => {
      const fill = (q: string) =>
        q
          .replaceAll('{{version}}', 'v2')
          .replaceAll('{{window}}', '95s')
          .replace(/\{\{args\.([a-z-]+)\}\}/g, (_m, a: string) => (a === 'endpoint' ? '/x' : 'wallet'));
      for (const m of t.metrics) {
        const queries = m.comparison
          ? m.comparison.test === 'proportions'
            ? [m.comparison.failures, m.comparison.total]
            : [m.comparison.buckets]
          : [m.query!];
        for (const q of queries) {
          expect(q).toContain('{{version}}'); // measured on both arms: shared incidents are told apart
          expect(parseBuiltinQuery(fill(q))).toMatchObject({ ok: true });
        }
      }
    },
  );

  it('a metric without a count is a hard stop, for background analysis', () => {
    for (const t of templates)
      for (const m of t.metrics) expect(m.count !== undefined || m.hardStop, m.name).toBe(true);
  });
});

describe('example rollouts', () => {
  const templates = new Map(loadShippedTemplates().map((t) => [t.name, t]));

  it('wallet-v2 reads and resolves against the shipped templates', () => {
    const [doc] = readYaml(`${EXAMPLES}wallet-v2.yaml`);
    const { rollout, diagnostics } = readRollout(doc);
    expect(diagnostics).toEqual([]);
    const steps = (rollout!.strategy as CanaryStrategy).steps;
    expect(steps.filter((s) => s.kind === 'setWeight').map((s) => s.weight)).toEqual([5, 25, 50, 100]);
    expect(steps[0]).toEqual({ kind: 'setSegment', segment: 'user.isEmployee' });
    expect(steps).toContainEqual({
      kind: 'setFlag',
      flag: 'payments_v2',
      environment: 'prod',
      rollout: 0.25,
    });
    const resolved = resolveRollout(rollout!, templates);
    expect(resolved.diagnostics).toEqual([]);
    expect(Object.keys(resolved.resolved!.analyses)).toEqual(['background', 'step-3', 'step-5', 'step-8']);
    expect(resolved.resolved!.analyses['step-3']![0]!.query).toBe(
      'success_ratio{service="wallet",endpoint="deposit",version="{{version}}"}[{{window}}] by (psp)',
    );
  });

  it('argo-style reads with warnings only and resolves', () => {
    const [doc] = readYaml(`${EXAMPLES}argo-style.yaml`);
    const { rollout, diagnostics } = readRollout(doc);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(rollout?.route).toMatchObject({
      service: 'wallet',
      stable: { version: 'v1' },
      canary: { version: 'v2' },
    });
    expect(resolveRollout(rollout!, templates).diagnostics).toEqual([]);
  });
});
