import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Override tokens let a tester pin themselves to a version (`x-pitboss-override` header or `pitboss_override`
 * cookie). A bare "send me to v2" header would let any player opt into an unreleased version, so the token is
 * signed by the control plane: `base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))` with
 * payload `{"s": service, "v": version, "e": expiry epoch ms}`. Without the shared secret the gateway ignores
 * overrides altogether.
 */
export interface OverrideClaims {
  readonly service: string;
  readonly version: string;
  /** Epoch ms after which the token is refused. */
  readonly expiresAt: number;
}

export const OVERRIDE_HEADER = 'x-pitboss-override';
export const OVERRIDE_COOKIE = 'pitboss_override';
/** Tokens are short; anything longer is refused before any hashing. */
const MAX_TOKEN_LENGTH = 1024;

/**
 * Mints an override token for `service` / `version` valid for `ttlMs` from `now`.
 *
 * @example
 * const token = mintOverrideToken(secret, { service: 'wallet', version: 'v2', ttlMs: 3_600_000 });
 * // curl -H "x-pitboss-override: $token" https://gateway/wallet/balance → served by v2 for an hour
 */
export function mintOverrideToken(
  secret: string,
  claims: { readonly service: string; readonly version: string; readonly ttlMs: number },
  now: number = Date.now(),
): string {
  if (secret.length === 0) throw new RangeError('override secret must not be empty');
  if (!(claims.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
  const payload = Buffer.from(
    JSON.stringify({ s: claims.service, v: claims.version, e: Math.floor(now + claims.ttlMs) }),
  ).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

export type OverrideCheck =
  | { readonly ok: true; readonly claims: OverrideClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'badSignature' | 'expired' };

/** Checks a token's signature (in constant time) and expiry. Never throws. */
export function verifyOverrideToken(secret: string, token: string, now: number): OverrideCheck {
  if (secret.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(secret, payload), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'badSignature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const p = parsed as { s?: unknown; v?: unknown; e?: unknown };
  if (typeof p?.s !== 'string' || typeof p.v !== 'string' || typeof p.e !== 'number')
    return { ok: false, reason: 'malformed' };
  if (!(now < p.e)) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { service: p.s, version: p.v, expiresAt: p.e } };
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
