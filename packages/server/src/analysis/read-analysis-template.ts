import type { Diagnostic } from '@pitboss/engine';
import { readHeader } from '../rollouts/document-header.js';
import { type FieldRules, isPlainObject, type Path, SpecReader } from '../rollouts/spec-reader.js';
import type { AnalysisTemplate, MetricSpec, TemplateArg } from './analysis-template.js';
import { readMetric } from './read-metric.js';

export const ANALYSIS_TEMPLATE_KINDS = ['AnalysisTemplate', 'ClusterAnalysisTemplate'] as const;

const SPEC_FIELDS: FieldRules = {
  args: 'read',
  metrics: 'read',
  dryRun: 'read',
  measurementRetention: { ignore: 'Pitboss keeps the last measurements of every metric' },
};

const ARG_FIELDS: FieldRules = {
  name: 'read',
  value: 'read',
  valueFrom: {
    reject:
      'Pitboss reads no Kubernetes secrets or pod fields: write value, or pass it from the rollout (the rollout supplies {{args.service}}, {{args.stable-version}} and {{args.canary-version}})',
  },
};

/**
 * Reads an `AnalysisTemplate` or `ClusterAnalysisTemplate` document, Pitboss form (`apiVersion: pitboss.dev/v1`
 * or none) or Argo Rollouts form (`argoproj.io/v1alpha1`), into the normalised model with defaults filled in.
 * Every problem is collected (paths from the document root); it never throws. `template` is present only when
 * there is no error; warnings (ignored Kubernetes fields) do not stop it.
 *
 * @example
 * readAnalysisTemplate(parse(yaml)).template?.metrics[0].intervalMs // 10000
 */
export function readAnalysisTemplate(doc: unknown): {
  template?: AnalysisTemplate;
  diagnostics: Diagnostic[];
} {
  const r = new SpecReader();
  const header = readHeader(doc, ANALYSIS_TEMPLATE_KINDS, r);
  const spec = header?.spec === undefined ? undefined : r.object(header.spec, ['spec'], SPEC_FIELDS);
  if (header === undefined || spec === undefined) return { diagnostics: r.diagnostics };

  const args = readArgs(spec.args, ['spec', 'args'], r);
  const declared = new Set(args.map((a) => a.name));
  const metrics: MetricSpec[] = [];
  const names = new Map<string, number>();
  if (r.required(spec.metrics, ['spec', 'metrics'], 'a list of metrics')) {
    const list = r.array(spec.metrics, ['spec', 'metrics']);
    if (list?.length === 0)
      r.error(['spec', 'metrics'], 'CONFIG_REQUIRED', 'an analysis template needs a metric');
    list?.forEach((raw, i) => {
      const path = ['spec', 'metrics', i];
      const metric = readMetric(raw, path, r, { form: header.form, args: declared });
      const name = isPlainObject(raw) && typeof raw.name === 'string' ? raw.name : undefined;
      if (name !== undefined && names.has(name))
        r.error(
          [...path, 'name'],
          'CONFIG_DUPLICATE_KEY',
          `metric '${name}' is defined twice (also metrics[${names.get(name)}])`,
        );
      else if (name !== undefined) names.set(name, i);
      if (metric !== undefined) metrics.push(metric);
    });
  }
  const dryRun = readDryRun(spec.dryRun, ['spec', 'dryRun'], [...names.keys()], r);
  if (r.failed || header.name === undefined) return { diagnostics: r.diagnostics };
  return {
    template: {
      name: header.name,
      args,
      metrics: metrics.map((m) => (dryRun.has(m.name) ? { ...m, dryRun: true } : m)),
    },
    diagnostics: r.diagnostics,
  };
}

/** `[{name, value?}]`, as templates declare them and rollouts pass them. */
export function readArgs(value: unknown, path: Path, r: SpecReader): TemplateArg[] {
  const out: TemplateArg[] = [];
  const seen = new Set<string>();
  r.array(value, path)?.forEach((raw, i) => {
    const a = r.object(raw, [...path, i], ARG_FIELDS);
    if (a === undefined || !r.required(a.name, [...path, i, 'name'], 'the argument name')) return;
    const name = r.string(a.name, [...path, i, 'name']);
    if (name === undefined) return;
    if (seen.has(name)) {
      r.error([...path, i, 'name'], 'CONFIG_DUPLICATE_KEY', `argument '${name}' is given twice`);
      return;
    }
    seen.add(name);
    // Kubernetes types arg values as strings; a YAML number or boolean is read as its text.
    const v = a.value;
    if (v === undefined || v === null) out.push({ name });
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out.push({ name, value: String(v) });
    else r.error([...path, i, 'value'], 'CONFIG_TYPE', `argument '${name}' must have a text value`);
  });
  return out;
}

/**
 * Argo's template-level `dryRun: [{metricName}]`; `metricName` is a metric's name or, as in Argo, a regular
 * expression matching names (`.*`).
 */
function readDryRun(value: unknown, path: Path, names: readonly string[], r: SpecReader): Set<string> {
  const out = new Set<string>();
  r.array(value, path)?.forEach((raw, i) => {
    const d = r.object(raw, [...path, i], { metricName: 'read' });
    const at = [...path, i, 'metricName'];
    const pattern =
      d === undefined || !r.required(d.metricName, at, 'a metric name')
        ? undefined
        : r.string(d.metricName, at);
    if (pattern === undefined) return;
    const matched = names.includes(pattern) ? [pattern] : names.filter((n) => fullMatch(pattern, n));
    if (matched.length === 0)
      r.error(at, 'CONFIG_UNKNOWN_FIELD', `no metric is named or matches '${pattern}'`);
    for (const n of matched) out.add(n);
  });
  return out;
}

function fullMatch(pattern: string, name: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(name);
  } catch {
    return false;
  }
}
