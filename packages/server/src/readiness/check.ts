/**
 * A readiness check's verdict: PASS (the checklist line holds), FAIL (it does not: `pitboss readiness` exits 1),
 * WARN (a risk worth a look, or a line that could not be checked with the data at hand, such as a source the
 * server refused).
 */
export type CheckStatus = 'PASS' | 'FAIL' | 'WARN';

export interface CheckResult {
  /** Stable id, kebab-case: what scripts match on (`gitops-lock`, `slo-gates`, …). */
  readonly id: string;
  readonly status: CheckStatus;
  /** One sentence: what was found and, when it is not a PASS, what to do about it. */
  readonly reason: string;
  /** The offending items (flags, rollouts, steps), when there are some. */
  readonly items?: readonly string[];
}

export const pass = (id: string, reason: string): CheckResult => ({ id, status: 'PASS', reason });

export const warn = (id: string, reason: string, items?: readonly string[]): CheckResult => ({
  id,
  status: 'WARN',
  reason,
  ...(items && items.length > 0 ? { items } : {}),
});

export const fail = (id: string, reason: string, items?: readonly string[]): CheckResult => ({
  id,
  status: 'FAIL',
  reason,
  ...(items && items.length > 0 ? { items } : {}),
});

/** `a, b, c and 4 more`: a list short enough for one line. */
export function listOf(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** `PASS gitops-lock: prod is GitOps-locked …` */
export function formatLine(result: CheckResult): string {
  return `${result.status} ${result.id}: ${result.reason}`;
}

export interface ReadinessReport {
  /** No check failed. */
  readonly ok: boolean;
  readonly environment: string;
  readonly counts: Readonly<Record<CheckStatus, number>>;
  readonly checks: readonly CheckResult[];
}

export function report(environment: string, checks: readonly CheckResult[]): ReadinessReport {
  const counts = { PASS: 0, FAIL: 0, WARN: 0 };
  for (const c of checks) counts[c.status]++;
  return { ok: counts.FAIL === 0, environment, counts, checks };
}
