import { canonicalJson } from '../audit/canonical-json.js';

/** One changed field: a dotted path into the normalised model and its value before and after. */
export interface Change {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * The fields that differ between two normalised models. Objects are compared field by field; lists (rules,
 * prerequisites, tags) as a whole, because a rule's meaning depends on its position and a list reads best
 * replaced in full. Key order never counts as a change.
 *
 * @example diffValues({a: 1, b: {c: 2}}, {a: 1, b: {c: 3}}) // [{path: 'b.c', before: 2, after: 3}]
 */
export function diffValues(before: unknown, after: unknown, prefix = ''): Change[] {
  if (canonicalJson(before) === canonicalJson(after)) return [];
  if (!isObject(before) || !isObject(after)) {
    return [{ path: prefix || '.', ...present('before', before), ...present('after', after) }];
  }
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((k) => diffValues(before[k], after[k], prefix ? `${prefix}.${k}` : k));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function present(name: 'before' | 'after', value: unknown): Record<string, unknown> {
  return value === undefined ? {} : { [name]: value };
}
