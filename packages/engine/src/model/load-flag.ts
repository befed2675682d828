import { formatPath } from '../diagnostics.js';
import {
  DEFAULT_STICKINESS,
  DEFAULT_TTL_DAYS,
  defaultExpiry,
  ENVIRONMENT_FIELDS,
  type EnvironmentConfig,
  FLAG_KINDS,
  type Flag,
  type FlagKind,
  type FlagValue,
  type Prerequisite,
  type Rule,
  type ValueType,
} from './flag.js';
import { describe, isPlainObject, nearest, type Path, type Reader } from './reader.js';

const ENV_FIELDS = ENVIRONMENT_FIELDS;
const FLAG_FIELDS = [
  'key',
  'kind',
  'description',
  'owner',
  'tags',
  'protected',
  'createdAt',
  'expiresAt',
  'variants',
  'stickiness',
  'salt',
  'valueType',
  'environments',
  ...ENV_FIELDS,
];
/** The seed article writes `feature` and `kill_switch`; its JSON loads verbatim. */
const FLAG_ALIASES = { feature: 'key', kill_switch: 'killSwitch' };
const ENV_ALIASES = { kill_switch: 'killSwitch' };
const RULE_FIELDS = ['if', 'rollout', 'variant', 'split', 'description'];
const BOOLEAN_VARIANTS: Readonly<Record<string, FlagValue>> = Object.freeze({ on: true, off: false });
/** Split fractions must add up to 1 within this tolerance (floating-point sums of decimals). */
const SPLIT_TOLERANCE = 1e-9;

export interface LoadFlagOptions {
  readonly environments: readonly string[];
  /** For expiry warnings. */
  readonly now: number;
}

/**
 * Reads one authored flag into the model. Top-level environment fields (`rules`, `killSwitch`, …) apply to every
 * environment; `environments.<env>` overrides them field by field. Returns undefined when the flag has no usable
 * key; otherwise a flag even if some fields were wrong (those are reported and replaced by defaults).
 */
export function loadFlag(raw: unknown, path: Path, r: Reader, opts: LoadFlagOptions): Flag | undefined {
  // Name the flag in diagnostics about its own fields too (an unknown top-level field, say).
  const named = isPlainObject(raw) ? (raw.key ?? raw.feature) : undefined;
  r.where = typeof named === 'string' ? { flag: named } : {};
  const o = r.object(raw, path, FLAG_FIELDS, FLAG_ALIASES);
  if (o === undefined) return undefined;
  if (o.key === undefined) {
    r.error(path, 'CONFIG_REQUIRED', `${formatPath(path)} needs a 'key' (or 'feature')`);
    return undefined;
  }
  const key = r.key(o.key, [...path, 'key'], 'flag key');
  if (key === undefined) return undefined;
  r.where = { flag: key };
  const kind = readKind(o.kind, [...path, 'kind'], r);
  const { variants, valueType } = readVariants(o.variants, [...path, 'variants'], r);
  const declaredType = r.string(o.valueType, [...path, 'valueType']);
  if (declaredType !== undefined && declaredType !== valueType) {
    r.error(
      [...path, 'valueType'],
      'FLAG_VARIANT_TYPE',
      `valueType is '${declaredType}' but the variants are ${valueType}s`,
    );
  }
  const shared = readEnvironmentFields(o, path, r, variants, undefined);
  const environments: Record<string, EnvironmentConfig> = {};
  const overrides =
    o.environments === undefined
      ? {}
      : r.object(o.environments, [...path, 'environments'], opts.environments);
  for (const env of opts.environments) {
    const envPath = [...path, 'environments', env];
    r.where = { flag: key, environment: env };
    const own =
      overrides?.[env] === undefined ? {} : r.object(overrides[env], envPath, ENV_FIELDS, ENV_ALIASES);
    environments[env] = readEnvironmentFields(own ?? {}, envPath, r, variants, shared);
  }
  r.where = { flag: key };
  const createdAt = r.time(o.createdAt, [...path, 'createdAt']);
  const flag: Flag = {
    key,
    kind,
    ...optional('description', r.string(o.description, [...path, 'description'])),
    ...optional('owner', r.string(o.owner, [...path, 'owner'])),
    tags: readTags(o.tags, [...path, 'tags'], r),
    protected: r.boolean(o.protected, [...path, 'protected']) ?? false,
    ...optional('createdAt', createdAt),
    ...optional('expiresAt', readExpiry(o.expiresAt, kind, createdAt, path, r, opts.now)),
    variants,
    valueType,
    stickiness: readStickiness(o.stickiness, [...path, 'stickiness'], r),
    salt: r.string(o.salt, [...path, 'salt']) ?? key,
    environments,
  };
  r.where = {};
  return flag;
}

function readKind(value: unknown, path: Path, r: Reader): FlagKind {
  const s = r.string(value, path);
  if (s === undefined) return 'release';
  if ((FLAG_KINDS as readonly string[]).includes(s)) return s as FlagKind;
  r.error(path, 'CONFIG_TYPE', `kind must be one of ${FLAG_KINDS.join(', ')}, not '${s}'`);
  return 'release';
}

