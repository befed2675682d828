import type { Kysely } from 'kysely';
import { PitbossError } from '../errors.js';
import type { AuditCheckpointTable, Schema } from '../storage/schema.js';
import { type BrokenEntry, ChainWalker } from './audit-chain.js';
import { auditRows, lastSeq } from './audit-reader.js';
import { verifyAudit } from './audit-verify.js';
import { type CheckpointSigner, signerFromEnv } from './checkpoint-signer.js';
import { leafHash, TreeBuilder } from './merkle.js';

/** A Merkle tree head over the first `size` entries of the audit log, as the API serves it. */
export interface Checkpoint {
  readonly size: number;
  /** RFC 6962 MTH of entries 1..size, hex. */
  readonly rootHash: string;
  readonly at: string;
  /** Base64 Ed25519 signature of `checkpointBody`, or null when unsigned. */
  readonly signature: string | null;
  readonly keyId: string | null;
}

export type CheckpointOutcome =
  | { readonly checkpoint: Checkpoint; readonly created: boolean }
  | { readonly broken: BrokenEntry };

/** The environment variable setting how many entries apart automatic checkpoints are; 0 turns them off. */
export const CHECKPOINT_EVERY_ENV = 'PITBOSS_AUDIT_CHECKPOINT_EVERY';
export const DEFAULT_CHECKPOINT_EVERY = 1000;

/** The checkpoint interval from the environment. */
export function checkpointInterval(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[CHECKPOINT_EVERY_ENV];
  if (value === undefined || value === '') return DEFAULT_CHECKPOINT_EVERY;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new PitbossError(
      'BAD_REQUEST',
      `${CHECKPOINT_EVERY_ENV} must be a whole number ≥ 0, not '${value}'`,
    );
  }
  return n;
}

export function checkpointFromRow(row: AuditCheckpointTable): Checkpoint {
  return {
    size: Number(row.size),
    rootHash: row.root_hash,
    at: row.at,
    signature: row.signature,
    keyId: row.key_id,
  };
}

/**
 * The tree over the first n entries, kept from the last checkpoint each process took, keyed by the hash of entry
 * n: the next checkpoint reads only the entries after it. Keying by that hash (which covers the whole chain
 * before it) keeps databases apart and drops the cache when entry n changed. Bounded, oldest dropped first.
 */
const frontiers = new Map<string, TreeBuilder>();
const MAX_FRONTIERS = 64;

/**
 * Takes the checkpoint of the first `size` entries unless it exists. Call it inside `Database.write` so no
 * entry is appended meanwhile. The entries since the previous checkpoint (all of them, when this process does
 * not hold that checkpoint's tree) are checked against the hash chain first, and a broken chain is returned
 * instead of a checkpoint.
 */
export async function takeCheckpoint(
  db: Kysely<Schema>,
  size: number,
  now: Date,
  signer: CheckpointSigner | undefined,
): Promise<CheckpointOutcome> {
  const existing = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('size', '=', size)
    .executeTakeFirst();
  if (existing !== undefined) return { checkpoint: checkpointFromRow(existing), created: false };
  const prior = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('size', '<', size)
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  const start = await resume(db, prior);
  const { tree, walker } = start;
  for await (const row of auditRows(db, { after: tree.size, through: size })) {
    const checked = walker.check(row);
    if ('broken' in checked) return checked;
    tree.push(leafHash(checked.leaf));
    if (
      prior !== undefined &&
      tree.size === Number(prior.size) &&
      tree.root().toString('hex') !== prior.root_hash
    ) {
      return {
        broken: {
          seq: tree.size,
          problem: 'checkpoint',
          message: `checkpoint ${tree.size} does not match entries 1..${tree.size}`,
        },
      };
    }
  }
  if (tree.size !== size) {
    return {
      broken: {
        seq: tree.size + 1,
        problem: 'missing',
        message: `the log ends at entry ${tree.size}, not ${size}`,
      },
    };
  }
  const head = { size, rootHash: tree.root().toString('hex'), at: now.toISOString() };
  const row: AuditCheckpointTable = {
    size,
    root_hash: head.rootHash,
    at: head.at,
    signature: signer?.sign(head) ?? null,
    key_id: signer?.keyId ?? null,
  };
  await db
    .insertInto('audit_checkpoints')
    .values(row)
    .onConflict((oc) => oc.column('size').doNothing())
    .execute();
  remember(walker.lastHash, tree);
  return { checkpoint: checkpointFromRow(row), created: true };
}

/**
 * Takes a checkpoint of the whole log now (POST /api/v1/audit/checkpoints, `pitboss audit checkpoint`), inside
 * `Database.write`. Being rare, it first verifies the whole log (`verifyAudit`: every entry, link and earlier
 * checkpoint), so a checkpoint taken on demand never vouches for a log that was tampered with.
 */
export async function checkpointNow(
  db: Kysely<Schema>,
  now: Date,
  signer: CheckpointSigner | undefined,
): Promise<CheckpointOutcome> {
  const size = await lastSeq(db);
  if (size === 0)
    throw new PitbossError('VALIDATION_FAILED', 'the audit log is empty: nothing to checkpoint');
  const verdict = await verifyAudit(db, signer === undefined ? {} : { publicKey: signer.publicKey });
  if (verdict.firstBroken !== undefined) return { broken: verdict.firstBroken };
  return takeCheckpoint(db, size, now, signer);
}

/**
 * Takes the automatic checkpoints due after entries `from + 1 .. to` were appended (one per multiple of the
 * interval), in the appending transaction. A broken chain skips the checkpoint rather than failing the change
 * that is being recorded: a kill switch must still go through, and `pitboss audit verify` names the break.
 */
export async function takeDueCheckpoints(
  db: Kysely<Schema>,
  from: number,
  to: number,
  now: Date,
): Promise<void> {
  const every = checkpointInterval();
  if (every === 0) return;
  for (let size = (Math.floor(from / every) + 1) * every; size <= to; size += every) {
    await takeCheckpoint(db, size, now, signerFromEnv());
  }
}

/** Checkpoints in size order, a page at a time. */
export async function listCheckpoints(
  db: Kysely<Schema>,
  after: number,
  limit: number,
): Promise<Checkpoint[]> {
  const rows = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('size', '>', after)
    .orderBy('size')
    .limit(limit)
    .execute();
  return rows.map(checkpointFromRow);
}

/** The checkpoint covering the most entries, if any. */
export async function latestCheckpoint(db: Kysely<Schema>): Promise<Checkpoint | undefined> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : checkpointFromRow(row);
}

/** Where to start: after the previous checkpoint when this process still holds its tree, else from entry 1. */
async function resume(
  db: Kysely<Schema>,
  prior: AuditCheckpointTable | undefined,
): Promise<{ tree: TreeBuilder; walker: ChainWalker }> {
  if (prior !== undefined) {
    const size = Number(prior.size);
    const last = await db.selectFrom('audit_log').select('hash').where('seq', '=', size).executeTakeFirst();
    const tree = last === undefined ? undefined : frontiers.get(last.hash);
    if (last !== undefined && tree !== undefined && tree.size === size) {
      return { tree: tree.clone(), walker: new ChainWalker(size + 1, last.hash) };
    }
  }
  return { tree: new TreeBuilder(), walker: new ChainWalker() };
}

function remember(lastHash: string, tree: TreeBuilder): void {
  frontiers.delete(lastHash);
  frontiers.set(lastHash, tree.clone());
  if (frontiers.size > MAX_FRONTIERS) frontiers.delete(frontiers.keys().next().value!);
}
