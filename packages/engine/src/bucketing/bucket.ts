import { type HashPrefix, hashAfter, prefixState } from './murmur3.js';

/**
 * Sticky bucketing, version 1 (spec: packages/engine/spec/bucketing.md).
 *
 *   bucket = floor(murmur3_x86_32(utf8(salt + ":" + value)) × 1,000,000 / 2^32)   ∈ [0, 999,999]
 *
 * A unit is inside a rollout of fraction f when bucket < round(f × 1,000,000): a million buckets give steps of
 * 0.0001 %, so canaries below 1 % work, and a unit inside at 5 % is inside at 25 % (monotonic). Each flag has
 * its own salt (its key by default), so the 10 % of one flag is independent of the 10 % of another.
 */
export const BUCKETING_VERSION = 1;
export const BUCKET_COUNT = 1_000_000;
const TWO_POW_32 = 4_294_967_296;

/** A salt's precomputed hash prefix. */
export type Bucketer = HashPrefix;

export function bucketer(salt: string): Bucketer {
  return prefixState(`${salt}:`);
}

/** The bucket of `value` under `salt`'s bucketer. Exact in doubles: hash × 10^6 < 2^53. */
export function bucketOf(b: Bucketer, value: string): number {
  return Math.floor((hashAfter(b, value) * BUCKET_COUNT) / TWO_POW_32);
}

/** Buckets below this threshold are inside a rollout of `fraction` (0–1). */
export function threshold(fraction: number): number {
  return Math.round(fraction * BUCKET_COUNT);
}

/**
 * The stickiness value of a context attribute as bucketing text: strings as they are, safe integers in decimal.
 * Anything else (missing, fractional numbers, objects) cannot be bucketed and returns undefined, so the same
 * player gets the same bucket in every SDK language.
 */
export function stickinessText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/**
 * The bucket for a salt and a value, in one call: for tools, tests and other SDKs' conformance checks.
 *
 * @example bucketFor('payments_v2', 'p-42') // a number in 0..999999, the same in every Pitboss SDK
 */
export function bucketFor(salt: string, value: string): number {
  return bucketOf(bucketer(salt), value);
}
