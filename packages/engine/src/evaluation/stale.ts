import type { Config, FlagKind } from '../model/flag.js';

export interface StaleFlag {
  readonly key: string;
  readonly kind: FlagKind;
  readonly expiresAt: string;
  readonly owner?: string;
  /** Whole days since expiry. */
  readonly daysOverdue: number;
}

/**
 * Flags past their `expiresAt` at `now`: the debt to clean up after a release stabilises.
 *
 * @example staleFlags(config.model, Date.now()).map((f) => f.key) // ['payments_v2']
 */
export function staleFlags(config: Config, now: number): StaleFlag[] {
  const out: StaleFlag[] = [];
  for (const f of config.flags) {
    if (typeof f.expiresAt !== 'string') continue;
    const expired = Date.parse(f.expiresAt);
    if (expired >= now) continue;
    const daysOverdue = Math.floor((now - expired) / 86_400_000);
    out.push({
      key: f.key,
      kind: f.kind,
      expiresAt: f.expiresAt,
      ...(f.owner ? { owner: f.owner } : {}),
      daysOverdue,
    });
  }
  return out.sort((a, b) => b.daysOverdue - a.daysOverdue);
}
