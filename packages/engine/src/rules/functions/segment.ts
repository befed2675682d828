import type { RuleFunction } from '../types.js';

/**
 * `segment('employees')`: true when the context matches the named segment's expression. Segments are reusable
 * conditions declared once in the config (`segments: { employees: "user.isEmployee" }`).
 *
 * @example rule `segment('nordics') && brand == 'X'`, context `{ market: 'SE', brand: 'X' }` → true
 */
export const segment: RuleFunction = {
  name: 'segment',
  params: [{ name: 'name', literal: 'string' }],
  returns: 'boolean',
  check(args, env, report) {
    const arg = args[0];
    if (arg?.kind !== 'literal' || typeof arg.value !== 'string') return undefined;
    const status = env.segmentStatus(arg.value);
    if (status === 'missing') {
      report({
        code: 'EXPR_UNKNOWN_SEGMENT',
        message: `no segment named '${arg.value}'`,
        start: arg.start,
        end: arg.end,
      });
    } else if (status === 'invalid') {
      report({
        code: 'EXPR_UNKNOWN_SEGMENT',
        message: `segment '${arg.value}' has errors, so rules using it cannot be served`,
        start: arg.start,
        end: arg.end,
      });
    } else if (status === 'cycle') {
      report({
        code: 'EXPR_SEGMENT_CYCLE',
        message: `segment '${arg.value}' refers back to itself`,
        start: arg.start,
        end: arg.end,
      });
    }
    return arg.value;
  },
  compile(_args, constant, env) {
    const name = constant as string;
    // Resolved on first use: segments may be declared in any order; cycles are rejected before this runs.
    let pred = env.segment(name);
    const tracer = env.tracer;
    return (ctx) => {
      if (pred === undefined) pred = env.segment(name);
      const matched = pred?.(ctx) === true;
      if (!matched && tracer) tracer.note(`segment '${name}' did not match`);
      return matched;
    };
  },
};
