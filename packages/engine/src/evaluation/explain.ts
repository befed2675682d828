import { BUCKET_COUNT, bucketOf, stickinessText, threshold } from '../bucketing/bucket.js';
import type { Flag } from '../model/flag.js';
import { compileExpression } from '../rules/expression.js';
import type { Context, Tracer } from '../rules/types.js';
import { stickinessOf } from './compile-flag.js';
import type { EvaluationResult } from './result.js';
import type { SegmentTable } from './segment-table.js';

export interface RuleTrace {
  readonly index: number;
  readonly if?: string;
  readonly matched: boolean;
  /** Why the condition was false: missing attributes, type mismatches, values that differ. */
  readonly notes: readonly string[];
  /** For rollouts and splits: the unit's bucket (0–999,999) and, for rollouts, the threshold it must be under. */
  readonly bucket?: number;
  readonly threshold?: number;
  /** True for the rule that decided the result. */
  readonly decided: boolean;
}

export interface Explanation {
  /** The same result `evaluate` returns. */
  readonly result: EvaluationResult;
  readonly stickiness?: { readonly attribute: string; readonly value: string | undefined };
  readonly rules: readonly RuleTrace[];
}

/**
 * The slow, talkative twin of evaluation: recompiles the flag's conditions with a tracer. The decision itself is
 * taken from the fast path (`result`), so an explanation can never disagree with what players get.
 */
export function explainFlag(
  flag: Flag,
  env: string,
  ctx: Context,
  result: EvaluationResult,
  segments: SegmentTable,
  clock: () => number,
): Explanation {
  const config = flag.environments[env]!;
  const sticky = stickinessOf(flag);
  const unit = stickinessText(sticky.get(ctx));
  const stickiness = { attribute: flag.stickiness, value: unit };
  if (
    result.reason === 'KILL_SWITCH' ||
    result.reason === 'DISABLED' ||
    result.reason === 'PREREQUISITE_FAILED'
  ) {
    return { result, stickiness, rules: [] };
  }
  const sink: string[] = [];
  const tracer: Tracer = { note: (m) => sink.push(m) };
  const rules = config.rules.map((rule, index): RuleTrace => {
    sink.length = 0;
    const predicate =
      rule.if === undefined
        ? () => true
        : compileExpression(rule.if, { ...segments.env(), clock, tracer }).predicate;
    const matched = predicate?.(ctx) === true;
    const bucketed = rule.split !== undefined || (rule.rollout !== undefined && rule.rollout < 1);
    const trace: RuleTrace = {
      index,
      ...(rule.if === undefined ? {} : { if: rule.if }),
      matched,
      notes: matched ? [] : [...sink],
      decided: result.ruleIndex === index,
    };
    if (!matched || !bucketed) return trace;
    if (unit === undefined)
      return {
        ...trace,
        notes: [`no stickiness value at '${flag.stickiness}': the unit cannot be bucketed`],
      };
    const bucket = bucketOf(sticky.bucketer, unit);
    return rule.rollout !== undefined
      ? { ...trace, bucket, threshold: threshold(rule.rollout) }
      : { ...trace, bucket };
  });
  return { result, stickiness, rules };
}

export { BUCKET_COUNT };
