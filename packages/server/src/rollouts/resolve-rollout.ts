import type { Diagnostic } from '@pitboss/engine';
import type {
  AnalysisTemplate,
  MetricSpec,
  ProviderSpec,
  ResolvedMetric,
} from '../analysis/analysis-template.js';
import { checkCondition } from '../analysis/condition.js';
import { IMPLICIT_ARGS, placeholders, substituteArgs } from '../analysis/placeholders.js';
import type { AnalysisRef, ResolvedRollout, Rollout } from './rollout.js';
import { nearest, type Path, SpecReader } from './spec-reader.js';

/** Where each analysis of a rollout sits: its id (the controller's run id) and its path in the document. */
export interface AnalysisSite {
  readonly id: string;
  readonly ref: AnalysisRef;
  readonly path: Path;
}

/** `step-<index>`, `background`, `pre-promotion`, `post-promotion`, in the order the rollout meets them. */
export function analysisSites(rollout: Rollout): AnalysisSite[] {
  const s = rollout.strategy;
  const sites: AnalysisSite[] = [];
  if (s.kind === 'canary') {
    if (s.analysis)
      sites.push({ id: 'background', ref: s.analysis, path: ['spec', 'strategy', 'canary', 'analysis'] });
    s.steps.forEach((step, i) => {
      if (step.kind === 'analysis')
        sites.push({
          id: `step-${i}`,
          ref: step.analysis,
          path: ['spec', 'strategy', 'canary', 'steps', i, 'analysis'],
        });
    });
  } else {
    if (s.prePromotionAnalysis)
      sites.push({
        id: 'pre-promotion',
        ref: s.prePromotionAnalysis,
        path: ['spec', 'strategy', 'blueGreen', 'prePromotionAnalysis'],
      });
    if (s.postPromotionAnalysis)
      sites.push({
        id: 'post-promotion',
        ref: s.postPromotionAnalysis,
        path: ['spec', 'strategy', 'blueGreen', 'postPromotionAnalysis'],
      });
  }
  return sites;
}

/**
 * Looks up every analysis template a rollout names and substitutes `{{args.NAME}}` in queries, URLs, headers,
 * bodies, comparison queries and conditions. An argument's value comes from the analysis reference's `args`,
 * else from the implicit args (`service`, `stable-version`, `canary-version`), else from the template's default.
 * `{{version}}` and `{{window}}` stay for measurement time. Diagnostics point at the rollout document (paths
 * from its root) and name the template and metric; `resolved` is present only without errors. Never throws.
 */
export function resolveRollout(
  rollout: Rollout,
  templates: ReadonlyMap<string, AnalysisTemplate>,
): { resolved?: ResolvedRollout; diagnostics: Diagnostic[] } {
  const r = new SpecReader();
  const analyses: Record<string, readonly ResolvedMetric[]> = {};
  for (const site of analysisSites(rollout)) analyses[site.id] = resolveSite(site, rollout, templates, r);
  return r.failed
    ? { diagnostics: r.diagnostics }
    : { resolved: { rollout, analyses }, diagnostics: r.diagnostics };
}

function resolveSite(
  site: AnalysisSite,
  rollout: Rollout,
  templates: ReadonlyMap<string, AnalysisTemplate>,
  r: SpecReader,
): ResolvedMetric[] {
  const found: { template: AnalysisTemplate; path: Path }[] = [];
  site.ref.templates.forEach((name, j) => {
    const path = [...site.path, 'templates', j];
    const template = templates.get(name);
    if (template !== undefined) found.push({ template, path });
    else {
      const near = nearest(name, [...templates.keys()]);
      r.error(
        path,
        'CONFIG_UNKNOWN_FIELD',
        `analysis template '${name}' (${site.id}) does not exist${near ? `; did you mean '${near}'?` : ''}`,
      );
    }
  });
  checkRefArgs(site, found, r);
  const implicit = implicitArgs(rollout);
  const metrics: ResolvedMetric[] = [];
  const seen = new Map<string, string>();
  for (const { template, path } of found) {
    const args = argumentValues(site, template, implicit, r);
    for (const metric of template.metrics) {
      const other = seen.get(metric.name);
      if (other !== undefined) {
        r.error(
          path,
          'CONFIG_DUPLICATE_KEY',
          `metric '${metric.name}' is defined by templates '${other}' and '${template.name}' of ${site.id}: rename one`,
        );
        continue;
      }
      seen.set(metric.name, template.name);
      const resolved = substituteMetric(
        metric,
        args,
        `template '${template.name}', metric '${metric.name}'`,
        path,
        r,
      );
      if (resolved !== undefined) metrics.push({ ...resolved, template: template.name });
    }
  }
  return metrics;
}

