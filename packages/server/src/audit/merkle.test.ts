import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  nodeHash,
  rootOf,
  TreeBuilder,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

// The RFC 6962 test tree used by certificate-transparency-go, trillian and transparency-dev/merkle
// (proof/verify_test.go at 02194e9afb6c1d95b5381350007963aa70fff472): leaves, roots of every prefix, and
// proofs, copied from there. Indices there are 1-based (`leaf - 1`); here they are 0-based.
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', // size 0
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION: [index: number, size: number, proof: string[]][] = [
  [0, 1, []],
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CONSISTENCY: [first: number, second: number, proof: string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

const hex = (b: Buffer[]): string[] => b.map((x) => x.toString('hex'));
const unhex = (s: string[]): Buffer[] => s.map((x) => Buffer.from(x, 'hex'));
const HASHES = LEAVES.map(leafHash);
const root = (n: number): Buffer => Buffer.from(ROOTS[n]!, 'hex');

/** RFC 6962 §2.1 read literally, over the raw leaves: an independent check of the streaming builder. */
function naiveMth(d: readonly Buffer[]): Buffer {
  if (d.length === 0) return createHash('sha256').digest();
  if (d.length === 1)
    return createHash('sha256')
      .update(Buffer.concat([Buffer.of(0), d[0]!]))
      .digest();
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return createHash('sha256')
    .update(Buffer.concat([Buffer.of(1), naiveMth(d.slice(0, k)), naiveMth(d.slice(k))]))
    .digest();
}

function flipBit(proof: Buffer[], i: number): Buffer[] {
  return proof.map((p, j) => (j === i ? Buffer.from(p.map((b, at) => (at === 0 ? b ^ 8 : b))) : p));
}

describe('RFC 6962 Merkle tree: published vectors', () => {
  it('computes the root of every prefix of the test tree', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(ROOTS[0]);
    for (let n = 0; n <= 8; n++) {
      expect(rootOf(HASHES.slice(0, n)).toString('hex'), `size ${n}`).toBe(ROOTS[n]);
      expect(naiveMth(LEAVES.slice(0, n)).toString('hex'), `naive size ${n}`).toBe(ROOTS[n]);
    }
  });

  it.each(INCLUSION)(
    'builds and verifies the inclusion proof of leaf %i in a tree of %i',
    (index, size, proof) => {
      const leaves = HASHES.slice(0, size);
      expect(hex(inclusionProof(leaves, index))).toEqual(proof);
      const p = unhex(proof);
      const leaf = HASHES[index]!;
      expect(verifyInclusion(index, size, leaf, p, root(size))).toBe(true);
      // The corruptions transparency-dev/merkle tries: every one must fail.
      const someHash = Buffer.from('abacaba000000000000000000000000000000000000000000060061e00123456', 'hex');
      const probes: [number, number, Buffer, Buffer[], Buffer][] = [
        [index - 1, size, leaf, p, root(size)],
        [index + 1, size, leaf, p, root(size)],
        [index ^ 2, size, leaf, p, root(size)],
        [index, size * 2, leaf, p, root(size)],
        [index, Math.floor(size / 2), leaf, p, root(size)],
        [index, size, leafHash(Buffer.from('WrongLeaf')), p, root(size)],
        [index, size, leaf, p, EMPTY_ROOT],
        [index, size, leaf, p, someHash],
        [index, size, leaf, [...p, root(size)], root(size)],
        [index, size, leaf, [root(size), ...p], root(size)],
        [index, size, leaf, [...p, Buffer.alloc(0)], root(size)],
        ...p.map((_, i): [number, number, Buffer, Buffer[], Buffer] => [
          index,
          size,
          leaf,
          flipBit(p, i),
          root(size),
        ]),
        ...(p.length > 0
          ? [[index, size, leaf, p.slice(0, -1), root(size)] as [number, number, Buffer, Buffer[], Buffer]]
          : []),
      ];
      for (const [i, n, l, pr, r] of probes)
        expect(verifyInclusion(i, n, l, pr, r), `probe ${i}/${n}`).toBe(false);
    },
  );

  it.each(CONSISTENCY)('builds and verifies the consistency proof from %i to %i', (first, second, proof) => {
    expect(hex(consistencyProof(HASHES.slice(0, second), first))).toEqual(proof);
    const p = unhex(proof);
    expect(verifyConsistency(first, second, root(first), root(second), p)).toBe(true);
    if (p.length === 0) return;
    const probes: [number, number, Buffer, Buffer, Buffer[]][] = [
      [first - 1, second, root(first), root(second), p],
      [first + 1, second, root(first), root(second), p],
      [first ^ 2, second, root(first), root(second), p],
      [first, second * 2, root(first), root(second), p],
      [first, Math.floor(second / 2), root(first), root(second), p],
      [first, second, root(second), root(first), p],
      [first, second, EMPTY_ROOT, root(second), p],
      [first, second, root(first), root(second), []],
      [first, second, root(first), root(second), [...p, root(first)]],
      [first, second, root(first), root(second), [p[0]!, ...p]],
      [first, second, root(first), root(second), p.slice(0, -1)],
      ...p.map((_, i): [number, number, Buffer, Buffer, Buffer[]] => [
        first,
        second,
        root(first),
        root(second),
        flipBit(p, i),
      ]),
    ];
    for (const [m, n, r1, r2, pr] of probes)
      expect(verifyConsistency(m, n, r1, r2, pr), `probe ${m}→${n}`).toBe(false);
  });

  it('handles the trivial consistency cases as transparency-dev/merkle does', () => {
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, root(5), [])).toBe(true);
    expect(verifyConsistency(3, 3, root(3), root(3), [])).toBe(true);
    expect(verifyConsistency(3, 3, root(3), root(4), [])).toBe(false);
    expect(verifyConsistency(3, 3, root(3), root(3), [EMPTY_ROOT])).toBe(false);
    expect(verifyConsistency(2, 1, root(2), root(1), [])).toBe(false);
    expect(verifyConsistency(1, 2, root(1), root(2), [])).toBe(false);
    expect(verifyInclusion(0, 0, HASHES[0]!, [], EMPTY_ROOT)).toBe(false);
  });
});

