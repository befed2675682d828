import type { CompareOp } from './ast.js';

/**
 * The meaning of every comparison, in one place. Missing values (undefined, null) and values of different
 * types make a comparison false rather than throw: a rule about `market` simply does not match a context
 * without one. `!=` and `not in` are false too when the value is missing (SQL's NULL semantics), so a rule never
 * targets players because of what they lack.
 */
export function compareValues(op: CompareOp, a: unknown, b: unknown): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return false;
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return typeof a === typeof b && a !== b;
    case 'in':
      return Array.isArray(b) && b.includes(a);
    case 'not in':
      return Array.isArray(b) && !b.includes(a);
    default:
      if (
        (typeof a === 'number' && typeof b === 'number') ||
        (typeof a === 'string' && typeof b === 'string')
      ) {
        return orderHolds(op, a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.NaN);
      }
      return false;
  }
}

/** Whether `op` holds for a three-way comparison result (NaN, from NaN operands, never holds). */
export function orderHolds(op: CompareOp, cmp: number): boolean {
  switch (op) {
    case '==':
      return cmp === 0;
    case '!=':
      return cmp !== 0 && !Number.isNaN(cmp);
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    default:
      return false;
  }
}

/** Why a comparison came out false, for `explain`: missing value, type mismatch, or just a different value. */
export function whyFalse(text: string, a: unknown, b: unknown): string {
  if (a === undefined || a === null) return `${text}: left side is missing`;
  if (b === undefined || b === null) return `${text}: right side is missing`;
  if (typeof a !== typeof b && !Array.isArray(b)) {
    return `${text}: type mismatch (${typeName(a)} ${show(a)} vs ${typeName(b)} ${show(b)})`;
  }
  return `${text}: false for ${show(a)}`;
}

function typeName(v: unknown): string {
  return Array.isArray(v) ? 'list' : typeof v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