/**
 * The values `{{args.NAME}}` takes in one template: the reference's args, else the implicit args, else the
 * template's own default. Resolved per template, so two templates may give one arg different defaults (Argo
 * refuses that merge; everything Argo accepts resolves the same here). A declared arg left without a value is
 * an error.
 */
function argumentValues(
  site: AnalysisSite,
  template: AnalysisTemplate,
  implicit: Readonly<Record<string, string>>,
  r: SpecReader,
): Map<string, string> {
  const values = new Map<string, string>(Object.entries(implicit));
  for (const arg of template.args) {
    if (arg.value !== undefined && !Object.hasOwn(implicit, arg.name)) values.set(arg.name, arg.value);
    else if (!values.has(arg.name) && !site.ref.args.some((a) => a.name === arg.name))
      r.error(
        [...site.path, 'args'],
        'CONFIG_REQUIRED',
        `argument '${arg.name}' of template '${template.name}' has no value: pass it in ${site.id}'s args`,
      );
  }
  for (const a of site.ref.args) if (a.value !== undefined) values.set(a.name, a.value);
  return values;
}

/** Ref args must have a value; one that no template declares is a warning (a typo, most often). */
function checkRefArgs(
  site: AnalysisSite,
  found: readonly { template: AnalysisTemplate }[],
  r: SpecReader,
): void {
  const declared = new Set(found.flatMap(({ template }) => template.args.map((a) => a.name)));
  site.ref.args.forEach((a, i) => {
    if (a.value === undefined)
      r.error([...site.path, 'args', i, 'value'], 'CONFIG_REQUIRED', `argument '${a.name}' needs a value`);
    if (!declared.has(a.name) && !(IMPLICIT_ARGS as readonly string[]).includes(a.name))
      r.warn(
        [...site.path, 'args', i, 'name'],
        'CONFIG_UNKNOWN_FIELD',
        `argument '${a.name}' is declared by no template of ${site.id}: it is unused`,
      );
  });
}

function implicitArgs(rollout: Rollout): Record<(typeof IMPLICIT_ARGS)[number], string> {
  const route = rollout.route;
  return {
    service: route.service,
    'stable-version': route.stable.version,
    'canary-version': route.canary.version,
  };
}

function substituteMetric(
  metric: MetricSpec,
  args: ReadonlyMap<string, string>,
  label: string,
  path: Path,
  r: SpecReader,
): MetricSpec | undefined {
  let ok = true;
  const sub = (text: string, field: string): string => {
    const { text: out, missing } = substituteArgs(text, args);
    for (const name of missing) {
      ok = false;
      r.error(path, 'CONFIG_REQUIRED', `${label}, ${field}: {{args.${name}}} has no value: pass it in args`);
    }
    return out;
  };
  const url = (text: string, field: string): string => {
    const out = sub(text, field);
    if (!URL.canParse(out) || !/^https?:/.test(out)) {
      ok = false;
      r.error(
        path,
        'CONFIG_TYPE',
        `${label}, ${field}: '${out}' is not an http(s) URL once arguments are substituted`,
      );
    }
    return out;
  };
  const condition = (source: string | undefined, field: string): string | undefined => {
    if (source === undefined || placeholders(source).length === 0) return source;
    const checked = checkCondition(sub(source, field), path, r, `${label}, ${field}`);
    if (checked === undefined) ok = false;
    return checked;
  };
  const headers = (h: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k, sub(v, `header ${k}`)]));

  let provider: ProviderSpec = metric.provider;
  if (provider.kind === 'prometheus')
    provider = { ...provider, address: url(provider.address, 'address'), headers: headers(provider.headers) };
  else if (provider.kind === 'web')
    provider = {
      ...provider,
      headers: headers(provider.headers),
      ...(provider.body !== undefined ? { body: sub(provider.body, 'body') } : {}),
      ...(provider.jsonPath !== undefined ? { jsonPath: sub(provider.jsonPath, 'jsonPath') } : {}),
    };
  const query =
    metric.query === undefined
      ? undefined
      : provider.kind === 'web'
        ? url(metric.query, 'url')
        : sub(metric.query, 'query');
  const c = metric.comparison;
  const comparison =
    c === undefined
      ? undefined
      : c.test === 'proportions'
        ? { ...c, failures: sub(c.failures, 'comparison.failures'), total: sub(c.total, 'comparison.total') }
        : { ...c, buckets: sub(c.buckets, 'comparison.buckets') };
  const successCondition = condition(metric.successCondition, 'successCondition');
  const failureCondition = condition(metric.failureCondition, 'failureCondition');
  if (!ok) return undefined;
  return {
    ...metric,
    provider,
    ...(query !== undefined ? { query } : {}),
    ...(comparison !== undefined ? { comparison } : {}),
    ...(successCondition !== undefined ? { successCondition } : {}),
    ...(failureCondition !== undefined ? { failureCondition } : {}),
  };
}
