import type { RuleFunction } from '../types.js';

/**
 * `now()`: the evaluation time. Compared with an ISO 8601 string literal (checked when the rule compiles), an
 * attribute holding an ISO 8601 string, or a number of epoch milliseconds.
 *
 * @example rule `now() >= '2026-12-01T00:00:00Z'`, evaluated on 2026-12-24 → true
 */
export const now: RuleFunction = {
  name: 'now',
  params: [],
  returns: 'time',
  compile(_args, _constant, env) {
    const clock = env.clock;
    return () => clock();
  },
};
