/**
 * Conditional requests and content coding for the snapshot endpoint, per RFC 9110. Pure functions over header
 * values, so each rule is tested on its own.
 */

export type Coding = 'gzip' | 'identity';

/**
 * The strong entity tag of a snapshot representation. The version is the validator; the gzip representation gets
 * its own tag because RFC 9110 §8.8.3.3 requires strong tags of differently content-coded representations of
 * the same resource to differ (a cache holding both must not answer one with the other's bytes).
 */
export function entityTag(version: number, coding: Coding): string {
  return coding === 'gzip' ? `"${version}-gzip"` : `"${version}"`;
}

/**
 * Whether `If-None-Match` matches the current version, so the answer is 304 Not Modified. RFC 9110 §13.1.2:
 * the field is `*` or a comma-separated list of entity tags, compared with the weak comparison function (a
 * `W/` prefix is ignored). Either coding's tag of the current version matches: both carry the same data, and a
 * client that switched `Accept-Encoding` (a proxy did) need not download it again.
 */
export function notModified(ifNoneMatch: string | undefined, version: number): boolean {
  if (ifNoneMatch === undefined) return false;
  const current = String(version);
  for (const raw of ifNoneMatch.split(',')) {
    const tag = raw.trim();
    if (tag === '*') return true;
    const opaque = /^(?:W\/)?"([^"]*)"$/.exec(tag)?.[1];
    if (opaque === current || opaque === `${current}-gzip`) return true;
  }
  return false;
}

/**
 * Whether the client accepts gzip (RFC 9110 §12.5.3): listed as `gzip` or `x-gzip` (or covered by `*`) with a
 * quality above zero. `gzip;q=0` refuses it explicitly, and an explicit refusal beats the wildcard.
 */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  let gzip: number | undefined;
  let wildcard: number | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim());
    const q = quality(params);
    const coding = name.toLowerCase();
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Math.max(gzip ?? 0, q);
    else if (coding === '*') wildcard = q;
  }
  return (gzip ?? wildcard ?? 0) > 0;
}

function quality(params: readonly string[]): number {
  for (const p of params) {
    const m = /^q\s*=\s*([0-9.]+)$/i.exec(p);
    if (m) {
      const q = Number(m[1]);
      return Number.isFinite(q) ? q : 0;
    }
  }
  return 1;
}
