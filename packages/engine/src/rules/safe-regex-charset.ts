/**
 * Character sets over UTF-16 code units for the safe regex engine.
 *
 * A set is a flat, sorted, merged list of inclusive ranges `[lo0, hi0, lo1, hi1, ...]`. Patterns run in
 * JavaScript's non-unicode mode, so every set is over code units 0..0xFFFF and surrogates are ordinary units.
 */

/** Flat list of inclusive code-unit ranges, sorted and non-overlapping. */
export type Ranges = readonly number[];

/** Predicate deciding whether one input code unit is accepted by a character node. */
export type CharMatcher = (codeUnit: number) => boolean;

const MAX_CODE_UNIT = 0xffff;

/** Sorts and merges arbitrary (possibly overlapping) ranges. */
export function normalizeRanges(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

/** Complement of a normalized set within 0..0xFFFF. */
export function complementRanges(ranges: Ranges): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    if (ranges[i]! > next) out.push(next, ranges[i]! - 1);
    next = ranges[i + 1]! + 1;
  }
  if (next <= MAX_CODE_UNIT) out.push(next, MAX_CODE_UNIT);
  return out;
}

/** Binary search membership test on a normalized set. */
export function inRanges(ranges: Ranges, c: number): boolean {
  let lo = 0;
  let hi = (ranges.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c < ranges[2 * mid]!) hi = mid - 1;
    else if (c > ranges[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** `\d` (ECMA-262 §22.2.2.9 CharacterClassEscape). */
export const DIGIT: Ranges = [0x30, 0x39];
/** `\w`: ASCII word characters; non-unicode mode never adds other characters. */
export const WORD: Ranges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
/** `\s`: ECMAScript WhiteSpace plus LineTerminator (as of Unicode 15; Zs has been stable for years). */
export const SPACE: Ranges = normalizeRanges([
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f,
  0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
]);
/** `.` without the `s` flag: everything except the four LineTerminators. */
export const DOT: Ranges = complementRanges(normalizeRanges([0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029]));

/** True for `\w` code units; `\b` uses this ASCII-only definition in non-unicode mode (IsWordChar). */
export function isWordUnit(c: number): boolean {
  return inRanges(WORD, c);
}

let canonTable: Uint16Array | undefined;
let foldGroups: Map<number, number[]> | undefined;

/**
 * ECMA-262 Canonicalize(rer, ch) for non-unicode ignoreCase: `toUpperCase` of the single code unit, unless that
 * yields several units or maps a non-ASCII unit into ASCII (so `ſ` does not match `s`, Kelvin sign not `k`).
 */
function canonicalizeSlow(c: number): number {
  const upper = String.fromCharCode(c).toUpperCase();
  if (upper.length !== 1) return c;
  const u = upper.charCodeAt(0);
  return c >= 128 && u < 128 ? c : u;
}

/** Builds the canonicalization table and its inverse once, on first use of the `i` flag (~128 KiB). */
function ensureFoldTables(): { canon: Uint16Array; groups: Map<number, number[]> } {
  if (canonTable === undefined || foldGroups === undefined) {
    const canon = new Uint16Array(MAX_CODE_UNIT + 1);
    for (let c = 0; c <= MAX_CODE_UNIT; c++) canon[c] = canonicalizeSlow(c);
    const groups = new Map<number, number[]>();
    for (let c = 0; c <= MAX_CODE_UNIT; c++) {
      const k = canon[c]!;
      if (k === c) continue;
      let group = groups.get(k);
      if (group === undefined) {
        group = canon[k] === k ? [k] : [];
        groups.set(k, group);
      }
      group.push(c);
    }
    canonTable = canon;
    foldGroups = groups;
  }
  return { canon: canonTable, groups: foldGroups };
}

/**
 * Builds the matcher for a set. With `ignoreCase`, follows CharacterSetMatcher: `c` matches when some member
 * `m` of the set has Canonicalize(m) === Canonicalize(c); the candidates `m` are looked up in the inverse table.
 * ASCII results are precomputed into a bitmap because rule attributes are overwhelmingly ASCII.
 */
export function makeMatcher(ranges: Ranges, negate: boolean, ignoreCase: boolean): CharMatcher {
  let member: CharMatcher = (c) => inRanges(ranges, c);
  if (ignoreCase) {
    const { canon, groups } = ensureFoldTables();
    member = (c) => {
      const group = groups.get(canon[c]!);
      if (group === undefined) return inRanges(ranges, c);
      for (const m of group) if (inRanges(ranges, m)) return true;
      return false;
    };
  }
  const ascii = new Uint8Array(128);
  for (let c = 0; c < 128; c++) ascii[c] = member(c) !== negate ? 1 : 0;
  return (c) => (c < 128 ? ascii[c] === 1 : member(c) !== negate);
}
