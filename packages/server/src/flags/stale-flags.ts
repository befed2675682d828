import { type EnvironmentConfig, type Flag, type FlagKind, type Rule, staleFlags } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import { readEnvironmentKeys, readFlags, type StoredFlag } from '../config/state.js';
import type { Schema } from '../storage/schema.js';

const DAY_MS = 86_400_000;

/** Why a flag is ripe for removal, with the dates that show it. */
export type StaleReason =
  | { readonly reason: 'expired'; readonly expiresAt: string; readonly daysOverdue: number }
  /** No decision logged for `days`; `lastEvaluatedAt` is null when none was ever logged. */
  | { readonly reason: 'unused'; readonly createdAt: string; readonly lastEvaluatedAt: string | null }
  /** Every environment serves `variant` to everyone, and the flag has not changed since `unchangedSince`. */
  | { readonly reason: 'fully_rolled_out'; readonly variant: string; readonly unchangedSince: string };

export interface StaleFlagItem {
  readonly key: string;
  readonly kind: FlagKind;
  readonly owner?: string;
  readonly reasons: readonly StaleReason[];
}

export interface StaleFlagReport {
  readonly days: number;
  readonly asOf: string;
  readonly flags: readonly StaleFlagItem[];
}

/**
 * Flags to clean up: past their `expiresAt`; not evaluated for `days` (from the decision logs SDKs post);
 * or fully rolled out and untouched for `days`. Only flags older than `days` can be unused or rolled out, so a
 * flag created yesterday is never reported for lack of traffic.
 */
export function findStaleFlags(input: {
  readonly flags: readonly StoredFlag[];
  readonly environments: readonly string[];
  /** Flag key → the newest decision's `at`. */
  readonly lastEvaluated: ReadonlyMap<string, string>;
  readonly now: Date;
  readonly days: number;
}): StaleFlagItem[] {
  const { flags, environments, lastEvaluated, now, days } = input;
  const cutoff = now.getTime() - days * DAY_MS;
  const expired = new Map(
    staleFlags(
      { schemaVersion: 1, environments, segments: [], flags: flags.map((f) => f.flag) },
      now.getTime(),
    ).map((s) => [s.key, s]),
  );
  const out: StaleFlagItem[] = [];
  for (const stored of flags) {
    const { flag } = stored;
    const reasons: StaleReason[] = [];
    const e = expired.get(flag.key);
    if (e) reasons.push({ reason: 'expired', expiresAt: e.expiresAt, daysOverdue: e.daysOverdue });
    if (Date.parse(stored.createdAt) < cutoff) {
      const last = lastEvaluated.get(flag.key);
      if (last === undefined || Date.parse(last) < cutoff)
        reasons.push({ reason: 'unused', createdAt: stored.createdAt, lastEvaluatedAt: last ?? null });
      const variant =
        Date.parse(stored.updatedAt) < cutoff ? servedEverywhere(flag, environments) : undefined;
      if (variant !== undefined)
        reasons.push({ reason: 'fully_rolled_out', variant, unchangedSince: stored.updatedAt });
    }
    if (reasons.length > 0)
      out.push({ key: flag.key, kind: flag.kind, ...(flag.owner ? { owner: flag.owner } : {}), reasons });
  }
  return out;
}

/**
 * The variant every environment serves to everyone, if there is one — for a boolean flag only `on` counts
 * (a flag off everywhere is dead, not rolled out). Units without a stickiness value, which a rollout of 1 does
 * not select, are not considered: the rollout's intent is everyone.
 */
export function servedEverywhere(flag: Flag, environments: readonly string[]): string | undefined {
  let variant: string | undefined;
  for (const env of environments) {
    const config = flag.environments[env];
    const served = config === undefined ? undefined : servedToEveryone(config);
    if (served === undefined || (variant !== undefined && served !== variant)) return undefined;
    variant = served;
  }
  if (variant === undefined) return undefined;
  if (flag.valueType === 'boolean' && flag.variants[variant] !== true) return undefined;
  return variant;
}

/**
 * The only variant an environment can serve, or undefined when it can serve several (or none for sure).
 * Rules are read top-down up to the first one that decides for every unit; every variant any of them may serve
 * counts, and the default does too when no rule decides for everyone.
 */
function servedToEveryone(config: EnvironmentConfig): string | undefined {
  if (!config.enabled || config.killSwitch || config.prerequisites.length > 0) return undefined;
  const served = new Set<string>();
  let decided = false;
  for (const rule of config.rules) {
    for (const v of variantsOf(rule)) served.add(v);
    if (unconditional(rule) && (rule.rollout === undefined || rule.rollout >= 1)) {
      decided = true;
      break;
    }
  }
  if (!decided) served.add(config.defaultVariant);
  return served.size === 1 ? [...served][0] : undefined;
}

function variantsOf(rule: Rule): string[] {
  if (rule.split)
    return Object.entries(rule.split)
      .filter(([, f]) => f > 0)
      .map(([v]) => v);
  if (rule.rollout === 0) return [];
  return [rule.variant ?? 'on'];
}

function unconditional(rule: Rule): boolean {
  return rule.if === undefined || rule.if.trim() === 'true';
}

/** Reads flags, environments and the newest decision of each flag, and reports the stale ones. */
export async function readStaleFlags(
  db: Kysely<Schema>,
  days: number,
  now = new Date(),
): Promise<StaleFlagReport> {
  const [flags, environments, rows] = await Promise.all([
    readFlags(db),
    readEnvironmentKeys(db),
    db
      .selectFrom('decision_logs')
      .select((eb) => ['flag', eb.fn.max('at').as('last')])
      .groupBy('flag')
      .execute(),
  ]);
  const lastEvaluated = new Map(rows.map((r) => [r.flag, String(r.last)]));
  return {
    days,
    asOf: now.toISOString(),
    flags: findStaleFlags({ flags, environments, lastEvaluated, now, days }),
  };
}
