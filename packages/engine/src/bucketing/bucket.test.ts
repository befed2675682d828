import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../evaluation/compile-config.js';
import { BUCKET_COUNT, bucketFor, stickinessText, threshold } from './bucket.js';
import { murmur3 } from './murmur3.js';

/**
 * Bucketing is a cross-SDK contract: a player must land in the same bucket in every Pitboss SDK and server, so
 * the hash is checked against published vectors and against a deliberately naive reference implementation
 * (bytes from Node's own UTF-8 encoder, 32-bit products computed with BigInt) rather than against itself.
 * The statistical checks run over fixed unit ids, so they are deterministic: they either always pass or
 * reveal a real bias.
 */

// ---------------------------------------------------------------------------------------------------------------
// Reference MurmurHash3 x86_32, transcribed from Appleby's MurmurHash3.cpp with nothing clever in it.

const MASK32 = 0xffffffffn;
const mul32 = (a: number, b: number): number => Number((BigInt(a >>> 0) * BigInt(b >>> 0)) & MASK32);
const rotl32 = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;

function referenceMurmur3(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = Math.floor(bytes.length / 4);
  for (let i = 0; i < blocks; i++) {
    const j = i * 4;
    let k = (bytes[j]! | (bytes[j + 1]! << 8) | (bytes[j + 2]! << 16) | (bytes[j + 3]! << 24)) >>> 0;
    k = mul32(rotl32(mul32(k, c1), 15), c2);
    h = (h ^ k) >>> 0;
    h = rotl32(h, 13);
    h = (mul32(h, 5) + 0xe6546b64) >>> 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length - tail;
  if (rest > 0) {
    let k = 0;
    if (rest >= 3) k ^= bytes[tail + 2]! << 16;
    if (rest >= 2) k ^= bytes[tail + 1]! << 8;
    k ^= bytes[tail]!;
    k = mul32(rotl32(mul32(k >>> 0, c1), 15), c2);
    h = (h ^ k) >>> 0;
  }
  h = (h ^ bytes.length) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul32(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul32(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Node's encoder, like TextEncoder, writes a lone surrogate as U+FFFD (EF BF BD): what murmur3.ts promises. */
const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const referenceHash = (s: string): number => referenceMurmur3(utf8(s));
const referenceBucket = (salt: string, value: string): number =>
  Math.floor((referenceHash(`${salt}:${value}`) * BUCKET_COUNT) / 2 ** 32);

// ---------------------------------------------------------------------------------------------------------------
// String generators: printable text, every code point, and raw UTF-16 with lone surrogates.

const graphemes = fc.string({ unit: 'grapheme', maxLength: 30 });
const codePoints = fc.string({ unit: 'binary', maxLength: 30 });
/** Any UTF-16 code units, with surrogates (paired, lone, reversed) far more likely than uniform sampling. */
const rawUtf16 = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
      fc.integer({ min: 0, max: 0x7f }),
    ),
    { maxLength: 30 },
  )
  .map((units) => String.fromCharCode(...units));
const anyText = fc.oneof(graphemes, codePoints, rawUtf16);

describe('murmur3', () => {
  it.each([
    ['', 0],
    ['hello', 613153351],
    ['test', 3127628307],
    ['The quick brown fox jumps over the lazy dog', 776992547],
  ])('murmur3(%j) = %i, as published', (text, expected) => {
    expect(murmur3(text)).toBe(expected);
    // The same vectors validate the reference, so the properties below compare against a known-good oracle.
    expect(referenceHash(text)).toBe(expected);
  });

  it('encodes lone surrogates as U+FFFD, like TextEncoder and Buffer', () => {
    expect([...utf8('\ud800')]).toEqual([0xef, 0xbf, 0xbd]);
    expect([...new TextEncoder().encode('a\udc00\ud83d')]).toEqual([
      0x61, 0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd,
    ]);
    expect(murmur3('\ud800')).toBe(murmur3('\ufffd'));
    expect(murmur3('x\udfff\ud800y')).toBe(murmur3('x\ufffd\ufffdy'));
    // A high surrogate followed by another high one is lone; the second pairs with what follows.
    expect(murmur3('\ud83d\ud83d\ude00')).toBe(murmur3('\ufffd\u{1f600}'));
  });

  it('matches the reference on every 0–3 byte tail and 1–4 byte character boundary', () => {
    // Characters of each UTF-8 width, in every position modulo the 4-byte block: the streaming code packs
    // characters into blocks across boundaries, which is where an off-by-one would hide.
    const chars = ['a', 'é', '€', '😀', '\ud800'];
    for (let n = 0; n <= 9; n++) {
      for (const c of chars) {
        for (const d of chars) {
          const s = 'x'.repeat(n) + c + d + 'y'.repeat(n % 4);
          expect(murmur3(s), JSON.stringify(s)).toBe(referenceHash(s));
        }
      }
    }
  });

  it('matches the reference on arbitrary text (full Unicode, graphemes, lone surrogates)', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(murmur3(s)).toBe(referenceHash(s));
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('bucketFor', () => {
  it('matches the reference: the salt prefix is streamed, not re-encoded', () => {
    fc.assert(
      fc.property(anyText, anyText, (salt, value) => {
        const bucket = bucketFor(salt, value);
        expect(bucket).toBe(referenceBucket(salt, value));
        expect(Number.isInteger(bucket) && bucket >= 0 && bucket < BUCKET_COUNT).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('pins conformance vectors other SDKs can check against', () => {
    // Values from the reference above; if one changes, every player moves bucket: that needs BUCKETING_VERSION 2.
    const vectors: [string, string][] = [
      ['payments_v2', 'p-42'],
      ['payments_v2', 'user-0'],
      ['checkout-theme', '12345'],
      ['limits.v1', 'spieler-ä-😀'],
      ['', ''],
    ];
    for (const [salt, value] of vectors) expect(bucketFor(salt, value)).toBe(referenceBucket(salt, value));
    expect(vectors.map(([s, v]) => bucketFor(s, v))).toEqual([114082, 235792, 744205, 536623, 168554]);
  });

  it('is deterministic: same inputs, same bucket, whatever was hashed in between', () => {
    // murmur3.ts keeps its scratch state in module variables; interleaving other salts must not leak into it.
    const units = Array.from({ length: 5_000 }, (_, i) => `user-${i}`);
    const first = units.map((u) => bucketFor('payments_v2', u));
    const again = units
      .map((u, i) => {
        bucketFor(`other-${i}`, u.repeat(3));
        murmur3(u);
        return [i, bucketFor('payments_v2', u)] as const;
      })
      .reverse();
    for (const [i, b] of again) expect(b).toBe(first[i]);
    fc.assert(
      fc.property(anyText, anyText, anyText, (salt, value, noise) => {
        const a = bucketFor(salt, value);
        bucketFor(noise, salt);
        expect(bucketFor(salt, value)).toBe(a);
      }),
      { numRuns: 1_000 },
    );
  });

  it('threshold rounds the fraction to whole buckets', () => {
    expect(threshold(0)).toBe(0);
    expect(threshold(1)).toBe(BUCKET_COUNT);
    expect(threshold(0.25)).toBe(250_000);
    expect(threshold(0.000001)).toBe(1);
    expect(threshold(0.29)).toBe(290_000); // 0.29 × 1e6 = 289999.99999999994 in doubles
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Monotonic rollouts, through the real evaluation path (compile → evaluate), not the bucket function alone.

/** A config of one flag per fraction, all with the same salt, each rolling out to DE players only. */
function ladder(fractions: readonly number[]) {
  const flags = fractions.map((f, i) => ({
    key: `step-${i}`,
    kind: 'ops',
    salt: 'ladder',
    rules: [{ if: "market == 'DE'", rollout: f }],
  }));
  const { config, diagnostics } = compile({ flags }, { now: 0, clock: () => 0 });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return (i: number, ctx: Record<string, unknown>): boolean => {
    const r = config.evaluate(`step-${i}`, 'prod', ctx);
    if (r.errorCode !== undefined) throw new Error(`step-${i}: ${r.errorMessage}`);
    return r.value === true;
  };
}

describe('rollouts are monotonic: a unit inside at a is inside at every b ≥ a', () => {
  const FRACTIONS = [0, 0.000001, 0.0001, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999999, 1];

  it('over a ladder of fractions, for 20,000 units', () => {
    const on = ladder(FRACTIONS);
    const problems: string[] = []; // collected, not asserted one by one: 20,000 × 13 expects are slow
    for (let u = 0; u < 20_000; u++) {
      const id = `user-${u}`;
      const inside = FRACTIONS.map((_, i) => on(i, { market: 'DE', user: { id } }));
      // Upward closed: once in, in at every larger fraction (and rollout 1 includes everyone).
      const firstIn = inside.indexOf(true);
      if (firstIn < 0 || !inside.slice(firstIn).every(Boolean))
        problems.push(`${id}: not monotonic ${inside}`);
      // The step is exactly where the bucket crosses the threshold.
      const bucket = bucketFor('ladder', id);
      if (FRACTIONS.some((f, i) => inside[i] !== bucket < threshold(f)))
        problems.push(`${id}: bucket ${bucket}`);
      // The rule's condition still applies at every fraction.
      if (on(FRACTIONS.length - 1, { market: 'SE', user: { id } })) problems.push(`${id}: SE matched`);
    }
    expect(problems).toEqual([]);
  });

  it('for arbitrary fractions a ≤ b and arbitrary units', () => {
    const fraction = fc.oneof(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom(0, 1, 0.5, 0.0000005),
    );
    const unit = fc.oneof(anyText, fc.maxSafeInteger(), fc.integer());
    fc.assert(
      fc.property(fraction, fraction, unit, (x, y, id) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        const on = ladder([a, b]);
        const ctx = { market: 'DE', user: { id } };
        if (on(0, ctx)) expect(on(1, ctx)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a unit without a bucketable id is outside every partial rollout, inside a full one', () => {
    const on = ladder([0.5, 0.999999, 1]);
    for (const id of [undefined, null, '', 1.5, { id: 1 }, ['a'], true]) {
      expect(on(0, { market: 'DE', user: { id } })).toBe(false);
      expect(on(1, { market: 'DE', user: { id } })).toBe(false);
      expect(on(2, { market: 'DE', user: { id } })).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Distribution and independence over a million fixed units.

const UNITS = 1_000_000;
const TOLERANCE = 0.003; // ±0.3 percentage points

/** Buckets of `user-0` … `user-999999` under a salt. */
function bucketsOf(salt: string): Int32Array {
  const out = new Int32Array(UNITS);
  for (let i = 0; i < UNITS; i++) out[i] = bucketFor(salt, `user-${i}`);
  return out;
}

/** Five standard deviations of a binomial proportion over UNITS trials: a tighter, per-fraction bound. */
const fiveSigma = (p: number): number => 5 * Math.sqrt((p * (1 - p)) / UNITS);

describe('distribution over 1,000,000 units', () => {
  let buckets: Int32Array = new Int32Array(0);
  beforeAll(() => {
    buckets = bucketsOf('payments_v2');
  });

  it.each([0.001, 0.01, 0.05, 0.25, 0.5])('a rollout of %d reaches its fraction of units', (f) => {
    const limit = threshold(f);
    let inside = 0;
    for (let i = 0; i < UNITS; i++) if (buckets[i]! < limit) inside++;
    const observed = inside / UNITS;
    expect(Math.abs(observed - f)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(observed - f)).toBeLessThanOrEqual(fiveSigma(f));
  });

  it('buckets are uniform (chi-square over 1,000 equal ranges)', () => {
    const bins = new Float64Array(1_000);
    for (let i = 0; i < UNITS; i++) bins[Math.floor(buckets[i]! / 1_000)]!++;
    const expected = UNITS / bins.length;
    let chi2 = 0;
    for (const observed of bins) chi2 += (observed - expected) ** 2 / expected;
    // 999 degrees of freedom: mean 999, standard deviation √1998 ≈ 44.7. Six deviations either side.
    expect(chi2).toBeGreaterThan(999 - 6 * 44.7);
    expect(chi2).toBeLessThan(999 + 6 * 44.7);
  });
});

describe('salts give independent populations', () => {
  it('two flags at 10 % and 20 % overlap on 2 % of units, and agree on 74 %', () => {
    const a = bucketsOf('flag-a');
    const b = bucketsOf('flag-b');
    const ta = threshold(0.1);
    const tb = threshold(0.2);
    let inA = 0;
    let inB = 0;
    let both = 0;
    let agree = 0;
    for (let i = 0; i < UNITS; i++) {
      const x = a[i]! < ta;
      const y = b[i]! < tb;
      if (x) inA++;
      if (y) inB++;
      if (x && y) both++;
      if (x === y) agree++;
    }
    expect(Math.abs(inA / UNITS - 0.1)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(inB / UNITS - 0.2)).toBeLessThanOrEqual(TOLERANCE);
    // Independent: P(both) = 0.1 × 0.2; P(agree) = P(both in) + P(both out) = 0.02 + 0.9 × 0.8 = 0.74.
    expect(Math.abs(both / UNITS - 0.02)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(agree / UNITS - 0.74)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('the same salt nests instead: the 10 % is inside the 20 %', () => {
    // The contrast that makes the previous test meaningful: sharing a salt (flag `salt` field) is how two
    // flags deliberately target the same players.
    const a = bucketsOf('shared');
    let both = 0;
    let onlyA = 0;
    for (let i = 0; i < UNITS; i++) {
      const x = a[i]! < threshold(0.1);
      const y = a[i]! < threshold(0.2);
      if (x && y) both++;
      if (x && !y) onlyA++;
    }
    expect(onlyA).toBe(0);
    expect(Math.abs(both / UNITS - 0.1)).toBeLessThanOrEqual(TOLERANCE);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('stickinessText', () => {
  it.each([
    ['p-42', 'p-42'],
    [' ', ' '],
    ['😀', '😀'],
    ['', undefined],
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-7, '-7'],
    [5.0, '5'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    [Number.MIN_SAFE_INTEGER, '-9007199254740991'],
    [2 ** 53, undefined],
    [1e21, undefined],
    [1.5, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [null, undefined],
    [undefined, undefined],
    [true, undefined],
    [42n, undefined],
    [{}, undefined],
    [{ id: 'p-42' }, undefined],
    [['p-42'], undefined],
    [new String('p-42'), undefined],
  ])('%o → %o', (value, expected) => {
    expect(stickinessText(value)).toBe(expected);
  });

  it('strings as they are, safe integers in decimal, other numbers never', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(stickinessText(s)).toBe(s === '' ? undefined : s);
      }),
    );
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(stickinessText(n)).toBe(String(n));
      }),
    );
    fc.assert(
      fc.property(fc.double(), (d) => {
        expect(stickinessText(d)).toBe(Number.isSafeInteger(d) ? String(d) : undefined);
      }),
    );
  });

  it('a numeric id and its decimal string share a bucket (same player in every SDK)', () => {
    const { config } = compile({ key: 'half', kind: 'ops', rules: [{ rollout: 0.5 }] }, { now: 0 });
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const asNumber = config.evaluate('half', 'prod', { user: { id: n } });
        const asText = config.evaluate('half', 'prod', { user: { id: String(n) } });
        expect(asNumber.variant).toBe(asText.variant);
        expect(asNumber.value).toBe(bucketFor('half', String(n)) < threshold(0.5));
      }),
      { numRuns: 2_000 },
    );
  });
});
