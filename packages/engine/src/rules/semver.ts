/**
 * Semantic Versioning 2.0.0 (https://semver.org) parsing and precedence for rules such as
 * `appVersion >= semver('2.3.0')`.
 *
 * The grammar is the strict BNF of semver.org (§2, §9, §10) with two conveniences common in app version strings:
 * a leading `v` is accepted, and build metadata is validated but dropped because §10 says it does not affect
 * precedence. Parsing is a single left-to-right scan with no RegExp.
 */

/** A parsed version. Numeric prerelease identifiers are numbers, alphanumeric ones strings (§9, §11.4). */
export interface Semver {
  major: number;
  minor: number;
  patch: number;
  prerelease: readonly (string | number)[];
}

/** Longer inputs are rejected outright; no real version comes close, and it bounds work on hostile input. */
const MAX_LENGTH = 256;

/**
 * Parses a SemVer 2.0.0 version, or returns `undefined` when `text` is not one. Accepts an optional leading
 * lowercase `v` (`v2.3.0`); build metadata (`+build.5`) must be well-formed and is ignored. Numeric parts and
 * numeric prerelease identifiers must not have leading zeros (§2, §9) and must be safe integers. No whitespace,
 * no partial versions (`1.2`), at most 256 characters. Never throws.
 *
 * @example
 * parseSemver('v1.0.0-rc.1+build.7'); // { major: 1, minor: 0, patch: 0, prerelease: ['rc', 1] }
 * parseSemver('1.2'); // undefined
 */
export function parseSemver(text: string): Semver | undefined {
  if (typeof text !== 'string' || text.length > MAX_LENGTH) return undefined;
  const body = text.startsWith('v') ? text.slice(1) : text;
  const plus = body.indexOf('+');
  if (
    plus >= 0 &&
    !body
      .slice(plus + 1)
      .split('.')
      .every(isBuildIdentifier)
  )
    return undefined;
  const withoutBuild = plus >= 0 ? body.slice(0, plus) : body;
  const dash = withoutBuild.indexOf('-');
  const core = (dash >= 0 ? withoutBuild.slice(0, dash) : withoutBuild).split('.');
  if (core.length !== 3) return undefined;
  const [major, minor, patch] = core.map(parseNumericIdentifier);
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  const prerelease = dash >= 0 ? parsePrerelease(withoutBuild.slice(dash + 1)) : [];
  if (prerelease === undefined) return undefined;
  return { major, minor, patch, prerelease };
}

/**
 * Compares two versions by SemVer 2.0.0 precedence (§11): major, minor, patch numerically; then a release ranks
 * above any of its prereleases; prerelease identifiers compare left to right, numeric ones numerically and below
 * alphanumeric ones, alphanumeric ones in ASCII order; with an equal prefix the shorter list ranks lower.
 *
 * @example
 * compareSemver(parseSemver('1.0.0-beta.11')!, parseSemver('1.0.0-beta.2')!); // 1
 * compareSemver(parseSemver('1.0.0-rc.1')!, parseSemver('1.0.0')!); // -1
 */
export function compareSemver(a: Semver, b: Semver): -1 | 0 | 1 {
  const core = sign(a.major - b.major) || sign(a.minor - b.minor) || sign(a.patch - b.patch);
  if (core !== 0) return core;
  const pa = a.prerelease;
  const pb = b.prerelease;
  if (pa.length === 0 || pb.length === 0) return sign(pb.length - pa.length); // §11.3: release > prerelease
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const order = compareIdentifiers(pa[i]!, pb[i]!);
    if (order !== 0) return order;
  }
  return sign(pa.length - pb.length); // §11.4.4: a larger set of fields ranks higher
}

/** §11.4.1–§11.4.3: numbers numerically, numbers below strings, strings by ASCII code units. */
function compareIdentifiers(x: string | number, y: string | number): -1 | 0 | 1 {
  if (typeof x === 'number' && typeof y === 'number') return sign(x - y);
  if (typeof x === 'number') return -1;
  if (typeof y === 'number') return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** `[0-9A-Za-z-]+`, the character set of every identifier (§9, §10). */
function isIdentifierText(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum && c !== 0x2d) return false;
  }
  return true;
}

/** §2: a non-negative integer without leading zeros; additionally a safe integer so comparisons are exact. */
function parseNumericIdentifier(s: string): number | undefined {
  if (!isDigits(s) || (s.length > 1 && s.startsWith('0'))) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** §10: build identifiers allow leading zeros and are never compared. */
function isBuildIdentifier(s: string): boolean {
  return isIdentifierText(s);
}

/** §9: dot-separated, non-empty identifiers; numeric ones must not have leading zeros. */
function parsePrerelease(s: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  for (const id of s.split('.')) {
    if (!isIdentifierText(id)) return undefined;
    if (!isDigits(id)) {
      out.push(id);
      continue;
    }
    const n = parseNumericIdentifier(id);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}
