import type { Flag } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import { readFlags } from '../config/state.js';
import { PitbossError } from '../errors.js';
import type { Preset } from '../presets/preset.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';

/** How four-eyes approval is configured (AppOptions passes these through). */
export interface ApprovalOptions {
  /** Flags with one of these tags are protected as if `protected: true`. Default `['payments']`. */
  readonly protectedTags?: readonly string[];
  /** Distinct approvers, never the author, a change request needs. Default 1. */
  readonly requiredApprovals?: number;
  /** A pending change request expires after this many hours. Default 72. */
  readonly changeRequestTtlHours?: number;
  /** The time change requests are filed, approved and expire by; tests move it. */
  readonly changeRequestClock?: () => Date;
}

/** The options with defaults applied and checked. */
export interface ApprovalPolicy {
  readonly protectedTags: readonly string[];
  readonly requiredApprovals: number;
  readonly ttlMs: number;
  readonly clock: () => Date;
}

export function approvalPolicy(options: ApprovalOptions = {}): ApprovalPolicy {
  const required = options.requiredApprovals ?? 1;
  const ttlHours = options.changeRequestTtlHours ?? 72;
  if (!Number.isInteger(required) || required < 1)
    throw new PitbossError('BAD_REQUEST', `requiredApprovals must be a whole number ≥ 1, not ${required}`);
  if (!(ttlHours > 0))
    throw new PitbossError('BAD_REQUEST', `changeRequestTtlHours must be > 0, not ${ttlHours}`);
  return {
    protectedTags: options.protectedTags ?? ['payments'],
    requiredApprovals: required,
    ttlMs: ttlHours * 3_600_000,
    clock: options.changeRequestClock ?? (() => new Date()),
  };
}

/** A flag is protected when it says so or carries a protected tag (payments, by default). */
export function isProtectedFlag(
  flag: Pick<Flag, 'protected' | 'tags'> | undefined,
  policy: ApprovalPolicy,
): boolean {
  if (flag === undefined) return false;
  return flag.protected === true || (flag.tags ?? []).some((t) => policy.protectedTags.includes(t));
}

/**
 * A preset is protected when it says so or touches a protected flag: applying it changes those flags, so it
 * needs what a change to them needs.
 */
export async function isProtectedPreset(
  db: Kysely<Schema> | Tx,
  preset: Preset | undefined,
  policy: ApprovalPolicy,
): Promise<boolean> {
  if (preset === undefined) return false;
  if (preset.protected) return true;
  const touched = new Set(Object.keys(preset.states));
  const flags = await readFlags(db);
  return flags.some((f) => touched.has(f.flag.key) && isProtectedFlag(f.flag, policy));
}
