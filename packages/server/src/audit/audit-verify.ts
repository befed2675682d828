import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditCheckpointTable, Schema } from '../storage/schema.js';
import { type BrokenEntry, ChainWalker } from './audit-chain.js';
import { auditRows, checkpointRows, PAGE_SIZE } from './audit-reader.js';
import { keyIdOf, verifyCheckpointSignature } from './checkpoint-signer.js';
import { leafHash, TreeBuilder } from './merkle.js';

/** The verdict on the whole log. `checked` counts the entries found intact before the first broken one. */
export interface AuditVerification {
  readonly ok: boolean;
  readonly checked: number;
  /** Checkpoints whose root (and signature, when a key is given) matched. */
  readonly checkpoints: number;
  readonly firstBroken?: BrokenEntry;
}

export interface VerifyOptions {
  /** When given, every checkpoint signed by this key (same key id) must carry a valid signature. */
  readonly publicKey?: KeyObject;
  readonly pageSize?: number;
}

/**
 * Recomputes the log from its rows, streamed in pages: every entry's hash, every `prevHash` link, seq continuity
 * from 1, and every checkpoint's Merkle root, so an edit, a removal, a rewrite that recomputed the hashes or a
 * truncation is named at the first entry it affects. Bad data is a verdict, never an exception.
 */
export async function verifyAudit(
  db: Kysely<Schema>,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const keyId = options.publicKey === undefined ? undefined : keyIdOf(options.publicKey);
  const walker = new ChainWalker();
  const tree = new TreeBuilder();
  const checkpoints = checkpointRows(db, 0, pageSize);
  let next = await checkpoints.next();
  let matched = 0;
  let lastGood = 0;
  const fail = (firstBroken: BrokenEntry): AuditVerification => ({
    ok: false,
    checked: tree.size,
    checkpoints: matched,
    firstBroken,
  });
  try {
    for await (const row of auditRows(db, {}, pageSize)) {
      const checked = walker.check(row);
      if ('broken' in checked) return fail(checked.broken);
      tree.push(leafHash(checked.leaf));
      while (!next.done && Number(next.value.size) <= tree.size) {
        const broken = checkCheckpoint(next.value, tree, lastGood, options.publicKey, keyId);
        if (broken !== undefined) return fail(broken);
        matched++;
        lastGood = tree.size;
        next = await checkpoints.next();
      }
    }
    if (!next.done) {
      const size = Number(next.value.size);
      return fail({
        seq: tree.size + 1,
        problem: 'missing',
        message: `the log ends at entry ${tree.size} but checkpoint ${size} covers ${size} entries: entries were removed from its end`,
      });
    }
    return { ok: true, checked: tree.size, checkpoints: matched };
  } finally {
    await checkpoints.return(undefined);
  }
}

function checkCheckpoint(
  row: AuditCheckpointTable,
  tree: TreeBuilder,
  lastGood: number,
  publicKey: KeyObject | undefined,
  keyId: string | undefined,
): BrokenEntry | undefined {
  const size = Number(row.size);
  if (size !== tree.size) {
    return {
      seq: tree.size,
      problem: 'checkpoint',
      message: `checkpoint of size '${row.size}' is not valid`,
    };
  }
  const root = tree.root().toString('hex');
  if (row.root_hash !== root) {
    // A root covers its entries as a whole: the chain held, so the rewrite re-chained everything after it, and
    // all that can be said is that it lies after the last checkpoint that matched.
    const range = lastGood + 1 === size ? `entry ${size}` : `one of entries ${lastGood + 1}..${size}`;
    return {
      seq: size,
      problem: 'checkpoint',
      message: `checkpoint ${size} does not match the log: ${range} (or the checkpoint) was rewritten`,
    };
  }
  if (publicKey !== undefined && row.signature !== null && row.key_id === keyId) {
    const head = { size, rootHash: row.root_hash, at: row.at };
    if (!verifyCheckpointSignature(head, row.signature, publicKey)) {
      return { seq: size, problem: 'checkpoint', message: `checkpoint ${size} has an invalid signature` };
    }
  }
  return undefined;
}
