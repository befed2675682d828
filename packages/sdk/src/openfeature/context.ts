import type { EvaluationContext } from '@openfeature/core';

/** Where OpenFeature's `targetingKey` goes by default: the engine's default stickiness attribute. */
export const DEFAULT_TARGETING_KEY_ATTRIBUTE = 'user.id';

// The rule language refuses these segments in attribute paths; writing through them would reach prototypes.
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Splits and checks a dotted attribute path once, when a provider is built, so a typo fails loudly at start-up
 * rather than silently never matching a rollout.
 *
 * @example parseAttributePath('user.id') // ['user', 'id']
 */
export function parseAttributePath(path: string): readonly string[] {
  const segments = path.split('.');
  if (segments.some((s) => s === '' || FORBIDDEN_SEGMENTS.has(s))) {
    throw new TypeError(
      `invalid targeting key attribute '${path}': expected a dotted path such as 'user.id'`,
    );
  }
  return segments;
}

/**
 * The Pitboss context for an OpenFeature evaluation context. OpenFeature names the evaluated unit
 * `targetingKey`; Pitboss buckets on a flag's stickiness attribute (`user.id` by default), so the targeting key is
 * copied there. An attribute the caller already set wins: the provider only fills a gap, it never overrides
 * data. `targetingKey` itself stays, so rules may name it. The caller's context is never mutated (OpenFeature
 * freezes it): every object along the path is copied.
 *
 * @example
 * toPitbossContext({ targetingKey: 'p-42', market: 'DE' }, ['user', 'id'])
 * // → { targetingKey: 'p-42', market: 'DE', user: { id: 'p-42' } }
 */
export function toPitbossContext(
  context: EvaluationContext | undefined,
  path: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...context };
  const key = context?.targetingKey;
  if (typeof key !== 'string' || key === '' || path.length === 0) return out;
  let target = out;
  for (const segment of path.slice(0, -1)) {
    const current = target[segment];
    // A scalar in the way means the caller uses this path for something else: leave their data alone.
    if (current !== undefined && !isPlainObject(current)) return out;
    const copy: Record<string, unknown> = { ...(current as Record<string, unknown> | undefined) };
    target[segment] = copy;
    target = copy;
  }
  const last = path[path.length - 1]!;
  if (target[last] === undefined || target[last] === null) target[last] = key;
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