function readVariants(
  value: unknown,
  path: Path,
  r: Reader,
): { variants: Readonly<Record<string, FlagValue>>; valueType: ValueType } {
  if (value === undefined) return { variants: BOOLEAN_VARIANTS, valueType: 'boolean' };
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    r.error(
      path,
      'CONFIG_TYPE',
      `variants must be an object of name → value with at least one entry, not ${describe(value)}`,
    );
    return { variants: BOOLEAN_VARIANTS, valueType: 'boolean' };
  }
  const variants: Record<string, FlagValue> = {};
  let valueType: ValueType | undefined;
  for (const [name, v] of Object.entries(value)) {
    if (r.key(name, [...path, name], 'variant name') === undefined) continue;
    const t = valueTypeOf(v);
    if (t === undefined) {
      r.error(
        [...path, name],
        'FLAG_VARIANT_TYPE',
        `variant '${name}' must be a boolean, string, number or JSON object/list, not ${describe(v)}`,
      );
      continue;
    }
    if (valueType !== undefined && t !== valueType) {
      r.error(
        [...path, name],
        'FLAG_VARIANT_TYPE',
        `variant '${name}' is a ${t} but earlier variants are ${valueType}s; all variants of a flag share one type`,
      );
      continue;
    }
    valueType = t;
    variants[name] = v as FlagValue;
  }
  return { variants: Object.freeze(variants), valueType: valueType ?? 'boolean' };
}

function valueTypeOf(v: unknown): ValueType | undefined {
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' && Number.isFinite(v)) return 'number';
  if (typeof v === 'object' && v !== null) return 'object';
  return undefined;
}

/** Fields of one environment, falling back to `inherited` (the flag's top-level fields) field by field. */
function readEnvironmentFields(
  o: Record<string, unknown>,
  path: Path,
  r: Reader,
  variants: Readonly<Record<string, FlagValue>>,
  inherited: EnvironmentConfig | undefined,
): EnvironmentConfig {
  const variant = (v: unknown, p: Path): string | undefined => readVariantRef(v, p, r, variants);
  const fallbackDefault = 'off' in variants ? 'off' : Object.keys(variants)[0]!;
  const defaultVariant =
    variant(o.defaultVariant, [...path, 'defaultVariant']) ?? inherited?.defaultVariant ?? fallbackDefault;
  const rules =
    o.rules === undefined ? inherited?.rules : readRules(o.rules, [...path, 'rules'], r, variants);
  const prerequisites =
    o.prerequisites === undefined
      ? inherited?.prerequisites
      : readPrerequisites(o.prerequisites, [...path, 'prerequisites'], r);
  return Object.freeze({
    enabled: r.boolean(o.enabled, [...path, 'enabled']) ?? inherited?.enabled ?? true,
    killSwitch: r.boolean(o.killSwitch, [...path, 'killSwitch']) ?? inherited?.killSwitch ?? false,
    rules: rules ?? [],
    defaultVariant,
    offVariant:
      variant(o.offVariant, [...path, 'offVariant']) ??
      inherited?.offVariant ??
      ('off' in variants ? 'off' : defaultVariant),
    prerequisites: prerequisites ?? [],
  });
}

function readVariantRef(
  value: unknown,
  path: Path,
  r: Reader,
  variants: Readonly<Record<string, FlagValue>>,
): string | undefined {
  const s = r.string(value, path);
  if (s === undefined) return undefined;
  if (s in variants) return s;
  const near = nearest(s, Object.keys(variants));
  r.error(
    path,
    'FLAG_UNKNOWN_VARIANT',
    `unknown variant '${s}'${near ? `; did you mean '${near}'?` : `; variants: ${Object.keys(variants).join(', ')}`}`,
  );
  return undefined;
}

function readRules(
  value: unknown,
  path: Path,
  r: Reader,
  variants: Readonly<Record<string, FlagValue>>,
): Rule[] {
  const list = r.array(value, path) ?? [];
  const rules: Rule[] = [];
  const where = r.where;
  list.forEach((raw, i) => {
    r.where = { ...where, ruleIndex: i };
    const rule = readRule(raw, [...path, i], r, variants);
    if (rule) {
      rules.push(rule);
      r.origins.set(rule, [...path, i]);
    }
  });
  r.where = where;
  return rules;
}

/**
 * A rule with a wrong field is still returned (without that field) so its condition is checked too and every
 * mistake is reported in one pass; the flag has errors either way and will not be served.
 */
