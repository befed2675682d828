import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '@pitboss/engine';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AnalysisTemplate } from '../analysis/analysis-template.js';
import { readAnalysisTemplate } from '../analysis/read-analysis-template.js';
import { readRollout } from './read-rollout.js';
import type { Rollout } from './rollout.js';

/**
 * The Argo Rollouts examples (../shared/corpus/argo-rollouts-examples, next to the checkout): every Rollout,
 * AnalysisTemplate and ClusterAnalysisTemplate either loads or is rejected with the exact error naming the
 * unsupported field. Other kinds (Service, Ingress, Secret, Experiment, …) are not Pitboss documents and are
 * skipped. A new file in the corpus fails the test until its outcome is written down here.
 */
const CORPUS = fileURLToPath(
  new URL('../../../../../shared/corpus/argo-rollouts-examples/', import.meta.url),
);
const KINDS = new Set(['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate']);

type Outcome =
  | { readonly loads: (value: Rollout & AnalysisTemplate) => void }
  | { readonly errors: readonly (readonly [string, string])[] };

const JOB_PROVIDER = { errors: [['CONFIG_UNSUPPORTED', 'spec.metrics.0.provider.job']] } as const;
const EXPERIMENT = (step: number) =>
  ({ errors: [['CONFIG_UNSUPPORTED', `spec.strategy.canary.steps.${step}.experiment`]] }) as const;
const steps = (v: Rollout) => (v.strategy.kind === 'canary' ? v.strategy.steps : []);

/** `file#metadata.name` → what Pitboss makes of it. */
const EXPECTED: Record<string, Outcome> = {
  'analysis-templates.yaml#pass': JOB_PROVIDER,
  'analysis-templates.yaml#random-fail': JOB_PROVIDER,
  'cluster-analysis-templates.yaml#always-pass': JOB_PROVIDER,
  'istio_istio-mirror.yaml#istio-host-split': {
    errors: [
      ['CONFIG_UNSUPPORTED', 'spec.strategy.canary.trafficRouting'],
      ['CONFIG_UNSUPPORTED', 'spec.strategy.canary.steps.0.setCanaryScale'],
      ['CONFIG_UNSUPPORTED', 'spec.strategy.canary.steps.1.setMirrorRoute'],
    ],
  },
  'istio_istio-subset-split.yaml#istio-subset-split': {
    errors: [['CONFIG_UNSUPPORTED', 'spec.strategy.canary.trafficRouting']],
  },
  'notifications_rollout-canary.yaml#rollout-canary': {
    loads: (v) => {
      expect(v.route).toMatchObject({ service: 'rollout-canary', canary: { version: 'blue' } });
      expect(steps(v).map((s) => s.kind)).toEqual([...Array(4)].flatMap(() => ['setWeight', 'pause']));
      expect(steps(v)[3]).toEqual({ kind: 'pause', durationMs: 10_000 });
    },
  },
  'rollout-analysis-step.yaml#rollout-analysis-step': {
    loads: (v) =>
      expect(steps(v)).toEqual([
        { kind: 'setWeight', weight: 25 },
        { kind: 'analysis', analysis: { templates: ['random-fail', 'always-pass'], args: [] } },
      ]),
  },
  'rollout-background-analysis.yaml#rollout-background-analysis': {
    loads: (v) =>
      expect(v.strategy).toMatchObject({
        kind: 'canary',
        analysis: { templates: ['random-fail'], startingStep: 0 },
      }),
  },
  'rollout-baseline-vs-canary.yaml#rollout-baseline-vs-canary': EXPERIMENT(0),
  'rollout-bluegreen.yaml#rollout-bluegreen': {
    loads: (v) => expect(v.strategy).toEqual({ kind: 'blueGreen', autoPromotionEnabled: false }),
  },
  'rollout-canary-preview.yaml#rollout-canary-preview': EXPERIMENT(0),
  'rollout-canary.yaml#rollout-canary': {
    loads: (v) => {
      expect(steps(v)).toHaveLength(8);
      expect(steps(v)[3]).toEqual({ kind: 'pause', durationMs: 40_000 });
    },
  },
  'rollout-experiment-step.yaml#rollout-experiment-step': EXPERIMENT(1),
  'rollout-rolling-update.yaml#rollout-rollingupdate': {
    loads: (v) => expect(v.strategy).toEqual({ kind: 'canary', steps: [] }),
  },
  'rollout-secret.yaml#rollout-secret': {
    loads: (v) =>
      expect(steps(v)[1]).toEqual({
        kind: 'analysis',
        analysis: { templates: ['analysis-secret'], args: [] },
      }),
  },
  'rollout-secret.yaml#analysis-secret': { errors: [['CONFIG_UNSUPPORTED', 'spec.args.0.valueFrom']] },
  'rollout-template-ref.yaml#rollout-ref-deployment': {
    errors: [['CONFIG_UNSUPPORTED', 'spec.workloadRef']],
  },
};

interface CorpusDocument {
  readonly key: string;
  readonly kind: string;
  readonly value: Record<string, unknown>;
}

function corpusDocuments(): CorpusDocument[] {
  const out: CorpusDocument[] = [];
  for (const file of readdirSync(CORPUS)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(`${CORPUS}${file}`, 'utf8'))) {
      expect(doc.errors, file).toEqual([]);
      const value = doc.toJS() as Record<string, unknown> | null;
      if (value === null || !KINDS.has(String(value.kind))) continue;
      const name = (value.metadata as { name?: string } | undefined)?.name;
      out.push({ key: `${file}#${name}`, kind: String(value.kind), value });
    }
  }
  return out;
}

const errorsOf = (ds: readonly Diagnostic[]) =>
  ds.filter((d) => d.severity === 'error').map((d) => [d.code, d.path.join('.')]);

describe.skipIf(!existsSync(CORPUS))('Argo Rollouts example corpus', () => {
  const documents = existsSync(CORPUS) ? corpusDocuments() : [];

  it('every Pitboss kind in the corpus has an expected outcome, and every expectation a document', () => {
    expect(documents.map((d) => d.key).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(documents.map((d) => [d.key, d] as const))('%s', (key, { kind, value }) => {
    const expected = EXPECTED[key]!;
    const read = kind === 'Rollout' ? readRollout(value) : readAnalysisTemplate(value);
    const loaded = 'rollout' in read ? read.rollout : 'template' in read ? read.template : undefined;
    if ('loads' in expected) {
      expect(errorsOf(read.diagnostics)).toEqual([]);
      expect(loaded).toBeDefined();
      expected.loads(loaded as Rollout & AnalysisTemplate);
      // What Pitboss does not use is said, never silently dropped.
      for (const w of read.diagnostics) expect(w.message).toMatch(/^ignored: /);
    } else {
      expect(errorsOf(read.diagnostics)).toEqual(expected.errors);
      expect(loaded).toBeUndefined();
      for (const d of read.diagnostics.filter((x) => x.severity === 'error'))
        expect(d.message).toContain(d.path.at(-1) as string);
    }
  });
});

if (!existsSync(CORPUS)) console.warn(`argo-corpus.test: corpus absent at ${CORPUS}; skipped`);
