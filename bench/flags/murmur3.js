// MurmurHash3 x86_32 over the UTF-8 bytes of a string.
// Used by the hand-written baseline and the json-logic custom operation so both bucket exactly the way the
// Pitboss spec does: bucket = floor(hash * 1_000_000 / 2^32) over `<flagKey>:<unitId>`.

const encoder = new TextEncoder();

/** Hash a Uint8Array (or any indexable byte source) of length `len`. */
function murmur3Bytes(bytes, len, seed) {
  let h = seed | 0;
  const tail = len & ~3;
  for (let i = 0; i < tail; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (len & 3) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: the MurmurHash3 tail deliberately falls through.
    case 3:
      k ^= bytes[tail + 2] << 16;
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: see above.
    case 2:
      k ^= bytes[tail + 1] << 8;
    case 1:
      k ^= bytes[tail];
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Reusable scratch buffer for the ASCII fast path: no allocation per call. */
const scratch = new Uint8Array(256);

/** Copy `str` into `scratch` at `offset` if it is ASCII and fits; returns the new end, or -1. */
function writeAscii(str, offset) {
  const end = offset + str.length;
  if (end > scratch.length) return -1;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c > 0x7f) return -1;
    scratch[offset + i] = c;
  }
  return end;
}

/** MurmurHash3 x86_32 of the UTF-8 encoding of `str`. */
export function murmur3(str, seed = 0) {
  const len = writeAscii(str, 0);
  if (len >= 0) return murmur3Bytes(scratch, len, seed);
  const bytes = encoder.encode(str);
  return murmur3Bytes(bytes, bytes.length, seed);
}

/**
 * Sticky bucket in [0, 1_000_000) for `<flagKey>:<unitId>`. The two parts are copied straight into the
 * scratch buffer instead of concatenated: concatenation builds a rope string that must be flattened on
 * every call, which costs more than the hash itself.
 */
export function bucketOf(flagKey, unitId) {
  let len = writeAscii(flagKey, 0);
  if (len >= 0) {
    scratch[len] = 0x3a; // ':'
    len = writeAscii(unitId, len + 1);
  }
  const hash = len >= 0 ? murmur3Bytes(scratch, len, 0) : murmur3(flagKey + ':' + unitId);
  return Math.floor((hash * 1_000_000) / 4294967296);
}
