import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Tokens are 256 random bits, shown once and stored as SHA-256: a database leak reveals no usable token, and
 * with this much entropy a slow password hash would add latency without adding safety.
 * Format: `pb_api_…` for API tokens, `pb_sdk_…` for server-side SDK keys, `pb_client_…` for client-side keys that
 * ship inside web pages and apps (the prefix lets secret scanners find them).
 */
export type TokenKind = 'api' | 'sdk' | 'client';

export function generateToken(kind: TokenKind): string {
  return `pb_${kind}_${randomBytes(32).toString('base64url')}`;
}

export function generateTokenId(): string {
  return `tok_${randomBytes(6).toString('hex')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The kind a token claims by its prefix, or undefined for anything that is not a Pitboss token. */
export function tokenKind(token: string): TokenKind | undefined {
  if (/^pb_api_[A-Za-z0-9_-]{20,}$/.test(token)) return 'api';
  if (/^pb_sdk_[A-Za-z0-9_-]{20,}$/.test(token)) return 'sdk';
  if (/^pb_client_[A-Za-z0-9_-]{20,}$/.test(token)) return 'client';
  return undefined;
}

export function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
