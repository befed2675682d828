import { compileExpression } from '@pitboss/engine';
import { readArgs } from '../analysis/read-analysis-template.js';
import type { AnalysisRef, RolloutStep } from './rollout.js';
import { type FieldRules, KEY, type Path, type SpecReader } from './spec-reader.js';

const STEP_FIELDS: FieldRules = {
  setWeight: 'read',
  pause: 'read',
  analysis: 'read',
  setSegment: 'read',
  setMirror: 'read',
  setFlag: 'read',
  experiment: {
    reject:
      'experiments are not supported: use an analysis step whose template compares baseline and canary (comparison: {test: proportions | latency})',
  },
  setCanaryScale: { reject: 'Pitboss does not scale replicas: setWeight moves traffic' },
  setHeaderRoute: { reject: 'not supported: use setSegment with a rule-language condition on the player' },
  setMirrorRoute: { reject: 'not supported: use setMirror: <percent> to mirror requests to the canary' },
  plugin: { reject: 'step plugins are not supported' },
};

/** Fields of an analysis reference (a step's `analysis`, background analysis, blue-green pre/post). */
export const ANALYSIS_REF_FIELDS: FieldRules = {
  templates: 'read',
  args: 'read',
  dryRun: { reject: 'not supported here: mark the metric dryRun: true in its template' },
  measurementRetention: { ignore: 'Pitboss keeps the last measurements of every metric' },
  analysisRunMetadata: { ignore: 'analysis runs are not Kubernetes objects' },
};

const TEMPLATE_REF_FIELDS: FieldRules = {
  templateName: 'read',
  // One namespace: AnalysisTemplate and ClusterAnalysisTemplate names are looked up alike.
  clusterScope: 'read',
};

const SEGMENT_ENV = {
  clock: Date.now,
  segment: () => undefined,
  // Segments live on the server; whether `segment('x')` exists is checked when the rollout starts.
  segmentStatus: () => 'ok' as const,
};

/** Reads `steps`; every step is a mapping with exactly one action. */
export function readSteps(value: unknown, path: Path, r: SpecReader): RolloutStep[] {
  const steps: RolloutStep[] = [];
  r.array(value, path)?.forEach((raw, i) => {
    const at = [...path, i];
    const fields = r.object(raw, at, STEP_FIELDS);
    if (fields === undefined) return;
    const actions = Object.keys(fields);
    if (Object.keys(raw as object).length === 0)
      r.error(
        at,
        'CONFIG_REQUIRED',
        `step ${i} is empty: write one of ${Object.keys(STEP_FIELDS).slice(0, 6).join(', ')}`,
      );
    if (actions.length > 1) {
      r.error(at, 'CONFIG_TYPE', `a step does one thing; step ${i} has ${actions.join(' and ')}: split it`);
      return;
    }
    const action = actions[0];
    if (action === undefined) return;
    const step = readStep(action, fields[action], [...at, action], r);
    if (step !== undefined) steps.push(step);
  });
  return steps;
}

function readStep(action: string, value: unknown, at: Path, r: SpecReader): RolloutStep | undefined {
  switch (action) {
    case 'setWeight': {
      const weight = r.required(value, at, 'a percent from 0 to 100')
        ? r.number(value, at, 0, 100)
        : undefined;
      return weight === undefined ? undefined : { kind: 'setWeight', weight };
    }
    case 'setMirror': {
      const percent = r.required(value, at, 'a percent from 0 to 100')
        ? r.number(value, at, 0, 100)
        : undefined;
      return percent === undefined ? undefined : { kind: 'setMirror', percent };
    }
    case 'pause': {
      // `pause: {}` and a bare `pause:` both wait for a person.
      if (value === null) return { kind: 'pause' };
      const p = r.object(value, at, { duration: 'read' });
      if (p === undefined) return undefined;
      if (p.duration === undefined) return { kind: 'pause' };
      const durationMs = r.duration(p.duration, [...at, 'duration']);
      return durationMs === undefined ? undefined : { kind: 'pause', durationMs };
    }
    case 'analysis': {
      const ref = readAnalysisRef(value, at, r);
      return ref === undefined
        ? undefined
        : { kind: 'analysis', analysis: { templates: ref.templates, args: ref.args } };
    }
    case 'setSegment': {
      const segment = r.required(value, at, 'a rule-language condition') ? r.string(value, at) : undefined;
      if (segment === undefined) return undefined;
      const { diagnostics } = compileExpression(segment, SEGMENT_ENV);
      r.expression(diagnostics, segment, at);
      return diagnostics.some((d) => d.severity !== 'warning') ? undefined : { kind: 'setSegment', segment };
    }
    case 'setFlag':
      return readSetFlag(value, at, r);
    default:
      return undefined;
  }
}

function readSetFlag(value: unknown, at: Path, r: SpecReader): RolloutStep | undefined {
  const f = r.object(value, at, { flag: 'read', environment: 'read', rollout: 'read' });
  if (f === undefined) return undefined;
  const key = (field: 'flag' | 'environment') => {
    if (!r.required(f[field], [...at, field], `the ${field} key`)) return undefined;
    const s = r.string(f[field], [...at, field]);
    if (s !== undefined && KEY.test(s)) return s;
    if (s !== undefined) r.error([...at, field], 'CONFIG_INVALID_KEY', `'${s}' is not a ${field} key`);
    return undefined;
  };
  const flag = key('flag');
  const environment = key('environment');
  let rollout: number | undefined;
  if (r.required(f.rollout, [...at, 'rollout'], 'the fraction 0–1 of players, as in flag rules')) {
    if (typeof f.rollout === 'number' && f.rollout >= 0 && f.rollout <= 1) rollout = f.rollout;
    else
      r.error(
        [...at, 'rollout'],
        'FLAG_INVALID_ROLLOUT',
        `rollout is a fraction from 0 to 1 as in flag rules (25 % is 0.25), not ${JSON.stringify(f.rollout)}`,
      );
  }
  if (flag === undefined || environment === undefined || rollout === undefined) return undefined;
  return { kind: 'setFlag', flag, environment, rollout };
}

/** `{templates: [{templateName}], args: [{name, value}]}`; a template may also be named by a plain string. */
export function readAnalysisRef(
  value: unknown,
  path: Path,
  r: SpecReader,
  extra: FieldRules = {},
): (AnalysisRef & { fields: Record<string, unknown> }) | undefined {
  const a = r.object(value, path, { ...ANALYSIS_REF_FIELDS, ...extra });
  if (a === undefined) return undefined;
  const templates: string[] = [];
  if (r.required(a.templates, [...path, 'templates'], 'the analysis templates to run')) {
    const list = r.array(a.templates, [...path, 'templates']);
    if (list?.length === 0) r.error([...path, 'templates'], 'CONFIG_REQUIRED', 'name at least one template');
    list?.forEach((raw, i) => {
      const at = [...path, 'templates', i];
      if (typeof raw === 'string') {
        templates.push(raw);
        return;
      }
      const t = r.object(raw, at, TEMPLATE_REF_FIELDS);
      if (t === undefined || !r.required(t.templateName, [...at, 'templateName'], 'the template name'))
        return;
      const name = r.string(t.templateName, [...at, 'templateName']);
      r.boolean(t.clusterScope, [...at, 'clusterScope']);
      if (name !== undefined) templates.push(name);
    });
  }
  const args = readArgs(a.args, [...path, 'args'], r);
  return { templates, args, fields: a };
}