describe('RFC 6962 Merkle tree: properties', () => {
  const tree = fc
    .array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 70 })
    .map((leaves) => leaves.map((l) => leafHash(l)));

  it('agrees with the literal recursive definition', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 70 }), (leaves) => {
        const bufs = leaves.map((l) => Buffer.from(l));
        expect(rootOf(bufs.map(leafHash)).equals(naiveMth(bufs))).toBe(true);
      }),
    );
  });

  it('verifies every inclusion proof and rejects it for a changed leaf', () => {
    fc.assert(
      fc.property(tree, fc.nat(), fc.nat(255), (hashes, i, byte) => {
        const index = i % hashes.length;
        const r = rootOf(hashes);
        const proof = inclusionProof(hashes, index);
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(hashes.length)));
        expect(verifyInclusion(index, hashes.length, hashes[index]!, proof, r)).toBe(true);
        const changed = Buffer.from(hashes[index]!);
        changed[byte % 32]! ^= 1;
        expect(verifyInclusion(index, hashes.length, changed, proof, r)).toBe(false);
      }),
    );
  });

  it('verifies every consistency proof and rejects it when an old leaf changed', () => {
    fc.assert(
      fc.property(tree, fc.nat(), fc.nat(), (hashes, a, b) => {
        const second = hashes.length;
        const first = 1 + (a % second);
        const proof = consistencyProof(hashes, first);
        const oldRoot = rootOf(hashes.slice(0, first));
        expect(verifyConsistency(first, second, oldRoot, rootOf(hashes), proof)).toBe(true);
        // Rewrite one leaf the old tree covered: the new tree (and its proof) no longer extends the old one.
        const tampered = [...hashes];
        tampered[b % first] = leafHash(Buffer.from('rewritten'));
        const forged = consistencyProof(tampered, first);
        expect(verifyConsistency(first, second, oldRoot, rootOf(tampered), forged)).toBe(false);
      }),
    );
  });

  it('builds the same root incrementally and from a clone', () => {
    fc.assert(
      fc.property(tree, fc.nat(), (hashes, cut) => {
        const at = cut % (hashes.length + 1);
        const builder = new TreeBuilder();
        for (const h of hashes.slice(0, at)) builder.push(h);
        const copy = builder.clone();
        for (const h of hashes.slice(at)) copy.push(h);
        expect(builder.root().equals(rootOf(hashes.slice(0, at)))).toBe(true);
        expect(copy.root().equals(rootOf(hashes))).toBe(true);
        expect(copy.size).toBe(hashes.length);
      }),
    );
  });

  it('never mixes up a leaf and a node (domain separation)', () => {
    const a = leafHash(Buffer.from('a'));
    const b = leafHash(Buffer.from('b'));
    expect(rootOf([a, b]).equals(nodeHash(a, b))).toBe(true);
    expect(leafHash(Buffer.concat([a, b])).equals(nodeHash(a, b))).toBe(false);
  });
});
