import type { Context, EvaluationResult, Explanation } from '@pitboss/engine';

/** Evaluates the chosen flag in the chosen environment for one context, with or without the explanation. */
export interface Evaluator {
  readonly flag: string;
  readonly env: string;
  evaluate(ctx: Context): EvaluationResult;
  explain(ctx: Context): Explanation;
}

/** What `pitboss eval` prints for one context. `value` and `variant` are null (not absent) on errors. */
export interface EvalRecord {
  readonly flag: string;
  readonly env: string;
  readonly value: unknown;
  readonly variant: string | null;
  readonly reason: string;
  readonly ruleIndex?: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** The printed shape of a result: a fixed key order, optional keys only when set. */
export function toRecord(flag: string, env: string, r: EvaluationResult): EvalRecord {
  return {
    flag,
    env,
    value: r.value ?? null,
    variant: r.variant ?? null,
    reason: r.reason,
    ...(r.ruleIndex === undefined ? {} : { ruleIndex: r.ruleIndex }),
    ...(r.errorCode === undefined ? {} : { errorCode: r.errorCode }),
    ...(r.errorMessage === undefined ? {} : { errorMessage: r.errorMessage }),
  };
}

/** The record plus the explanation's stickiness and rule-by-rule trace. */
export function toExplainedRecord(
  flag: string,
  env: string,
  e: Explanation,
): EvalRecord & Omit<Explanation, 'result'> {
  return {
    ...toRecord(flag, env, e.result),
    ...(e.stickiness ? { stickiness: e.stickiness } : {}),
    rules: e.rules,
  };
}

/** Distinct results cached at most; only errors with a per-call message could ever exceed it. */
const MAX_CACHED = 4096;

/**
 * Serialises results as JSON lines. The engine returns one shared frozen object per possible outcome, so the
 * line for each is built once and looked up by identity — stringify per line would cost more than evaluating.
 */
export class RecordSerializer {
  private readonly cache = new Map<EvaluationResult, string>();

  constructor(
    private readonly flag: string,
    private readonly env: string,
  ) {}

  line(result: EvaluationResult): string {
    const hit = this.cache.get(result);
    if (hit !== undefined) return hit;
    const text = JSON.stringify(toRecord(this.flag, this.env, result));
    if (this.cache.size < MAX_CACHED) this.cache.set(result, text);
    return text;
  }
}
