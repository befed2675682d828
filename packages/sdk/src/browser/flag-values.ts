import type { EvaluationDetails } from '../shared/types.js';
import type { RemoteResult } from './remote-evaluation.js';

/**
 * What the browser client answers from its cached remote values. Pure functions: they never throw, whatever the
 * server sent, because a flag lookup sits in render paths where an exception would blank the page.
 */

/**
 * The flag's value when it has the fallback's type, else the fallback: a missing flag, an `ERROR` result
 * (`null` value) and a type mismatch (a string flag read with a boolean fallback) all serve the fallback.
 * Arrays and objects are told apart; a `null` or `undefined` fallback accepts any value.
 *
 * @example
 * typedValue(values.get('checkout_theme'), 'classic'); // 'dark', or 'classic' if the flag is not a string
 */
export function typedValue<T>(result: RemoteResult | undefined, fallback: T): T {
  const value = result?.value;
  if (value === null || value === undefined) return fallback;
  if (fallback === null || fallback === undefined) return value as T;
  if (typeof value !== typeof fallback || Array.isArray(value) !== Array.isArray(fallback)) return fallback;
  return value as T;
}

/**
 * The details of one flag in the shape every Pitboss SDK returns. Before the first values arrive the answer is
 * `ERROR` / `PROVIDER_NOT_READY` (OpenFeature's code), for a flag the server did not send `FLAG_NOT_FOUND`.
 *
 * @example
 * details('payments_v2', values); // { flagKey: 'payments_v2', value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 0 }
 */
export function details(
  flagKey: string,
  values: ReadonlyMap<string, RemoteResult> | undefined,
): EvaluationDetails {
  if (values === undefined) {
    return {
      flagKey,
      value: undefined,
      reason: 'ERROR',
      errorCode: 'PROVIDER_NOT_READY',
      errorMessage: 'no values yet',
    };
  }
  const r = values.get(flagKey);
  if (r === undefined) {
    return {
      flagKey,
      value: undefined,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: `no flag '${flagKey}'`,
    };
  }
  const out: EvaluationDetails = { flagKey, value: r.value ?? undefined, reason: r.reason };
  if (typeof r.variant === 'string') out.variant = r.variant;
  if (typeof r.ruleIndex === 'number') out.ruleIndex = r.ruleIndex;
  if (typeof r.errorCode === 'string') out.errorCode = r.errorCode;
  return out;
}

/**
 * The keys whose value or variant differs between two sets of values, including flags added or removed. A
 * reason alone changing (a rollout widening that keeps this user's variant) is not a change: nothing to re-render.
 *
 * @example
 * changedKeys(before, after); // ['payments_v2']
 */
export function changedKeys(
  before: ReadonlyMap<string, RemoteResult>,
  after: ReadonlyMap<string, RemoteResult>,
): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((key) => {
    const a = before.get(key);
    const b = after.get(key);
    // JSON flags are compared by content: a re-evaluation parses a fresh object every time.
    return a?.variant !== b?.variant || JSON.stringify(a?.value) !== JSON.stringify(b?.value);
  });
}
