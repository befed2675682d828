import type { EnvironmentConfig, Rule } from '@pitboss/engine';
import type { EnvironmentPatch } from './flag-types.js';

/** How a rule picks its units: everyone, a rule-language condition, or exactly one segment. */
export type MatchMode = 'everyone' | 'condition' | 'segment';
/** What matching units get: a variant to a percentage of them, or a weighted split. */
export type Outcome = 'rollout' | 'split';

/**
 * A rule as the form edits it. Percentages instead of fractions (people think "25 %"), and the original's
 * shorthands remembered (`hadRollout`, `hadVariant`) so saving an untouched rule sends it back unchanged.
 */
export interface RuleDraft {
  /** Stable identity for rendering while rules are reordered. */
  readonly id: number;
  readonly match: MatchMode;
  readonly condition: string;
  readonly segment: string;
  readonly outcome: Outcome;
  readonly variant: string;
  readonly hadVariant: boolean;
  readonly rolloutPct: number;
  readonly hadRollout: boolean;
  /** Variant → percentage. */
  readonly split: Readonly<Record<string, number>>;
  readonly description: string;
}

export interface EnvDraft {
  readonly enabled: boolean;
  readonly defaultVariant: string;
  readonly offVariant: string;
  readonly rules: readonly RuleDraft[];
}

/** `segment('name')` alone: shown as a segment picker instead of a text condition. */
const SEGMENT_ONLY = /^\s*segment\(\s*(?:'([A-Za-z0-9_.-]+)'|"([A-Za-z0-9_.-]+)")\s*\)\s*$/;

/** Fraction → percentage without float noise (0.07 × 100 is 7.000000000000001). */
const toPct = (fraction: number) => Math.round(fraction * 1_000_000) / 10_000;
const toFraction = (pct: number) => Math.round(pct * 10_000) / 1_000_000;

export function toRuleDraft(rule: Rule, id: number, variants: readonly string[]): RuleDraft {
  const segment = rule.if === undefined ? undefined : SEGMENT_ONLY.exec(rule.if);
  return {
    id,
    match: rule.if === undefined || rule.if.trim() === '' ? 'everyone' : segment ? 'segment' : 'condition',
    condition: rule.if ?? '',
    segment: segment ? (segment[1] ?? segment[2] ?? '') : '',
    outcome: rule.split ? 'split' : 'rollout',
    variant: rule.variant ?? defaultOn(variants),
    hadVariant: rule.variant !== undefined,
    rolloutPct: rule.rollout === undefined ? 100 : toPct(rule.rollout),
    hadRollout: rule.rollout !== undefined,
    split: Object.fromEntries(Object.entries(rule.split ?? {}).map(([v, f]) => [v, toPct(f)])),
    description: rule.description ?? '',
  };
}

/** A new rule reaches nobody until its percentage is raised: adding one by mistake changes nothing. */
export function newRuleDraft(id: number, variants: readonly string[]): RuleDraft {
  return {
    ...toRuleDraft({ rollout: 0 }, id, variants),
    match: 'condition',
  };
}

function defaultOn(variants: readonly string[]): string {
  return variants.includes('on') ? 'on' : (variants[0] ?? 'on');
}

export function fromRuleDraft(d: RuleDraft): Rule {
  const rule: Record<string, unknown> = {};
  const condition = conditionOf(d);
  if (condition !== undefined) rule.if = condition;
  if (d.outcome === 'split') {
    rule.split = Object.fromEntries(
      Object.entries(d.split)
        .filter(([, pct]) => pct > 0)
        .map(([v, pct]) => [v, toFraction(pct)]),
    );
  } else {
    if (d.hadRollout || d.rolloutPct !== 100) rule.rollout = toFraction(d.rolloutPct);
    if (d.hadVariant || d.variant !== 'on') rule.variant = d.variant;
  }
  if (d.description.trim() !== '') rule.description = d.description;
  return rule as Rule;
}

function conditionOf(d: RuleDraft): string | undefined {
  if (d.match === 'everyone') return undefined;
  if (d.match === 'condition') return d.condition.trim() === '' ? undefined : d.condition;
  // The text as written (`segment("a")`, spacing) when it still names the picked segment: no spurious change.
  const same = SEGMENT_ONLY.exec(d.condition);
  return same && (same[1] ?? same[2]) === d.segment ? d.condition : `segment('${d.segment}')`;
}

export function toEnvDraft(config: EnvironmentConfig, variants: readonly string[]): EnvDraft {
  return {
    enabled: config.enabled,
    defaultVariant: config.defaultVariant,
    offVariant: config.offVariant,
    rules: config.rules.map((r, i) => toRuleDraft(r, i, variants)),
  };
}

/** What the form can tell before asking the server (expressions are checked separately, by the engine). */
export function ruleProblems(d: RuleDraft): string[] {
  const problems: string[] = [];
  if (d.match === 'segment' && d.segment === '') problems.push('choose a segment');
  if (d.match === 'condition' && d.condition.trim() === '')
    problems.push('write a condition, or match everyone');
  if (d.outcome === 'rollout' && !(d.rolloutPct >= 0 && d.rolloutPct <= 100))
    problems.push('the rollout is a percentage from 0 to 100');
  if (d.outcome === 'split') {
    const sum = Object.values(d.split).reduce((a, b) => a + b, 0);
    if (Object.values(d.split).some((p) => !(p >= 0 && p <= 100))) problems.push('each share is 0 to 100 %');
    else if (Math.abs(sum - 100) > 1e-6)
      problems.push(`the split adds up to ${toPct(sum / 100)} %, not 100 %`);
  }
  return problems;
}

/** Only the fields that changed: a PATCH that says exactly what the person meant to change. */
export function toPatch(original: EnvironmentConfig, draft: EnvDraft): EnvironmentPatch {
  const patch: Record<string, unknown> = {};
  if (draft.enabled !== original.enabled) patch.enabled = draft.enabled;
  if (draft.defaultVariant !== original.defaultVariant) patch.defaultVariant = draft.defaultVariant;
  if (draft.offVariant !== original.offVariant) patch.offVariant = draft.offVariant;
  const rules = draft.rules.map(fromRuleDraft);
  if (canonical(rules) !== canonical(original.rules)) patch.rules = rules;
  return patch as EnvironmentPatch;
}

/** JSON with sorted keys, so key order never counts as a change. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The list with item `index` moved by `delta` places (clamped at the ends). */
export function moveItem<T>(list: readonly T[], index: number, delta: number): T[] {
  const to = Math.min(Math.max(index + delta, 0), list.length - 1);
  const out = [...list];
  const [item] = out.splice(index, 1);
  if (item !== undefined) out.splice(to, 0, item);
  return out;
}
