import { type CheckResult, fail, listOf, pass, warn } from '../check.js';
import { areaOfService, areasOf, isProtected, paymentsReason } from '../payments.js';
import type { ReadinessData } from '../readiness-data.js';

/**
 * Article §5 and §15 "feature flags with kill-switch": every flag can be killed per environment (the kill route
 * passes GitOps locks), so what is checked is the other half — an `ops` flag in each critical area where
 * something is being released (a release flag, or a rollout of that area's service), to switch the area's
 * risky part off without touching the release itself.
 */
export function killSwitches(data: ReadinessData): CheckResult {
  const { flags, policy } = data;
  const released = new Map<string, string[]>();
  const ops = new Map<string, string[]>();
  for (const flag of flags) {
    for (const area of areasOf(flag, policy)) {
      // Release flags and rollouts bring something new and risky into the area; permission and experiment
      // flags gate access and looks, which their own kill switch covers.
      const into = flag.kind === 'ops' ? ops : flag.kind === 'release' ? released : undefined;
      into?.set(area, [...(into.get(area) ?? []), flag.key]);
    }
  }
  if (data.rollouts.ok) {
    for (const r of data.rollouts.value) {
      if (r.phase === 'Healthy' || r.phase === 'Aborted') continue;
      const area = areaOfService(r.service, policy);
      if (area) released.set(area, [...(released.get(area) ?? []), `rollout ${r.name}`]);
    }
  }
  const missing = [...released]
    .filter(([area]) => (ops.get(area) ?? []).length === 0)
    .map(([area, what]) => `${area} (${listOf(what, 3)})`);
  if (missing.length > 0)
    return fail(
      'kill-switches',
      `no ops (kill-switch) flag for ${listOf(missing)}: create a kind: ops flag tagged with the area, ` +
        'so its risky part can be switched off without a deploy',
      missing,
    );
  const covered = [...ops.keys()].filter((a) => released.has(a));
  return pass(
    'kill-switches',
    `every flag can be killed per environment${covered.length > 0 ? `; ops flags cover ${covered.join(', ')}` : ''}`,
  );
}

/** Every flag has an owner: a kill switch nobody answers for is not an incident plan. */
export function flagOwners(data: ReadinessData): CheckResult {
  const orphans = data.flags.filter((f) => !f.owner?.trim()).map((f) => f.key);
  if (orphans.length > 0)
    return fail(
      'flag-owners',
      `${orphans.length} flag(s) without an owner: ${listOf(orphans)}; set owner to the team that answers for it`,
      orphans,
    );
  return pass('flag-owners', `all ${data.flags.length} flag(s) have an owner`);
}

/**
 * Article §13 "four-eye policy for payment services": a flag on the money path (tagged payments, or named like
 * it) must need a second person's approval: `protected: true`, or a tag the server protects.
 */
export function paymentFlagsProtected(data: ReadinessData): CheckResult {
  const payments = data.flags.filter((f) => paymentsReason(f) !== undefined);
  const open = payments
    .filter((f) => !isProtected(f, data.policy))
    .map((f) => `${f.key} (${paymentsReason(f)})`);
  if (open.length > 0)
    return fail(
      'payment-flags-protected',
      `${open.length} payments flag(s) change without a second approver: ${listOf(open)}; ` +
        `set protected: true or tag them ${data.policy.protectedTags.join('/')}`,
      open,
    );
  if (payments.length === 0) return pass('payment-flags-protected', 'no payments flags');
  return pass(
    'payment-flags-protected',
    `all ${payments.length} payments flag(s) need four-eyes approval: ${listOf(payments.map((f) => f.key))}`,
  );
}

/** Article §5 and §16 "eternal flags without TTL": no flag past its `expiresAt`, and release flags have one. */
export function flagTtl(data: ReadinessData): CheckResult {
  if (!data.stale.ok)
    return warn('flag-ttl', `could not read stale flags (GET /api/v1/flags/stale): ${data.stale.error}`);
  const expired = data.stale.value.flags.flatMap((f) =>
    f.reasons.flatMap((r) => (r.reason === 'expired' ? [`${f.key} (${r.daysOverdue} days overdue)`] : [])),
  );
  if (expired.length > 0)
    return fail(
      'flag-ttl',
      `${expired.length} flag(s) past their TTL: ${listOf(expired)}; remove them from the code and archive ` +
        'them, or move expiresAt if they are still needed',
      expired,
    );
  const eternal = data.flags
    .filter((f) => (f.kind === 'release' || f.kind === 'experiment') && f.expiresAt == null)
    .map((f) => f.key);
  if (eternal.length > 0)
    return warn(
      'flag-ttl',
      `${eternal.length} release or experiment flag(s) never expire: ${listOf(eternal)}; give them an expiresAt`,
      eternal,
    );
  return pass('flag-ttl', 'no flag is past its TTL');
}

/** Article §15 "clearing dead flags after release": unused or fully rolled-out flags are debt (a warning). */
export function deadFlags(data: ReadinessData): CheckResult {
  if (!data.stale.ok)
    return warn('dead-flags', `could not read stale flags (GET /api/v1/flags/stale): ${data.stale.error}`);
  const dead = data.stale.value.flags.flatMap((f) => {
    const why = f.reasons.filter((r) => r.reason !== 'expired').map((r) => r.reason.replace(/_/g, ' '));
    return why.length > 0 ? [`${f.key} (${why.join(', ')})`] : [];
  });
  if (dead.length > 0)
    return warn(
      'dead-flags',
      `${dead.length} flag(s) to clean up (window ${data.stale.value.days} days): ${listOf(dead)}; ` +
        'see pitboss flags stale',
      dead,
    );
  return pass('dead-flags', `no unused or fully rolled-out flags (window ${data.stale.value.days} days)`);
}

/**
 * Article §5 and §11 "log the flag decision with trace_id": SDKs post decision logs for the production
 * environment, so a player's decision can be looked up by trace id.
 */
export function decisionLogs(data: ReadinessData): CheckResult {
  const env = data.policy.environment;
  if (!data.latestDecision.ok)
    return warn(
      'decision-logs',
      `could not read decisions (GET /api/v1/decisions): ${data.latestDecision.error}`,
    );
  const latest = data.latestDecision.value;
  if (latest === null) {
    if (data.flags.length === 0) return pass('decision-logs', `no flags yet in ${env}`);
    return fail(
      'decision-logs',
      `no SDK has reported flag decisions for ${env}: turn on decisionLog in the SDKs (docs/sdk.md) so a ` +
        "player's decision can be found by trace id",
    );
  }
  return pass('decision-logs', `SDKs report decisions for ${env} (latest ${latest.at}, flag ${latest.flag})`);
}
