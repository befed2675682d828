import { type CheckResult, type ReadinessReport, report } from './check.js';
import {
  deadFlags,
  decisionLogs,
  flagOwners,
  flagTtl,
  killSwitches,
  paymentFlagsProtected,
} from './checks/flag-checks.js';
import {
  auditChain,
  auditSigned,
  emergencyPresets,
  gitopsLock,
  runbooks,
} from './checks/operations-checks.js';
import { hardStops, providerOutage, sloGates } from './checks/rollout-checks.js';
import type { ReadinessData } from './readiness-data.js';

/** A check of the production checklist: a pure function of what was read from the control plane. */
export type Check = (data: ReadinessData) => CheckResult;

/**
 * The seed article's §15 "prod-ready" checklist, in its order, with the lines of §4–§13 that a control plane can
 * see: GitOps, SLO-gated canaries with hard stops, flags with kill switches, owners, decision logs, four-eyes on
 * payments, TTLs, presets, runbooks, and the WORM audit log. (Image signing, OPA policies, migrations and
 * contracts are CI's business: nothing here can see them.)
 */
export const CHECKS: readonly Check[] = [
  gitopsLock,
  sloGates,
  hardStops,
  providerOutage,
  killSwitches,
  flagOwners,
  decisionLogs,
  paymentFlagsProtected,
  flagTtl,
  deadFlags,
  emergencyPresets,
  runbooks,
  auditChain,
  auditSigned,
];

export function runChecks(data: ReadinessData, checks: readonly Check[] = CHECKS): ReadinessReport {
  return report(
    data.policy.environment,
    checks.map((check) => check(data)),
  );
}
