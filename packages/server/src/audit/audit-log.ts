import type { Tx } from '../storage/database.js';
import { takeDueCheckpoints } from './audit-checkpoints.js';
import { type AuditEntry, entryHash, GENESIS_HASH, toRow } from './audit-entry.js';

export { type AuditEntry, entryHash, fromRow, GENESIS_HASH } from './audit-entry.js';

/** What changed: `action` like `flag.create`, `flag.kill_switch`; `resource` like `flag:payments_v2`. */
export interface AuditInput {
  readonly action: string;
  readonly resource: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Who changed it and why; the same for every audit entry of one mutation. */
export interface AuditContext {
  readonly actor: string;
  readonly reason?: string;
  readonly traceId?: string;
}

/**
 * Appends entries in the caller's transaction, which must hold the write lock (`Database.write`): the audit
 * entry commits with the change it records, or neither does. Checkpoints due at multiples of the interval
 * (audit-checkpoints.ts) are taken in the same transaction.
 */
export async function appendAudit(
  tx: Tx,
  ctx: AuditContext,
  inputs: readonly AuditInput[],
  now = new Date(),
): Promise<AuditEntry[]> {
  const last = await tx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const first = Number(last?.seq ?? 0);
  let seq = first;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const at = now.toISOString();
  const entries: AuditEntry[] = [];
  for (const input of inputs) {
    seq++;
    const unhashed = {
      seq,
      at,
      actor: ctx.actor,
      action: input.action,
      resource: input.resource,
      before: input.before ?? null,
      after: input.after ?? null,
      reason: ctx.reason ?? null,
      traceId: ctx.traceId ?? null,
      prevHash,
    };
    const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
    entries.push(entry);
    prevHash = entry.hash;
  }
  if (entries.length > 0) {
    await tx.insertInto('audit_log').values(entries.map(toRow)).execute();
    await takeDueCheckpoints(tx, first, seq, now);
  }
  return entries;
}