function readRule(
  raw: unknown,
  path: Path,
  r: Reader,
  variants: Readonly<Record<string, FlagValue>>,
): Rule | undefined {
  const o = r.object(raw, path, RULE_FIELDS);
  if (o === undefined) return undefined;
  let rollout = r.number(o.rollout, [...path, 'rollout']);
  if (rollout !== undefined && (rollout < 0 || rollout > 1)) {
    r.error(
      [...path, 'rollout'],
      'FLAG_INVALID_ROLLOUT',
      `rollout must be a fraction from 0 to 1, not ${rollout} (25 % is 0.25)`,
    );
    rollout = undefined;
  }
  const variant = readVariantRef(o.variant, [...path, 'variant'], r, variants);
  const split = o.split === undefined ? undefined : readSplit(o.split, [...path, 'split'], r, variants);
  if (o.split !== undefined && (o.rollout !== undefined || o.variant !== undefined)) {
    r.error(path, 'FLAG_RULE_CONFLICT', `a rule has either 'split' or 'rollout'/'variant', not both`);
  } else if (o.split === undefined && o.variant === undefined && !('on' in variants)) {
    r.error(
      path,
      'FLAG_RULE_CONFLICT',
      `this flag has no 'on' variant, so the rule must name a 'variant' or a 'split'`,
    );
  }
  return Object.freeze({
    ...optional('if', r.string(o.if, [...path, 'if'])),
    ...optional('rollout', rollout),
    ...optional('variant', variant),
    ...optional('split', split),
    ...optional('description', r.string(o.description, [...path, 'description'])),
  });
}

function readSplit(
  value: unknown,
  path: Path,
  r: Reader,
  variants: Readonly<Record<string, FlagValue>>,
): Record<string, number> | undefined {
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    r.error(
      path,
      'FLAG_INVALID_SPLIT',
      `split must map variants to fractions, e.g. {control: 0.5, treatment: 0.5}`,
    );
    return undefined;
  }
  let sum = 0;
  let ok = true;
  for (const [name, w] of Object.entries(value)) {
    if (readVariantRef(name, [...path, name], r, variants) === undefined) ok = false;
    if (typeof w !== 'number' || !(w >= 0 && w <= 1)) {
      r.error(
        [...path, name],
        'FLAG_INVALID_SPLIT',
        `split weight of '${name}' must be a fraction from 0 to 1, not ${describe(w)}`,
      );
      ok = false;
    } else {
      sum += w;
    }
  }
  if (ok && Math.abs(sum - 1) > SPLIT_TOLERANCE) {
    r.error(path, 'FLAG_INVALID_SPLIT', `split fractions must add up to 1, they add up to ${sum}`);
    ok = false;
  }
  return ok ? Object.freeze({ ...(value as Record<string, number>) }) : undefined;
}

function readPrerequisites(value: unknown, path: Path, r: Reader): Prerequisite[] {
  const list = r.array(value, path) ?? [];
  const out: Prerequisite[] = [];
  list.forEach((raw, i) => {
    const o = r.object(raw, [...path, i], ['flag', 'variant']);
    if (o === undefined) return;
    const flag = r.key(o.flag, [...path, i, 'flag'], 'prerequisite flag');
    const variant = r.string(o.variant, [...path, i, 'variant']) ?? 'on';
    if (flag !== undefined) {
      const prerequisite = Object.freeze({ flag, variant });
      r.origins.set(prerequisite, [...path, i]);
      out.push(prerequisite);
    } else if (o.flag === undefined)
      r.error([...path, i], 'CONFIG_REQUIRED', `a prerequisite needs a 'flag'`);
  });
  return out;
}

function readTags(value: unknown, path: Path, r: Reader): readonly string[] {
  const list = r.array(value, path) ?? [];
  return Object.freeze(
    list.map((t, i) => r.string(t, [...path, i])).filter((t): t is string => t !== undefined),
  );
}

function readStickiness(value: unknown, path: Path, r: Reader): string {
  const s = r.string(value, path);
  if (s === undefined) return DEFAULT_STICKINESS;
  if (!/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(s)) {
    r.error(path, 'CONFIG_TYPE', `stickiness must be an attribute path such as 'user.id', not '${s}'`);
    return DEFAULT_STICKINESS;
  }
  return s;
}

function readExpiry(
  value: unknown,
  kind: FlagKind,
  createdAt: string | undefined,
  path: Path,
  r: Reader,
  now: number,
): string | null | undefined {
  if (value === null) return null;
  const expiresAt =
    r.time(value, [...path, 'expiresAt']) ??
    (createdAt && value === undefined ? defaultExpiry(kind, createdAt) : undefined);
  if (expiresAt === undefined && value === undefined && (kind === 'release' || kind === 'experiment')) {
    r.warn(
      path,
      'FLAG_TTL_MISSING',
      `${kind} flags need an expiresAt (or a createdAt to default it ${DEFAULT_TTL_DAYS[kind]} days on), so stale flags can be found`,
    );
  }
  if (typeof expiresAt === 'string' && Date.parse(expiresAt) < now) {
    r.warn(
      [...path, 'expiresAt'],
      'FLAG_EXPIRED',
      `flag expired on ${expiresAt}: finish the rollout and remove it, or extend its expiresAt`,
    );
  }
  return expiresAt;
}

/** Spreads `{ [key]: value }` only when value is defined, keeping absent fields absent. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
