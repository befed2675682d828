import {
  DEFAULT_STICKINESS,
  ENVIRONMENT_FIELDS,
  type EnvironmentConfig,
  type Flag,
  loadConfig,
} from '@pitboss/engine';
import { canonicalJson } from '../audit/canonical-json.js';
import type { Preset } from '../presets/preset.js';
import type { StoredState } from './gitops-store.js';

const ENV_FIELDS = ENVIRONMENT_FIELDS;
type EnvField = (typeof ENV_FIELDS)[number];

/**
 * The stored state as GitOps documents, in apply order: every environment (with its lock written out, so a
 * repository states it), the live segments, the live flags, the live presets. Archived items are left out: with
 * `--prune`, applying the export keeps them archived.
 */
export function exportDocuments(state: StoredState): Record<string, unknown>[] {
  const environments = state.environments.map((e) => e.key);
  return [
    ...state.environments.map((e) => ({
      kind: 'Environment',
      key: e.key,
      ...(e.description === null ? {} : { description: e.description }),
      gitopsLocked: e.gitopsLocked,
    })),
    ...state.segments
      .filter((s) => !s.archived)
      .map(({ segment: s }) => ({
        kind: 'Segment',
        key: s.key,
        if: s.if,
        ...(s.description ? { description: s.description } : {}),
      })),
    ...state.flags.filter((f) => !f.archived).map((f) => flagDocument(f.flag, environments)),
    ...state.presets.filter((p) => !p.archived).map((p) => presetDocument(p.preset)),
  ];
}

/**
 * A preset as a document: its fields as stored, with `protected` and `emergency` left out when false. That is
 * what the presets module reads an absent flag as, and unlike an environment's lock, a document replaces the
 * whole preset, so leaving them out cannot mean "keep the stored value".
 */
export function presetDocument(preset: Preset): Record<string, unknown> {
  return {
    kind: 'Preset',
    key: preset.key,
    ...(preset.description === undefined ? {} : { description: preset.description }),
    ...(preset.protected ? { protected: true } : {}),
    ...(preset.emergency ? { emergency: true } : {}),
    states: preset.states,
  };
}

/**
 * A flag as a document a person would write: fields every environment shares once at the top, overrides per
 * environment, defaults left out. Each candidate is read back with the engine's loader and kept only if it
 * gives exactly the stored model; the fully spelt-out model is the fallback, so the export always round-trips.
 */
export function flagDocument(flag: Flag, environments: readonly string[]): Record<string, unknown> {
  for (const omitDefaults of [true, false]) {
    const doc = compactDocument(flag, environments, omitDefaults);
    if (readsBackAs(doc, flag, environments)) return doc;
  }
  const { kind, key, ...rest } = flag;
  return { kind: 'Flag', key, flagKind: kind, ...rest };
}

function compactDocument(
  flag: Flag,
  environments: readonly string[],
  omitDefaults: boolean,
): Record<string, unknown> {
  const envs = environments.filter((e) => flag.environments[e] !== undefined);
  const variantNames = Object.keys(flag.variants);
  const isBoolean = canonicalJson(flag.variants) === canonicalJson({ on: true, off: false });
  const top: Record<string, unknown> = {};
  const overrides: Record<string, Record<string, unknown>> = {};
  for (const field of ENV_FIELDS) {
    const values = envs.map((e) => (flag.environments[e] as EnvironmentConfig)[field]);
    const shared = mostCommon(values);
    const fallback = defaultOf(field, flag, variantNames, top.defaultVariant);
    if (!(omitDefaults && canonicalJson(shared) === canonicalJson(fallback))) top[field] = shared;
    envs.forEach((e, i) => {
      if (canonicalJson(values[i]) === canonicalJson(shared)) return;
      overrides[e] = { ...overrides[e], [field]: values[i] };
    });
  }
  const keep = (value: unknown, dflt: unknown) =>
    !omitDefaults || canonicalJson(value) !== canonicalJson(dflt);
  return {
    kind: 'Flag',
    key: flag.key,
    flagKind: flag.kind,
    ...(flag.description === undefined ? {} : { description: flag.description }),
    ...(flag.owner === undefined ? {} : { owner: flag.owner }),
    ...(keep(flag.tags, []) ? { tags: flag.tags } : {}),
    ...(keep(flag.protected, false) ? { protected: flag.protected } : {}),
    ...(flag.createdAt === undefined ? {} : { createdAt: flag.createdAt }),
    ...(flag.expiresAt === undefined ? {} : { expiresAt: flag.expiresAt }),
    ...(!omitDefaults || !isBoolean ? { variants: flag.variants } : {}),
    ...(keep(flag.stickiness, DEFAULT_STICKINESS) ? { stickiness: flag.stickiness } : {}),
    ...(keep(flag.salt, flag.key) ? { salt: flag.salt } : {}),
    ...top,
    ...(Object.keys(overrides).length > 0 ? { environments: overrides } : {}),
  };
}

/** What the loader fills in when a field is absent (offVariant follows the flag's default variant). */
function defaultOf(
  field: EnvField,
  flag: Flag,
  variantNames: readonly string[],
  topDefault: unknown,
): unknown {
  const off = 'off' in flag.variants;
  switch (field) {
    case 'enabled':
      return true;
    case 'killSwitch':
      return false;
    case 'rules':
    case 'prerequisites':
      return [];
    case 'defaultVariant':
      return off ? 'off' : variantNames[0];
    case 'offVariant':
      return off ? 'off' : (topDefault ?? variantNames[0]);
  }
}

function mostCommon(values: readonly unknown[]): unknown {
  const counts = new Map<string, { value: unknown; n: number }>();
  for (const v of values) {
    const k = canonicalJson(v);
    const c = counts.get(k) ?? { value: v, n: 0 };
    c.n++;
    counts.set(k, c);
  }
  let best: { value: unknown; n: number } | undefined;
  for (const c of counts.values()) if (best === undefined || c.n > best.n) best = c;
  return best?.value;
}

/**
 * Whether the document loads into `flag`. Only the environments the stored flag defines are compared: a flag
 * created before an environment was added has no entry for it, which no document can express (the loader
 * spells out every environment), so applying the export defines the flag there.
 */
function readsBackAs(doc: Record<string, unknown>, flag: Flag, environments: readonly string[]): boolean {
  const { kind: _document, flagKind, ...rest } = doc;
  // Diagnostics are not consulted: alone, a flag's prerequisites name flags the loader cannot see.
  const back = loadConfig({ environments, flags: [{ ...rest, kind: flagKind }] }).config.flags[0];
  if (back === undefined) return false;
  const own = Object.fromEntries(Object.keys(flag.environments).map((e) => [e, back.environments[e]]));
  return canonicalJson({ ...back, environments: own }) === canonicalJson(flag);
}
