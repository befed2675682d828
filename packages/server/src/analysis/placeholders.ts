/**
 * Placeholders in analysis templates. `{{args.NAME}}` is substituted when a rollout's analysis is resolved
 * (rollouts/resolve-rollout.ts); `{{version}}` and `{{window}}` stay for measurement time (the arm's version, and
 * the time since the run began as a Prometheus duration). Argo Rollouts writes `{{ args.NAME }}` with spaces
 * too, so both are read.
 */

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const ARG = /^args\.([A-Za-z0-9_.-]+)$/;

/** Args every rollout supplies, unless its analysis reference gives another value. */
export const IMPLICIT_ARGS = ['service', 'stable-version', 'canary-version'] as const;

/** Placeholders left for measurement time. */
export const MEASUREMENT_PLACEHOLDERS = ['version', 'window'] as const;

export interface Placeholder {
  /** `args.NAME`, `version`, `window`, or whatever else was written between the braces. */
  readonly name: string;
  /** The NAME of `args.NAME`. */
  readonly arg?: string;
  readonly start: number;
  readonly text: string;
}

export function placeholders(text: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    const arg = ARG.exec(name)?.[1];
    out.push({ name, ...(arg !== undefined ? { arg } : {}), start: m.index, text: m[0] });
  }
  return out;
}

/** Placeholders that are neither `{{args.NAME}}` nor one of `allowed`. */
export function unknownPlaceholders(text: string, allowed: readonly string[]): Placeholder[] {
  return placeholders(text).filter((p) => p.arg === undefined && !allowed.includes(p.name));
}

/**
 * Substitutes `{{args.NAME}}` from `args`; other placeholders are left as written. `missing` lists the names
 * that had no value.
 */
export function substituteArgs(
  text: string,
  args: ReadonlyMap<string, string>,
): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(PLACEHOLDER, (whole, inner: string) => {
    const arg = ARG.exec(inner.trim())?.[1];
    if (arg === undefined) return whole;
    const value = args.get(arg);
    if (value === undefined) {
      if (!missing.includes(arg)) missing.push(arg);
      return whole;
    }
    return value;
  });
  return { text: out, missing };
}
