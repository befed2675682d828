import type { Flag } from '@pitboss/engine';
import type { AnalysisTemplate } from '../analysis/analysis-template.js';
import type { AuditVerification } from '../audit/audit-verify.js';
import type { StaleFlagReport } from '../flags/stale-flags.js';
import type { Preset } from '../presets/preset.js';
import type { Rollout } from '../rollouts/rollout.js';

/**
 * Something read from the control plane that may be missing: a route the server refused or could not answer. The checks that need it answer WARN "could not check".
 */
export type Fetched<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

export interface EnvironmentInfo {
  readonly key: string;
  readonly gitopsLocked: boolean;
}

/** A rollout as the checks see it: its status, and the Rollout as it was started (the latest revision). */
export interface RolloutInfo {
  readonly name: string;
  readonly revision: number;
  readonly phase: string;
  readonly service: string;
  /** From the rollout's latest `rollout.start` audit entry; undefined when it could not be read. */
  readonly spec?: Rollout;
}

export interface PresetInfo {
  readonly preset: Preset;
  readonly archived: boolean;
}

export interface RunbookFile {
  readonly name: string;
  /** The first `# ` heading, or '' when there is none. */
  readonly title: string;
}

export interface RunbookDir {
  readonly dir: string;
  readonly exists: boolean;
  readonly files: readonly RunbookFile[];
}

/** What the checks consider "payments", "critical" and "protected" (the server's approval options). */
export interface ReadinessPolicy {
  /** The production environment: `prod`. */
  readonly environment: string;
  /** Tags the server protects as `protected: true` (its `protectedTags`, default `['payments']`). */
  readonly protectedTags: readonly string[];
  /** Areas that need an ops (kill-switch) flag when something is released in them. */
  readonly criticalTags: readonly string[];
  /** Services whose rollouts are payments releases, beside names that say so (wallet, psp, deposit…). */
  readonly paymentsServices: readonly string[];
}

export const DEFAULT_POLICY: ReadinessPolicy = {
  environment: 'prod',
  protectedTags: ['payments'],
  criticalTags: ['payments', 'auth', 'game-gateway'],
  paymentsServices: ['wallet', 'payments', 'cashier'],
};

/** Everything `pitboss readiness` reads, fetched once; every check is a pure function of it. */
export interface ReadinessData {
  readonly policy: ReadinessPolicy;
  readonly environments: readonly EnvironmentInfo[];
  /** Live (not archived) flags. */
  readonly flags: readonly Flag[];
  readonly stale: Fetched<StaleFlagReport>;
  /** The newest decision an SDK reported for the production environment, null when there is none. */
  readonly latestDecision: Fetched<{ readonly flag: string; readonly at: string } | null>;
  readonly rollouts: Fetched<readonly RolloutInfo[]>;
  /** Stored analysis templates over the shipped ones, by name: what rollouts resolve against. */
  readonly templates: ReadonlyMap<string, AnalysisTemplate>;
  readonly audit: Fetched<AuditVerification>;
  /** Whether checkpoints are signed (the server has a public key). */
  readonly auditSigned: Fetched<boolean>;
  readonly presets: Fetched<readonly PresetInfo[]>;
  readonly runbooks: RunbookDir;
}
