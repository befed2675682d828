/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain), seed 0, over the UTF-8 bytes of a string — computed
 * without building the byte array, so hashing on the evaluation path allocates nothing.
 *
 * The hash is streamed: `prefixState` absorbs a constant prefix once (the flag's `salt:`), and `hashAfter`
 * continues it with each unit's value. Lone surrogates encode as U+FFFD, as TextEncoder does.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Hash state after a prefix: the running hash, the 0–3 pending bytes and the byte count. */
export interface HashPrefix {
  readonly h: number;
  readonly pending: number;
  readonly pendingBytes: number;
  readonly length: number;
}

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, pending: number, pendingBytes: number, length: number): number {
  if (pendingBytes > 0) {
    let k = Math.imul(pending, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Results of `feed`, kept in module scope so that hashing returns four numbers without allocating an object.
let outH = 0;
let outPending = 0;
let outBytes = 0;
let outLength = 0;

/**
 * Continues `prefix` over the UTF-8 encoding of `text`. Bytes are gathered little-endian into 4-byte blocks
 * exactly as the reference implementation reads them.
 */
function feed(prefix: HashPrefix, text: string): void {
  let h = prefix.h;
  let pending = prefix.pending;
  let n = prefix.pendingBytes;
  let length = prefix.length;
  const len = text.length;
  let i = 0;
  while (i < len) {
    // Fast path: four ASCII characters on a block boundary are one block (ids such as 'p-1234' are all ASCII).
    if (n === 0 && i + 3 < len) {
      const c0 = text.charCodeAt(i);
      const c1 = text.charCodeAt(i + 1);
      const c2 = text.charCodeAt(i + 2);
      const c3 = text.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) < 0x80) {
        h = mixBlock(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
        i += 4;
        length += 4;
        continue;
      }
    }
    let c = text.charCodeAt(i++);
    if (c < 0x80) {
      pending |= c << (n << 3);
      length++;
      if (++n === 4) {
        h = mixBlock(h, pending);
        pending = 0;
        n = 0;
      }
      continue;
    }
    let bytes: number; // two to four UTF-8 bytes packed little-endian
    let count: number;
    if (c < 0x800) {
      bytes = 0xc0 | (c >> 6) | ((0x80 | (c & 0x3f)) << 8);
      count = 2;
    } else if (c >= 0xd800 && c <= 0xdbff && i < len && (text.charCodeAt(i) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(i++) - 0xdc00);
      bytes =
        0xf0 |
        (c >> 18) |
        ((0x80 | ((c >> 12) & 0x3f)) << 8) |
        ((0x80 | ((c >> 6) & 0x3f)) << 16) |
        ((0x80 | (c & 0x3f)) << 24);
      count = 4;
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate
      bytes = 0xe0 | (c >> 12) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
      count = 3;
    }
    length += count;
    for (let b = 0; b < count; b++) {
      pending |= ((bytes >>> (b * 8)) & 0xff) << (n * 8);
      if (++n === 4) {
        h = mixBlock(h, pending);
        pending = 0;
        n = 0;
      }
    }
  }
  outH = h;
  outPending = pending;
  outBytes = n;
  outLength = length;
}

const EMPTY: HashPrefix = { h: 0, pending: 0, pendingBytes: 0, length: 0 };

/** The state after hashing `prefix` (e.g. `payments_v2:`), to continue per unit with `hashAfter`. */
export function prefixState(prefix: string): HashPrefix {
  feed(EMPTY, prefix);
  return Object.freeze({ h: outH, pending: outPending, pendingBytes: outBytes, length: outLength });
}

/** The final unsigned 32-bit hash of the prefix's bytes followed by the UTF-8 bytes of `text`. */
export function hashAfter(prefix: HashPrefix, text: string): number {
  feed(prefix, text);
  return finish(outH, outPending, outBytes, outLength);
}

/**
 * MurmurHash3 x86_32 with seed 0 of the UTF-8 bytes of `text`.
 *
 * @example murmur3('hello') // 613153351
 */
export function murmur3(text: string): number {
  return hashAfter(EMPTY, text);
}
