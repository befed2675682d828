import { type CheckResult, fail, listOf, pass, warn } from '../check.js';
import { touchesPayments } from '../payments.js';
import type { ReadinessData } from '../readiness-data.js';

/**
 * Article §2 and §15 "GitOps is the only way to apply; no manual kubectl apply": the production environment is
 * GitOps-locked, so flag changes reach it only through `pitboss apply` (kill switches and emergency presets excepted).
 */
export function gitopsLock(data: ReadinessData): CheckResult {
  const env = data.policy.environment;
  const found = data.environments.find((e) => e.key === env);
  if (found === undefined)
    return fail(
      'gitops-lock',
      `there is no '${env}' environment (have ${listOf(data.environments.map((e) => e.key))}); ` +
        'pass --environment with the production one',
    );
  if (!found.gitopsLocked)
    return fail(
      'gitops-lock',
      `${env} is not GitOps-locked: anyone with an editor token changes prod flags by hand; set gitopsLocked: ` +
        `true in its Environment document (or PATCH /api/v1/environments/${env})`,
    );
  return pass(
    'gitops-lock',
    `${env} is GitOps-locked: flag changes go through pitboss apply (kill switches excepted)`,
  );
}

/**
 * Article §5 "store presets for accidents (a 'return old payment' button)": an emergency preset, which applies
 * at once and passes the GitOps lock, that changes a payments flag in the production environment.
 */
export function emergencyPresets(data: ReadinessData): CheckResult {
  if (!data.presets.ok) return warn('emergency-presets', `could not read presets: ${data.presets.error}`);
  const env = data.policy.environment;
  const flags = new Map(data.flags.map((f) => [f.key, f]));
  const live = data.presets.value.filter((p) => !p.archived).map((p) => p.preset);
  const emergency = live.filter((p) => p.emergency);
  const payments = emergency.filter((p) =>
    Object.entries(p.states).some(
      ([flag, envs]) => touchesPayments(flags.get(flag) ?? { key: flag }) && envs[env] !== undefined,
    ),
  );
  if (payments.length > 0)
    return pass(
      'emergency-presets',
      `emergency preset(s) for payments in ${env}: ${listOf(payments.map((p) => p.key))}`,
    );
  const paymentsFlags = data.flags.filter((f) => touchesPayments(f));
  if (emergency.length > 0 && paymentsFlags.length === 0)
    return pass('emergency-presets', `emergency preset(s): ${listOf(emergency.map((p) => p.key))}`);
  const have =
    live.length === 0
      ? 'there are no presets'
      : emergency.length === 0
        ? `no preset is emergency: true (${listOf(live.map((p) => p.key))})`
        : `no emergency preset changes a payments flag in ${env}`;
  return fail(
    'emergency-presets',
    `${have}: write an emergency preset such as "return old payment" (kill ` +
      `${paymentsFlags[0]?.key ?? 'the payments release flag'} in ${env}) before the incident (docs/runbooks/switch-psp-with-preset.md)`,
  );
}

/** The runbooks the article's §12 and §15 name: roll a release back, turn a flag off, switch a PSP. */
export const RUNBOOK_TOPICS: readonly { readonly topic: string; readonly pattern: RegExp }[] = [
  { topic: 'roll back a release', pattern: /roll(?:ing)?[\s_-]*back/i },
  { topic: 'turn a flag off', pattern: /kill|flag\b.*\boff|\boff\b.*\bflag/i },
  { topic: 'switch a PSP', pattern: /\bpsp/i },
];

/** Runbooks are present: a Markdown file for each topic, found by its file name or its title. */
export function runbooks(data: ReadinessData): CheckResult {
  const { dir, exists, files } = data.runbooks;
  if (!exists || files.length === 0)
    return fail(
      'runbooks',
      `no runbooks in ${dir}: write how to roll back a release, turn a flag off and switch a PSP ` +
        '(or pass --runbooks <dir>)',
    );
  const text = (f: { name: string; title: string }) => `${f.name.replace(/[-_]/g, ' ')} ${f.title}`;
  const missing = RUNBOOK_TOPICS.filter((t) => !files.some((f) => t.pattern.test(text(f)))).map(
    (t) => t.topic,
  );
  if (missing.length > 0) return fail('runbooks', `${dir} has no runbook to ${listOf(missing)}`, missing);
  return pass(
    'runbooks',
    `${files.length} runbook(s) in ${dir}, covering ${RUNBOOK_TOPICS.map((t) => t.topic).join(', ')}`,
  );
}

/** Article §13 "full traceability, WORM logs": the audit log's hash chain and checkpoints verify. */
export function auditChain(data: ReadinessData): CheckResult {
  if (!data.audit.ok)
    return warn(
      'audit-chain',
      `could not verify the audit log (GET /api/v1/audit/verify): ${data.audit.error}`,
    );
  const v = data.audit.value;
  if (!v.ok) {
    const b = v.firstBroken;
    return fail(
      'audit-chain',
      b
        ? `the audit log is broken at seq ${b.seq}: ${b.problem}: ${b.message}`
        : 'the audit log does not verify',
    );
  }
  return pass('audit-chain', `${v.checked} entries, chain intact, ${v.checkpoints} checkpoint(s) verified`);
}

/** Signed checkpoints let someone outside Pitboss prove later that the log was not rewritten (docs/audit.md). */
export function auditSigned(data: ReadinessData): CheckResult {
  if (!data.auditSigned.ok)
    return warn('audit-signed', `could not read the checkpoint key: ${data.auditSigned.error}`);
  if (!data.auditSigned.value)
    return warn(
      'audit-signed',
      'audit checkpoints are not signed: set PITBOSS_AUDIT_SIGNING_KEY on the server and keep checkpoints ' +
        'outside it (docs/audit.md)',
    );
  return pass('audit-signed', 'audit checkpoints are signed (Ed25519)');
}
