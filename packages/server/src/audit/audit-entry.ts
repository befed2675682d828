import { createHash } from 'node:crypto';
import type { AuditTable } from '../storage/schema.js';
import { canonicalJson } from './canonical-json.js';

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
 * The canonical bytes of an entry: UTF-8 of the canonical JSON (keys sorted, no whitespace) of every field but
 * `hash` — `{"action","actor","after","at","before","prevHash","reason","resource","seq","traceId"}`. They are
 * what `hash` is the SHA-256 of, and the leaf of the Merkle tree (docs/audit.md), so one serialisation serves
 * both and a verifier reproduces one by reproducing the other.
 */
export function entryBytes(entry: Omit<AuditEntry, 'hash'>): Buffer {
  const { seq, at, actor, action, resource, before, after, reason, traceId, prevHash } = entry;
  return Buffer.from(
    canonicalJson({ seq, at, actor, action, resource, before, after, reason, traceId, prevHash }),
    'utf8',
  );
}

/**
 * The hash of an entry: SHA-256 over its canonical bytes. Chaining `prevHash` makes any edit, insertion or
 * removal break every later hash; `pitboss audit verify` recomputes them.
 */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(entryBytes(entry)).digest('hex');
}

export function toRow(e: AuditEntry): AuditTable {
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

/** An entry as stored, read back. Throws a SyntaxError when `before` or `after` is not JSON (see `parseRow`). */
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

/** `fromRow` that returns what is wrong instead of throwing: a stored row may have been edited by hand. */
export function parseRow(row: AuditTable): { entry: AuditEntry } | { error: string } {
  try {
    return { entry: fromRow(row) };
  } catch {
    const field = isJson(row.before) ? 'after' : 'before';
    return { error: `its ${field} is not valid JSON` };
  }
}

function isJson(text: string | null): boolean {
  try {
    if (text !== null) JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
