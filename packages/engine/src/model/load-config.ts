import { type Diagnostic, type DocumentPath, formatPath } from '../diagnostics.js';
import { type Config, DEFAULT_ENVIRONMENTS, type Flag, type Segment } from './flag.js';
import { loadFlag } from './load-flag.js';
import { isPlainObject, nearest, type Path, Reader } from './reader.js';

const CONFIG_FIELDS = ['schemaVersion', 'environments', 'segments', 'flags'];

export interface LoadOptions {
  /** Milliseconds since the epoch, for expiry warnings; defaults to now. */
  readonly now?: number;
}

export interface LoadResult {
  readonly config: Config;
  readonly diagnostics: readonly Diagnostic[];
  /** Document path of each rule and segment object, for diagnostics of later stages. */
  readonly origins: WeakMap<object, Path>;
  /** Maps an origin path to the document's own path (a bare flag's paths have no `flags[0]` prefix). */
  readonly rebase: (path: DocumentPath) => DocumentPath;
}

/**
 * Reads an authored document into the flag model, reporting every problem with its path. Accepts:
 * - a config `{ schemaVersion?, environments?, segments?, flags? }` (flags and segments as a list or a map by key);
 * - a single flag, such as the seed article's `{"feature": "payments_v2", "rules": [...], "kill_switch": false}`;
 * - a list of flags.
 * Loading a loaded config again gives the same config. Never throws.
 */
export function loadConfig(input: unknown, options: LoadOptions = {}): LoadResult {
  const { doc, rebase } = normaliseShape(input);
  const r = new Reader(rebase);
  const now = options.now ?? Date.now();
  const o = r.object(doc, [], CONFIG_FIELDS) ?? {};
  if (o.schemaVersion !== undefined && o.schemaVersion !== 1) {
    r.error(
      ['schemaVersion'],
      'CONFIG_TYPE',
      `schemaVersion must be 1, not ${JSON.stringify(o.schemaVersion)}`,
    );
  }
  const environments = readEnvironments(o.environments, r);
  const segments = readSegments(o.segments, r);
  const flags = readFlags(o.flags, r, environments, now);
  checkPrerequisites(flags, environments, r);
  const config: Config = Object.freeze({ schemaVersion: 1, environments, segments, flags });
  return { config, diagnostics: r.diagnostics, origins: r.origins, rebase };
}

/** A bare flag or a bare list of flags becomes a config holding them. */
function normaliseShape(input: unknown): { doc: unknown; rebase: (path: DocumentPath) => DocumentPath } {
  if (Array.isArray(input)) {
    return { doc: { flags: input }, rebase: (p) => (p[0] === 'flags' ? p.slice(1) : p) };
  }
  if (isPlainObject(input) && !('flags' in input) && ('feature' in input || 'key' in input)) {
    return { doc: { flags: [input] }, rebase: (p) => (p[0] === 'flags' && p[1] === 0 ? p.slice(2) : p) };
  }
  return { doc: input, rebase: (p) => p };
}

function readEnvironments(value: unknown, r: Reader): readonly string[] {
  if (value === undefined) return DEFAULT_ENVIRONMENTS;
  const list = r.array(value, ['environments']);
  if (list === undefined || list.length === 0) {
    if (list) r.error(['environments'], 'CONFIG_REQUIRED', 'environments must list at least one environment');
    return DEFAULT_ENVIRONMENTS;
  }
  const out: string[] = [];
  list.forEach((e, i) => {
    const key = r.key(e, ['environments', i], 'environment');
    if (key === undefined) return;
    if (out.includes(key))
      r.error(['environments', i], 'CONFIG_DUPLICATE_KEY', `environment '${key}' is listed twice`);
    else out.push(key);
  });
  return Object.freeze(out);
}

/** Entries of a list-or-map collection as [path, raw object with its key filled in]. */
function entries(value: unknown, field: string, r: Reader): [Path, unknown][] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map((v, i) => [[field, i], v]);
  if (isPlainObject(value)) {
    return Object.entries(value).map(([k, v]): [Path, unknown] => {
      if (typeof v === 'string' && field === 'segments') return [[field, k], { key: k, if: v }];
      if (!isPlainObject(v)) return [[field, k], v];
      // In a map the map key is the key; an inner `key` may repeat it but not rename the entry.
      if ('key' in v && v.key !== k) {
        r.error(
          [field, k, 'key'],
          'CONFIG_INVALID_KEY',
          `key ${JSON.stringify(v.key)} differs from its map key '${k}'`,
        );
      }
      return [[field, k], { ...v, key: k }];
    });
  }
  r.error([field], 'CONFIG_TYPE', `${field} must be a list or an object keyed by name`);
  return [];
}

