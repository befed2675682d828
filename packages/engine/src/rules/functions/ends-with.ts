import type { RuleFunction } from '../types.js';

/**
 * `endsWith(text, suffix)`: true when both are strings and `text` ends with `suffix`.
 *
 * @example rule `endsWith(user.email, '@pitboss.example')`, context `{ user: { email: 'ana@pitboss.example' } }` → true
 */
export const endsWith: RuleFunction = {
  name: 'endsWith',
  params: [{ name: 'text' }, { name: 'suffix' }],
  returns: 'boolean',
  compile([text, suffix]) {
    return (ctx) => {
      const t = text!(ctx);
      const s = suffix!(ctx);
      return typeof t === 'string' && typeof s === 'string' && t.endsWith(s);
    };
  },
};
