import type { Flag } from '@pitboss/engine';
import type { Rollout } from '../rollouts/rollout.js';
import type { ReadinessPolicy } from './readiness-data.js';

/** Words that put a flag or a service on the money path: the article's deposit, withdrawal and PSP flows. */
const PAYMENTS_WORDS = /pay|psp|deposit|withdraw|wallet|cashout|cashier|chargeback/i;

/** What `touchesPayments` needs of a flag: a flag the checks only know by key (a preset's state) has no tags. */
export type FlagLike = Pick<Flag, 'key'> & Partial<Pick<Flag, 'tags' | 'kind'>>;

/** Why a flag is on the money path (its `payments` tag, or its key), or undefined when it is not. */
export function paymentsReason(flag: FlagLike): string | undefined {
  if (flag.tags?.includes('payments')) return 'tagged payments';
  if (flag.tags?.some((t) => PAYMENTS_WORDS.test(t))) return 'a payments tag';
  if (PAYMENTS_WORDS.test(flag.key)) return 'its key';
  return undefined;
}

export function touchesPayments(flag: FlagLike): boolean {
  return paymentsReason(flag) !== undefined;
}

/** Whether the server's approval policy protects the flag: `protected: true` or a protected tag. */
export function isProtected(flag: Flag, policy: ReadinessPolicy): boolean {
  return flag.protected || flag.tags.some((t) => policy.protectedTags.includes(t));
}

/** The critical areas (`payments`, `auth`, `game-gateway`) a flag belongs to: by tag, and payments by name. */
export function areasOf(flag: Flag, policy: ReadinessPolicy): string[] {
  return policy.criticalTags.filter(
    (area) => flag.tags.includes(area) || (area === 'payments' && touchesPayments(flag)),
  );
}

/** The critical area a rollout's service belongs to: payments services, or a service named like the area. */
export function areaOfService(service: string, policy: ReadinessPolicy): string | undefined {
  if (policy.criticalTags.includes('payments') && isPaymentsService(service, policy)) return 'payments';
  return policy.criticalTags.find((area) => area !== 'payments' && service === area);
}

export function isPaymentsService(service: string, policy: ReadinessPolicy): boolean {
  return policy.paymentsServices.includes(service) || PAYMENTS_WORDS.test(service);
}

/** A rollout is a payments release when its service is, or when it moves a payments flag (`setFlag`). */
export function isPaymentsRollout(
  service: string,
  spec: Rollout | undefined,
  flags: ReadonlyMap<string, Flag>,
  policy: ReadinessPolicy,
): boolean {
  if (isPaymentsService(service, policy)) return true;
  if (spec?.strategy.kind !== 'canary') return false;
  return spec.strategy.steps.some(
    (s) => s.kind === 'setFlag' && touchesPayments(flags.get(s.flag) ?? { key: s.flag }),
  );
}
