/**
 * The flag model after loading: every default applied, every environment spelt out. Authoring shorthands (the
 * article's flat `{feature, rules, kill_switch}`, top-level rules shared by all environments) exist only in the
 * input; see load-flag.ts and the JSON schema in `schema/pitboss-config.schema.json`.
 */

/** Release: ship a feature gradually. Ops: a kill switch for a costly or fragile path. Experiment: A/B.
 *  Permission: access for markets, VIPs or partners. */
export type FlagKind = 'release' | 'ops' | 'experiment' | 'permission';
export const FLAG_KINDS: readonly FlagKind[] = ['release', 'ops', 'experiment', 'permission'];

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type FlagValue = boolean | string | number | JsonValue[] | { [key: string]: JsonValue };
export type ValueType = 'boolean' | 'string' | 'number' | 'object';

/** A rule: a condition and what units matching it get. Exactly one outcome: `rollout`, `variant` or `split`. */
export interface Rule {
  /** Condition in the rule language; absent means every unit matches. */
  readonly if?: string;
  /**
   * Fraction (0–1) of matching units that get `variant` (boolean flags: `on`), chosen by sticky bucketing.
   * Units not selected fall through to the next rule, so `[DE → 25 %, employees → 100 %]` keeps every
   * employee on.
   */
  readonly rollout?: number;
  /** With `rollout`: the variant served to selected units; alone: every matching unit gets it. */
  readonly variant?: string;
  /** Weighted split of matching units across variants; fractions summing to 1. */
  readonly split?: Readonly<Record<string, number>>;
  readonly description?: string;
}

/** Flag `flag` must evaluate to `variant` in the same environment, or this flag serves its off variant. */
export interface Prerequisite {
  readonly flag: string;
  readonly variant: string;
}

/** The fields of one environment's configuration: the engine's loader, exports and patches share this list. */
export const ENVIRONMENT_FIELDS = [
  'enabled',
  'killSwitch',
  'rules',
  'defaultVariant',
  'offVariant',
  'prerequisites',
] as const satisfies readonly (keyof EnvironmentConfig)[];

export interface EnvironmentConfig {
  readonly enabled: boolean;
  /** Wins over everything: rules, prerequisites, `enabled`. */
  readonly killSwitch: boolean;
  readonly rules: readonly Rule[];
  /** Served when no rule decides. */
  readonly defaultVariant: string;
  /** Served when the flag is disabled, killed or a prerequisite fails. */
  readonly offVariant: string;
  readonly prerequisites: readonly Prerequisite[];
}

export interface Flag {
  readonly key: string;
  readonly kind: FlagKind;
  readonly description?: string;
  readonly owner?: string;
  readonly tags: readonly string[];
  /** Changes need a second approver (enforced by the server). */
  readonly protected: boolean;
  readonly createdAt?: string;
  /** ISO time after which the flag is stale; null: never (permission flags). Undefined: unknown. */
  readonly expiresAt?: string | null;
  readonly variants: Readonly<Record<string, FlagValue>>;
  readonly valueType: ValueType;
  /** Context attribute path whose value keeps a unit in its bucket (default `user.id`). */
  readonly stickiness: string;
  /** Bucketing salt (default: the flag key), so two flags at 10 % pick independent 10 %s. */
  readonly salt: string;
  readonly environments: Readonly<Record<string, EnvironmentConfig>>;
}

export interface Segment {
  readonly key: string;
  readonly if: string;
  readonly description?: string;
}

export interface Config {
  readonly schemaVersion: 1;
  /** In promotion order: dev → stage → canary → prod by default. */
  readonly environments: readonly string[];
  readonly segments: readonly Segment[];
  readonly flags: readonly Flag[];
}

export const DEFAULT_ENVIRONMENTS: readonly string[] = ['dev', 'stage', 'canary', 'prod'];
export const DEFAULT_STICKINESS = 'user.id';

const DAY_MS = 86_400_000;
/** Default time to live by kind: stale release and experiment flags are debt; ops flags are reviewed weekly. */
export const DEFAULT_TTL_DAYS: Readonly<Record<FlagKind, number | null>> = {
  release: 40,
  experiment: 40,
  ops: 7,
  permission: null,
};

/** The default expiry of a flag of `kind` created at `createdAt` (ISO); null when the kind never expires. */
export function defaultExpiry(kind: FlagKind, createdAt: string): string | null {
  const days = DEFAULT_TTL_DAYS[kind];
  if (days === null) return null;
  return new Date(Date.parse(createdAt) + days * DAY_MS).toISOString();
}
