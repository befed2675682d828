import type { RuleFunction } from '../types.js';

/**
 * `startsWith(text, prefix)`: true when both are strings and `text` begins with `prefix`.
 *
 * @example rule `startsWith(user.email, 'qa+')`, context `{ user: { email: 'qa+1@casino.test' } }` → true
 */
export const startsWith: RuleFunction = {
  name: 'startsWith',
  params: [{ name: 'text' }, { name: 'prefix' }],
  returns: 'boolean',
  compile([text, prefix]) {
    return (ctx) => {
      const t = text!(ctx);
      const p = prefix!(ctx);
      return typeof t === 'string' && typeof p === 'string' && t.startsWith(p);
    };
  },
};
