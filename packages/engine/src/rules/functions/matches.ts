import { sourceOffset } from '../lexer.js';
import { compileSafeRegex, type SafeRegex } from '../safe-regex.js';
import type { RuleFunction } from '../types.js';

/**
 * `matches(text, 'pattern')` or `matches(text, 'pattern', 'i')`: regular-expression search.
 *
 * The pattern must be a literal so it is compiled once, and it runs on Pitboss's own linear-time matcher
 * (safe-regex.ts): no pattern can backtrack catastrophically on a hostile attribute value (ReDoS).
 *
 * @example rule `matches(user.id, '^test-[0-9]+$')`, context `{ user: { id: 'test-42' } }` → true
 */
export const matches: RuleFunction = {
  name: 'matches',
  params: [
    { name: 'text' },
    { name: 'pattern', literal: 'string' },
    { name: 'flags', literal: 'string', optional: true },
  ],
  returns: 'boolean',
  check(args, _env, report) {
    const pattern = args[1];
    const flags = args[2];
    if (pattern?.kind !== 'literal' || typeof pattern.value !== 'string') return undefined;
    const flagText = flags?.kind === 'literal' && typeof flags.value === 'string' ? flags.value : '';
    const compiled = compileSafeRegex(pattern.value, flagText);
    if (compiled.ok) return compiled.regex;
    const anchor = flagText !== '' && compiled.message.includes('flag') && flags ? flags : pattern;
    const at =
      anchor === pattern
        ? sourceOffset(pattern.start, pattern.raw, Math.max(compiled.offset, 0))
        : anchor.start;
    report({
      code: 'EXPR_INVALID_REGEX',
      message: `invalid pattern: ${compiled.message}`,
      start: at,
      end: at + 1,
    });
    return undefined;
  },
  compile([text], constant) {
    const regex = constant as SafeRegex;
    return (ctx) => {
      const t = text!(ctx);
      return typeof t === 'string' && regex.test(t);
    };
  },
};
