import type { AuditTable } from '../storage/schema.js';
import { entryBytes, entryHash, GENESIS_HASH, parseRow } from './audit-entry.js';

/** How a broken entry was found: its own hash, the next entry's link to it, a gap, or a checkpoint's root. */
export type AuditProblem = 'hash' | 'prev_hash' | 'missing' | 'checkpoint';

/** The first entry that is not what was written. */
export interface BrokenEntry {
  readonly seq: number;
  readonly problem: AuditProblem;
  readonly message: string;
}

/**
 * Checks rows one at a time, in seq order, against the hash chain: each must follow the previous seq, hash to its
 * stored hash, and link to the previous entry's hash. Returns the entry's canonical bytes (its Merkle leaf).
 */
export class ChainWalker {
  constructor(
    private nextSeq = 1,
    private prevHash = GENESIS_HASH,
  ) {}

  /** The stored hash of the last entry checked. */
  get lastHash(): string {
    return this.prevHash;
  }

  check(row: AuditTable): { readonly leaf: Buffer } | { readonly broken: BrokenEntry } {
    const seq = Number(row.seq);
    if (seq !== this.nextSeq) {
      return {
        broken: {
          seq: this.nextSeq,
          problem: 'missing',
          message: `entry ${this.nextSeq} is missing: the log goes from ${this.nextSeq - 1} to ${seq}`,
        },
      };
    }
    const parsed = parseRow(row);
    if ('error' in parsed) {
      return { broken: { seq, problem: 'hash', message: `entry ${seq} was changed: ${parsed.error}` } };
    }
    const computed = entryHash(parsed.entry);
    if (computed !== row.hash) {
      return {
        broken: {
          seq,
          problem: 'hash',
          message: `entry ${seq} was changed: its content hashes to ${short(computed)}, not to its stored hash ${short(row.hash)}`,
        },
      };
    }
    if (row.prev_hash !== this.prevHash) {
      // This entry is intact (its hash covers its prevHash), so the link it recorded is authentic: the entry
      // before it is the one that changed, hash recomputed to hide it.
      return {
        broken:
          seq === 1
            ? { seq, problem: 'prev_hash', message: 'entry 1 does not start from the genesis hash' }
            : {
                seq: seq - 1,
                problem: 'prev_hash',
                message: `entry ${seq - 1} was rewritten: its hash ${short(this.prevHash)} is not the ${short(row.prev_hash)} entry ${seq} recorded`,
              },
      };
    }
    this.nextSeq = seq + 1;
    this.prevHash = row.hash;
    return { leaf: entryBytes(parsed.entry) };
  }
}

function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}
