import type { FlagValue } from '../model/flag.js';

/**
 * Why a flag has its value; the closed set of OpenFeature's resolution reasons that a local evaluator can give
 * (flagd `core/pkg/model/reason.go`), plus `KILL_SWITCH` and `PREREQUISITE_FAILED`.
 * - `DISABLED`: the flag is off in this environment; `KILL_SWITCH`: its kill switch is on.
 * - `TARGETING_MATCH`: a rule matched and served its variant to every matching unit.
 * - `SPLIT`: a rule matched and sticky bucketing chose the variant (a rollout below 100 % or a split).
 * - `DEFAULT`: no rule decided. `PREREQUISITE_FAILED`: a prerequisite flag had another variant.
 * - `ERROR`: see `errorCode`.
 */
export type Reason =
  | 'DISABLED'
  | 'KILL_SWITCH'
  | 'TARGETING_MATCH'
  | 'SPLIT'
  | 'DEFAULT'
  | 'PREREQUISITE_FAILED'
  | 'ERROR';
export const REASONS: readonly Reason[] = [
  'DISABLED',
  'KILL_SWITCH',
  'TARGETING_MATCH',
  'SPLIT',
  'DEFAULT',
  'PREREQUISITE_FAILED',
  'ERROR',
];

/**
 * OpenFeature's error codes, plus `ENVIRONMENT_NOT_FOUND` (maps to OpenFeature `GENERAL`).
 * - `FLAG_NOT_FOUND`: no flag with this key. `PARSE_ERROR`: the flag's config has errors, so it cannot be served.
 * - `TYPE_MISMATCH`: the caller asked for a type the flag does not have. `INVALID_CONTEXT`: the context is not an
 *   object. `GENERAL`: anything unexpected (a context getter that throws).
 */
export type ErrorCode =
  | 'FLAG_NOT_FOUND'
  | 'PARSE_ERROR'
  | 'TYPE_MISMATCH'
  | 'INVALID_CONTEXT'
  | 'ENVIRONMENT_NOT_FOUND'
  | 'GENERAL';

export interface EvaluationResult<T extends FlagValue | undefined = FlagValue | undefined> {
  /** The served value; undefined only with `reason: 'ERROR'`. */
  readonly value: T;
  readonly variant: string | undefined;
  readonly reason: Reason;
  /** Index of the deciding rule in the environment's rules, for TARGETING_MATCH and SPLIT. */
  readonly ruleIndex?: number;
  readonly errorCode?: ErrorCode;
  readonly errorMessage?: string;
}

/**
 * Results are built when a config compiles, one per possible outcome, frozen and shared: evaluating returns
 * one of them and allocates nothing. Do not mutate them (they are frozen, so attempts fail in strict mode).
 */
export function outcome(
  value: FlagValue,
  variant: string,
  reason: Reason,
  ruleIndex?: number,
): EvaluationResult {
  return Object.freeze(
    ruleIndex === undefined ? { value, variant, reason } : { value, variant, reason, ruleIndex },
  );
}

export function failure(errorCode: ErrorCode, errorMessage: string): EvaluationResult<undefined> {
  return Object.freeze({ value: undefined, variant: undefined, reason: 'ERROR', errorCode, errorMessage });
}
