import { type Bucketer, bucketer, bucketOf, stickinessText, threshold } from '../bucketing/bucket.js';
import type { EnvironmentConfig, Flag, Rule } from '../model/flag.js';
import { pathGetter } from '../rules/compile-expression.js';
import type { Context, Getter, Predicate } from '../rules/types.js';
import { type EvaluationResult, failure, outcome } from './result.js';

/** Evaluates one flag in one environment. `depth` bounds prerequisite chains. */
export type EnvEvaluator = (ctx: Context, depth: number) => EvaluationResult;
/** One rule: a result when it decides, undefined when the unit falls through to the next rule. */
type RuleStep = (ctx: Context) => EvaluationResult | undefined;

/** Prerequisite chains longer than this are refused; cycles are rejected at load, this guards the rest. */
export const MAX_PREREQUISITE_DEPTH = 16;

export interface FlagCompileEnv {
  /** The compiled condition of a rule (undefined: always matches). */
  predicate(rule: Rule): Predicate | undefined;
  /** Another flag's evaluator in an environment, looked up at evaluation time (flags compile in any order). */
  evaluator(flag: string, env: string): EnvEvaluator | undefined;
}

/** The stickiness attribute and the salt's hash prefix, shared by every rollout and split of a flag. */
export interface Stickiness {
  readonly get: Getter;
  readonly bucketer: Bucketer;
}

export function stickinessOf(flag: Flag): Stickiness {
  return { get: pathGetter(flag.stickiness.split('.')), bucketer: bucketer(flag.salt) };
}

/** Compiles a flag's environment into an evaluator whose every possible result is built in advance. */
export function compileEnvironment(
  flag: Flag,
  env: string,
  config: EnvironmentConfig,
  fenv: FlagCompileEnv,
): EnvEvaluator {
  const off = (reason: 'KILL_SWITCH' | 'DISABLED' | 'PREREQUISITE_FAILED') =>
    outcome(flag.variants[config.offVariant]!, config.offVariant, reason);
  if (config.killSwitch) {
    const killed = off('KILL_SWITCH');
    return () => killed;
  }
  if (!config.enabled) {
    const disabled = off('DISABLED');
    return () => disabled;
  }
  const sticky = stickinessOf(flag);
  const steps = config.rules.map((rule, i) => compileRule(flag, rule, i, fenv.predicate(rule), sticky));
  const fallback = outcome(flag.variants[config.defaultVariant]!, config.defaultVariant, 'DEFAULT');
  const decide = chain(steps, fallback);
  if (config.prerequisites.length === 0) return decide;
  const failed = off('PREREQUISITE_FAILED');
  const tooDeep = failure(
    'GENERAL',
    `prerequisites of '${flag.key}' nest deeper than ${MAX_PREREQUISITE_DEPTH}`,
  );
  const prerequisites = config.prerequisites;
  return (ctx, depth) => {
    if (depth >= MAX_PREREQUISITE_DEPTH) return tooDeep;
    for (let i = 0; i < prerequisites.length; i++) {
      const p = prerequisites[i]!;
      const run = fenv.evaluator(p.flag, env);
      if (run === undefined || run(ctx, depth + 1).variant !== p.variant) return failed;
    }
    return decide(ctx, depth);
  };
}

/** The rule steps in order, then the default. Short lists are unrolled: the common flag has one or two rules. */
function chain(steps: RuleStep[], fallback: EvaluationResult): EnvEvaluator {
  if (steps.length === 0) return () => fallback;
  if (steps.length === 1) {
    const [a] = steps as [RuleStep];
    return (ctx) => a(ctx) ?? fallback;
  }
  if (steps.length === 2) {
    const [a, b] = steps as [RuleStep, RuleStep];
    return (ctx) => a(ctx) ?? b(ctx) ?? fallback;
  }
  return (ctx) => {
    for (let i = 0; i < steps.length; i++) {
      const r = steps[i]!(ctx);
      if (r !== undefined) return r;
    }
    return fallback;
  };
}

function compileRule(
  flag: Flag,
  rule: Rule,
  index: number,
  match: Predicate | undefined,
  sticky: Stickiness,
): RuleStep {
  const matches = match ?? (() => true);
  if (rule.split !== undefined) return splitStep(flag, rule.split, index, matches, sticky);
  const variant = rule.variant ?? 'on';
  const rollout = rule.rollout ?? 1;
  const served = outcome(
    flag.variants[variant]!,
    variant,
    rollout === 1 ? 'TARGETING_MATCH' : 'SPLIT',
    index,
  );
  if (rollout === 1) return (ctx) => (matches(ctx) ? served : undefined);
  if (rollout === 0) return () => undefined;
  const limit = threshold(rollout);
  const { get, bucketer: b } = sticky;
  return (ctx) => {
    if (!matches(ctx)) return undefined;
    const unit = stickinessText(get(ctx));
    return unit !== undefined && bucketOf(b, unit) < limit ? served : undefined;
  };
}

/** A split assigns every matching unit with a stickiness value: variant i owns buckets [edge(i-1), edge(i)). */
function splitStep(
  flag: Flag,
  split: Readonly<Record<string, number>>,
  index: number,
  matches: Predicate,
  sticky: Stickiness,
): RuleStep {
  const names = Object.keys(split);
  const results = names.map((name) => outcome(flag.variants[name]!, name, 'SPLIT', index));
  let sum = 0;
  const edges = names.map((name) => {
    sum += split[name]!;
    return threshold(sum);
  });
  edges[edges.length - 1] = Number.POSITIVE_INFINITY; // rounding never leaves the last buckets unassigned
  const { get, bucketer: b } = sticky;
  return (ctx) => {
    if (!matches(ctx)) return undefined;
    const unit = stickinessText(get(ctx));
    if (unit === undefined) return undefined;
    const bucket = bucketOf(b, unit);
    for (let i = 0; i < edges.length; i++) if (bucket < edges[i]!) return results[i];
    return undefined;
  };
}