function readSegments(value: unknown, r: Reader): readonly Segment[] {
  const out: Segment[] = [];
  for (const [path, raw] of entries(value, 'segments', r)) {
    const o = r.object(raw, path, ['key', 'if', 'description']);
    if (o === undefined) continue;
    if (o.key === undefined) r.error(path, 'CONFIG_REQUIRED', `${formatPath(path)} needs a 'key'`);
    const key = r.key(o.key, [...path, 'key'], 'segment key');
    const condition = r.string(o.if, [...path, 'if']);
    if (o.if === undefined) r.error(path, 'CONFIG_REQUIRED', `segment needs an 'if' expression`);
    if (key === undefined || condition === undefined) continue;
    if (out.some((s) => s.key === key)) {
      r.error(path, 'CONFIG_DUPLICATE_KEY', `segment '${key}' is defined twice`);
      continue;
    }
    const description = r.string(o.description, [...path, 'description']);
    const segment: Segment = Object.freeze(
      description === undefined ? { key, if: condition } : { key, if: condition, description },
    );
    r.origins.set(segment, path);
    out.push(segment);
  }
  return Object.freeze(out);
}

function readFlags(value: unknown, r: Reader, environments: readonly string[], now: number): readonly Flag[] {
  const out: Flag[] = [];
  for (const [path, raw] of entries(value, 'flags', r)) {
    const flag = loadFlag(raw, path, r, { environments, now });
    if (flag === undefined) continue;
    if (out.some((f) => f.key === flag.key)) {
      r.error(path, 'CONFIG_DUPLICATE_KEY', `flag '${flag.key}' is defined twice`, { flag: flag.key });
      continue;
    }
    r.origins.set(flag, path);
    out.push(flag);
  }
  return Object.freeze(out);
}

/**
 * Prerequisites must name existing flags and variants and must not form a cycle (which would never resolve).
 * Prerequisites written once at the flag's top level are shared by its environments and reported once.
 */
function checkPrerequisites(flags: readonly Flag[], environments: readonly string[], r: Reader): void {
  const byKey = new Map(flags.map((f) => [f.key, f]));
  const seen = new Set<object>();
  for (const flag of flags) {
    const base = r.origins.get(flag) ?? [];
    for (const env of environments) {
      const list = flag.environments[env]!.prerequisites;
      list.forEach((p, i) => {
        if (seen.has(p)) return;
        seen.add(p);
        const path = r.origins.get(p) ?? [...base, 'environments', env, 'prerequisites', i];
        const where = { flag: flag.key, ...(path.includes('environments') ? { environment: env } : {}) };
        const target = byKey.get(p.flag);
        if (target === undefined) {
          const near = nearest(p.flag, [...byKey.keys()]);
          const hint = near ? `; did you mean '${near}'?` : '';
          r.error(
            path,
            'FLAG_UNKNOWN_PREREQUISITE',
            `prerequisite flag '${p.flag}' does not exist${hint}`,
            where,
          );
        } else if (!(p.variant in target.variants)) {
          r.error(
            path,
            'FLAG_UNKNOWN_VARIANT',
            `prerequisite flag '${p.flag}' has no variant '${p.variant}'`,
            where,
          );
        }
      });
      const cycle = list.length > 0 && !seen.has(list) ? findCycle(flag.key, env, byKey) : undefined;
      seen.add(list);
      if (cycle) {
        const path = (r.origins.get(list[0]!) ?? [...base, 'environments', env, 'prerequisites', 0]).slice(
          0,
          -1,
        );
        const where = { flag: flag.key, ...(path.includes('environments') ? { environment: env } : {}) };
        r.error(path, 'FLAG_PREREQUISITE_CYCLE', `prerequisites form a cycle: ${cycle.join(' → ')}`, where);
      }
    }
  }
}

function findCycle(start: string, env: string, byKey: Map<string, Flag>): string[] | undefined {
  const walk = (key: string, trail: string[]): string[] | undefined => {
    for (const p of byKey.get(key)?.environments[env]?.prerequisites ?? []) {
      if (p.flag === start) return [...trail, p.flag];
      if (trail.includes(p.flag)) continue;
      const found = walk(p.flag, [...trail, p.flag]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}
