import type { Kysely } from 'kysely';
import { PitbossError } from '../errors.js';
import type { Schema } from '../storage/schema.js';
import { type AuditEntry, entryBytes, parseRow } from './audit-entry.js';
import { auditRows, lastSeq } from './audit-reader.js';
import { consistencyRanges, inclusionRanges, type LeafRange, leafHash, TreeBuilder } from './merkle.js';

/** Proof that entry `seq` is leaf `seq - 1` of the tree of the first `size` entries (RFC 6962 §2.1.1). */
export interface InclusionProof {
  readonly seq: number;
  readonly size: number;
  readonly leafIndex: number;
  readonly entry: AuditEntry;
  /** SHA-256(0x00 || canonical bytes of the entry), hex. */
  readonly leafHash: string;
  readonly rootHash: string;
  readonly proof: string[];
}

/** Proof that the tree of `to` entries extends the tree of `from` entries (RFC 6962 §2.1.2). */
export interface ConsistencyProof {
  readonly from: number;
  readonly to: number;
  readonly fromRoot: string;
  readonly toRoot: string;
  readonly proof: string[];
}

/**
 * Builds the inclusion proof from the stored entries, in one streamed pass. The roots are computed from the
 * rows as they are now: a verifier compares them with a checkpoint it trusts, which is the point.
 */
export async function proveInclusion(db: Kysely<Schema>, seq: number, size: number): Promise<InclusionProof> {
  if (seq < 1 || seq > size) throw invalid(`seq ${seq} is not among the first ${size} entries`);
  await assertSize(db, size);
  let entry: AuditEntry | undefined;
  const scan = await scanTree(db, size, inclusionRanges(seq - 1, size), [size], (e) => {
    if (e.seq === seq) entry = e;
  });
  return {
    seq,
    size,
    leafIndex: seq - 1,
    entry: entry!,
    leafHash: leafHash(entryBytes(entry!)).toString('hex'),
    rootHash: scan.roots.get(size)!,
    proof: scan.hashes,
  };
}

/** Builds the consistency proof between two sizes from the stored entries, in one streamed pass. */
export async function proveConsistency(
  db: Kysely<Schema>,
  from: number,
  to: number,
): Promise<ConsistencyProof> {
  if (from < 1 || from > to) throw invalid(`from (${from}) must be between 1 and to (${to})`);
  await assertSize(db, to);
  const scan = await scanTree(db, to, consistencyRanges(from, to), [from, to]);
  return { from, to, fromRoot: scan.roots.get(from)!, toRoot: scan.roots.get(to)!, proof: scan.hashes };
}

/**
 * Streams entries 1..size once, feeding each leaf hash to the whole tree and to the one proof range holding it
 * (the ranges are disjoint), so memory is O(log² n) however long the log.
 */
async function scanTree(
  db: Kysely<Schema>,
  size: number,
  ranges: readonly LeafRange[],
  rootsAt: readonly number[],
  onEntry?: (entry: AuditEntry) => void,
): Promise<{ hashes: string[]; roots: Map<number, string> }> {
  const tree = new TreeBuilder();
  const builders = ranges.map(() => new TreeBuilder());
  const order = ranges.map((r, i) => ({ ...r, i })).sort((a, b) => a.start - b.start);
  const roots = new Map<number, string>();
  let at = 0;
  for await (const row of auditRows(db, { through: size })) {
    const index = tree.size;
    if (Number(row.seq) !== index + 1) throw corrupt(index + 1, 'is missing');
    const parsed = parseRow(row);
    if ('error' in parsed) throw corrupt(index + 1, parsed.error.replace(/^its/, 'has'));
    onEntry?.(parsed.entry);
    const hash = leafHash(entryBytes(parsed.entry));
    tree.push(hash);
    while (at < order.length && order[at]!.end <= index) at++;
    const range = order[at];
    if (range !== undefined && range.start <= index) builders[range.i]!.push(hash);
    if (rootsAt.includes(tree.size)) roots.set(tree.size, tree.root().toString('hex'));
  }
  if (tree.size !== size) throw corrupt(tree.size + 1, 'is missing');
  return { hashes: builders.map((b) => b.root().toString('hex')), roots };
}

async function assertSize(db: Kysely<Schema>, size: number): Promise<void> {
  const last = await lastSeq(db);
  if (size > last) throw new PitbossError('NOT_FOUND', `the audit log has ${last} entries, not ${size}`);
}

function invalid(message: string): PitbossError {
  return new PitbossError('VALIDATION_FAILED', message);
}

function corrupt(seq: number, what: string): PitbossError {
  return new PitbossError(
    'INTERNAL',
    `audit entry ${seq} ${what}: no proof can be built; run pitboss audit verify`,
  );
}
