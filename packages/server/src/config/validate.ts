import { compile, type Diagnostic, type Flag, type Segment } from '@pitboss/engine';
import { PitbossError } from '../errors.js';

export interface Candidate {
  readonly environments: readonly string[];
  readonly segments: readonly Segment[];
  /** Flags by key: stored ones in the model, the submitted one as the caller wrote it (any accepted form). */
  readonly flags: Readonly<Record<string, Flag | unknown>>;
}

/**
 * Compiles a candidate configuration with the engine and refuses it when the changed items have errors.
 * Diagnostics of other items are ignored: a flag saved before a rule-language change must not block edits of
 * its neighbours. The error's details are the engine's diagnostics, with paths relative to the request body.
 */
export function assertValid(
  candidate: Candidate,
  changed: { flags?: readonly string[]; segments?: readonly string[] },
  bodyPrefix: readonly (string | number)[] = [],
): void {
  const { diagnostics } = compile({
    schemaVersion: 1,
    environments: candidate.environments,
    segments: Object.fromEntries(
      candidate.segments.map((s) => [
        s.key,
        { if: s.if, ...(s.description ? { description: s.description } : {}) },
      ]),
    ),
    flags: Object.fromEntries(Object.entries(candidate.flags).map(([key, flag]) => [key, withoutKey(flag)])),
  });
  const errors = diagnostics.filter((d) => d.severity === 'error' && concerns(d, changed));
  if (errors.length === 0) return;
  const details = errors.map((d) => relativeToBody(d, bodyPrefix));
  const first = details[0]!;
  throw new PitbossError('VALIDATION_FAILED', `${errors.length} error(s); first: ${first.message}`, details);
}

function concerns(
  d: Diagnostic,
  changed: { flags?: readonly string[]; segments?: readonly string[] },
): boolean {
  const [collection, key] = d.path;
  if (collection === 'flags') return changed.flags?.includes(String(key)) ?? false;
  if (collection === 'segments') return changed.segments?.includes(String(key)) ?? false;
  return true;
}

/**
 * `['flags', 'payments_v2', 'rules', 0, 'if']` → `['rules', 0, 'if']`: the path inside the submitted document,
 * less `bodyPrefix` when the body was only part of the flag (a PATCH of one environment).
 */
function relativeToBody(d: Diagnostic, bodyPrefix: readonly (string | number)[]): Diagnostic {
  const path = d.path.slice(2);
  const inBody = bodyPrefix.every((p, i) => path[i] === p);
  return { ...d, path: inBody ? path.slice(bodyPrefix.length) : path };
}

/** In a map of flags the map key is the key; a repeated inner key or `feature` would be redundant. */
function withoutKey(flag: unknown): unknown {
  if (typeof flag !== 'object' || flag === null || Array.isArray(flag)) return flag;
  const { key: _key, feature: _feature, ...rest } = flag as Record<string, unknown>;
  return rest;
}
