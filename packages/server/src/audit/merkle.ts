import { createHash } from 'node:crypto';

/**
 * The Merkle Tree Hash of RFC 6962 §2.1 (Certificate Transparency; unchanged in RFC 9162 §2.1.1), with SHA-256:
 * domain-separated leaf and node hashes so a leaf can never be passed off as an inner node (second preimage).
 * Sizes and indices are plain numbers: audit logs stay far below 2^53 entries, and every "shift" below is
 * arithmetic, not `>>`, which would truncate to 32 bits.
 */

/** A contiguous run of leaves `[start, end)`: every hash in a proof is the MTH of one such run. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** MTH({}) = SHA-256() (RFC 6962 §2.1). */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** SHA-256(0x00 || leaf) (RFC 6962 §2.1). */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(0x00)).update(leaf).digest();
}

/** SHA-256(0x01 || left || right) (RFC 6962 §2.1). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(0x01)).update(left).update(right).digest();
}

/** The largest power of two smaller than `n` (n > 1): where RFC 6962 splits a tree. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Builds the MTH of a stream of leaf hashes in O(log n) memory: it keeps the roots of the perfect subtrees
 * ("peaks", largest first) that the leaves so far decompose into. MTH(D[n]) is the right fold of the peaks,
 * because RFC 6962 splits off the largest power of two first at every level.
 */
export class TreeBuilder {
  private peaks: { hash: Buffer; size: number }[] = [];
  private count = 0;

  /** Leaves pushed so far. */
  get size(): number {
    return this.count;
  }

  push(hash: Buffer): void {
    let node = { hash, size: 1 };
    let last = this.peaks[this.peaks.length - 1];
    while (last !== undefined && last.size === node.size) {
      this.peaks.pop();
      node = { hash: nodeHash(last.hash, node.hash), size: node.size * 2 };
      last = this.peaks[this.peaks.length - 1];
    }
    this.peaks.push(node);
    this.count++;
  }

  root(): Buffer {
    let i = this.peaks.length - 1;
    if (i < 0) return EMPTY_ROOT;
    let hash = this.peaks[i]!.hash;
    for (i--; i >= 0; i--) hash = nodeHash(this.peaks[i]!.hash, hash);
    return hash;
  }

  /** An independent copy, to continue from later (checkpoints resume from the previous one). */
  clone(): TreeBuilder {
    const copy = new TreeBuilder();
    copy.peaks = [...this.peaks];
    copy.count = this.count;
    return copy;
  }
}

/** MTH of a list of leaf hashes. */
export function rootOf(leafHashes: readonly Buffer[]): Buffer {
  const builder = new TreeBuilder();
  for (const h of leafHashes) builder.push(h);
  return builder.root();
}

/**
 * The runs of leaves whose MTHs form PATH(m, D[n]) (RFC 6962 §2.1.1), in proof order (nearest the leaf first).
 * They are disjoint, so a single pass over the leaves computes them all.
 */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  assertIndex(index, size);
  const out: LeafRange[] = [];
  const path = (m: number, start: number, n: number): void => {
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      path(m, start, k);
      out.push({ start: start + k, end: start + n });
    } else {
      path(m - k, start + k, n - k);
      out.push({ start, end: start + k });
    }
  };
  path(index, 0, size);
  return out;
}

/**
 * The runs of leaves whose MTHs form PROOF(m, D[n]) (RFC 6962 §2.1.2, SUBPROOF), in proof order; disjoint.
 * Empty when m = n or m = 0: nothing needs proving.
 */
export function consistencyRanges(first: number, second: number): LeafRange[] {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) {
    throw new RangeError(`no consistency proof from size ${first} to size ${second}`);
  }
  const out: LeafRange[] = [];
  const subproof = (m: number, start: number, n: number, whole: boolean): void => {
    if (m === n) {
      if (!whole) out.push({ start, end: start + n });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, k, whole);
      out.push({ start: start + k, end: start + n });
    } else {
      subproof(m - k, start + k, n - k, false);
      out.push({ start, end: start + k });
    }
  };
  if (first > 0) subproof(first, 0, second, true);
  return out;
}

/** PATH(index, D[n]) over leaf hashes held in memory. */
export function inclusionProof(leafHashes: readonly Buffer[], index: number): Buffer[] {
  return inclusionRanges(index, leafHashes.length).map((r) => rootOf(leafHashes.slice(r.start, r.end)));
}

/** PROOF(first, D[n]) over leaf hashes held in memory. */
export function consistencyProof(leafHashes: readonly Buffer[], first: number): Buffer[] {
  return consistencyRanges(first, leafHashes.length).map((r) => rootOf(leafHashes.slice(r.start, r.end)));
}

/**
 * Verifies an inclusion proof: the algorithm of RFC 9162 §2.1.3.2, step by step. Returns false (never throws)
 * for any malformed input.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusion(index, size, leaf, proof);
  return computed !== undefined && sameHash(computed, root);
}

/** The root an inclusion proof leads to, or undefined when the proof does not fit the index and size. */
export function rootFromInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer | undefined {
  if (!validSize(index) || !validSize(size) || index >= size || !isHash(leaf) || !proof.every(isHash)) {
    return undefined;
  }
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

/**
 * Verifies that the tree of size `second` (root `secondRoot`) extends the tree of size `first` (root
 * `firstRoot`): RFC 9162 §2.1.4.2, with the trivial cases handled as in transparency-dev/merkle (equal sizes
 * need equal roots and an empty proof; the empty tree is a prefix of every tree). Never throws.
 */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!validSize(first) || !validSize(second) || first > second || !proof.every(isHash)) return false;
  if (first === second) return proof.length === 0 && isHash(firstRoot) && sameHash(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0 || !isHash(firstRoot) || !isHash(secondRoot)) return false;
  // Step 2: when `first` is a power of two, its root is a node of the bigger tree and the proof omits it.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameHash(fr, firstRoot) && sameHash(sr, secondRoot);
}

function assertIndex(index: number, size: number): void {
  if (!validSize(index) || !validSize(size) || index >= size) {
    throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  }
}

function validSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && splitPoint(n + 1) === n;
}

function isHash(h: Uint8Array): boolean {
  return h instanceof Uint8Array && h.length === 32;
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return isHash(a) && isHash(b) && Buffer.compare(a, b) === 0;
}
