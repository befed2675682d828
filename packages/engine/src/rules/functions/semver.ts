import { parseSemver } from '../semver.js';
import type { RuleFunction } from '../types.js';

/**
 * `semver('2.3.0')`: a version constant. Comparing an attribute with it compares by SemVer 2.0.0 precedence,
 * so `'10.0.0' > '9.1.0'` holds (as plain strings it would not).
 *
 * @example rule `appVersion >= semver('2.3.0')`, context `{ appVersion: '2.10.1' }` → true
 */
export const semver: RuleFunction = {
  name: 'semver',
  params: [{ name: 'version', literal: 'string' }],
  returns: 'semver',
  check(args, _env, report) {
    const arg = args[0];
    if (arg?.kind !== 'literal' || typeof arg.value !== 'string') return undefined;
    const parsed = parseSemver(arg.value);
    if (parsed === undefined) {
      report({
        code: 'EXPR_INVALID_SEMVER',
        message: `'${arg.value}' is not a semantic version (MAJOR.MINOR.PATCH)`,
        start: arg.start,
        end: arg.end,
      });
    }
    return parsed;
  },
  compile(_args, constant) {
    return () => constant;
  },
};
