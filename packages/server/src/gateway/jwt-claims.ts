import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Claims of the player's JWT (`Authorization: Bearer …`), for context attributes such as `{jwtClaim: sub}`.
 *
 * With a secret the token must be HS256, correctly signed and within `exp`/`nbf`, or no claim is read (an
 * attacker cannot choose their segment by forging a token). Without a secret the payload is only decoded: use
 * that when an upstream or an edge in front of the gateway already verified the token, since anyone can write
 * claims into an unsigned token. Either way a bad token only makes the claims missing — the request still goes
 * through, bucketed like an anonymous player — because authentication is the service's job, not the gateway's.
 */
export interface JwtOptions {
  readonly secret?: string;
  readonly now: () => number;
}

const MAX_TOKEN_LENGTH = 8192;

/** The claims, or undefined when there is no usable token. Never throws. */
export function jwtClaims(
  authorization: string | undefined,
  options: JwtOptions,
): Record<string, unknown> | undefined {
  if (authorization === undefined || authorization.length > MAX_TOKEN_LENGTH) return undefined;
  if (authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = authorization.slice(7).trim();
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decode(headerPart);
  const payload = decode(payloadPart);
  if (header === undefined || payload === undefined) return undefined;
  if (options.secret !== undefined) {
    // Only HS256: accepting the token's own `alg` is the classic "alg: none" hole.
    if (header.alg !== 'HS256') return undefined;
    const expected = createHmac('sha256', options.secret).update(`${headerPart}.${payloadPart}`).digest();
    const given = Buffer.from(signaturePart, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const nowSec = options.now() / 1000;
    if (typeof payload.exp === 'number' && !(nowSec < payload.exp)) return undefined;
    if (typeof payload.nbf === 'number' && nowSec < payload.nbf) return undefined;
  }
  return payload;
}

function decode(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** An HS256 token, for tests and tools. */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
