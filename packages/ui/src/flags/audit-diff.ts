/** One changed value inside an audit entry: `environments.prod.rules[0].rollout: 0.25 → 0.5`. */
export interface Change {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

const ABSENT = '—';
const MAX_VALUE = 80;

/**
 * The leaf values that differ between `before` and `after`, by path. Objects are compared key by key and lists
 * of the same length item by item; a list that grew or shrank is shown whole, since "item 3 of 5 → item 3 of 4"
 * says less than the two lists.
 */
export function diffValues(before: unknown, after: unknown, path = ''): Change[] {
  if (sameValue(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => diffValues(before[k], after[k], path === '' ? k : `${path}.${k}`));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => diffValues(b, after[i], `${path}[${i}]`));
  }
  return [{ path: path === '' ? '(value)' : path, before: formatValue(before), after: formatValue(after) }];
}

/** A value in one short line: strings quoted, long JSON cut with an ellipsis. */
export function formatValue(value: unknown): string {
  if (value === undefined) return ABSENT;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

export interface EntrySummary {
  /** "created" / "archived" when the entry has only one side; otherwise undefined. */
  readonly verdict?: string;
  readonly changes: readonly Change[];
  /** Changes beyond `limit` that are not listed. */
  readonly more: number;
}

/** What an audit entry changed, compactly: at most `limit` changes, the rest counted. */
export function summariseEntry(before: unknown, after: unknown, limit = 6): EntrySummary {
  if ((before === null || before === undefined) && after !== null && after !== undefined)
    return { verdict: 'created', changes: [], more: 0 };
  if (after === null || after === undefined) return { verdict: 'archived', changes: [], more: 0 };
  const changes = diffValues(before, after);
  return { changes: changes.slice(0, limit), more: Math.max(0, changes.length - limit) };
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
