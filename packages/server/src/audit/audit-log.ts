import { createHash } from 'node:crypto';
import type { Tx } from '../storage/database.js';
import type { AuditTable } from '../storage/schema.js';
import { canonicalJson } from './canonical-json.js';

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

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly resource: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly reason: string | null;
  readonly traceId: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of an entry: SHA-256 over the canonical JSON of every field but `hash` itself. Chaining `prevHash`
 * makes any edit, insertion or removal break every later hash; `pitboss audit verify` recomputes them.
 */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, actor, action, resource, before, after, reason, traceId, prevHash } = entry;
  const body = canonicalJson({ seq, at, actor, action, resource, before, after, reason, traceId, prevHash });
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/**
 * Appends entries in the caller's transaction, which must hold the write lock (`Database.write`): the audit
 * entry commits with the change it records, or neither does.
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
  let seq = last?.seq ?? 0;
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
  if (entries.length > 0) await tx.insertInto('audit_log').values(entries.map(toRow)).execute();
  return entries;
}

function toRow(e: AuditEntry): AuditTable {
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    resource: e.resource,
    before: e.before === null ? null : JSON.stringify(e.before),
    after: e.after === null ? null : JSON.stringify(e.after),
    reason: e.reason,
    trace_id: e.traceId,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

/** An entry as stored, read back. */
export function fromRow(row: AuditTable): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    resource: row.resource,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after),
    reason: row.reason,
    traceId: row.trace_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
