import type { RuleFunction } from '../types.js';

/**
 * `contains(haystack, needle)`: substring test on strings, membership test on lists.
 *
 * @example rule `contains(user.tags, 'vip')`, context `{ user: { tags: ['vip', 'de'] } }` → true
 * @example rule `contains(userAgent, 'iPhone')`, context `{ userAgent: 'Mozilla/5.0 (iPhone)' }` → true
 */
export const contains: RuleFunction = {
  name: 'contains',
  params: [{ name: 'haystack' }, { name: 'needle' }],
  returns: 'boolean',
  compile([haystack, needle]) {
    return (ctx) => {
      const h = haystack!(ctx);
      const n = needle!(ctx);
      if (typeof h === 'string') return typeof n === 'string' && h.includes(n);
      return Array.isArray(h) && n !== undefined && n !== null && h.includes(n);
    };
  },
};
