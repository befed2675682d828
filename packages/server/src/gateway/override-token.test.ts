import { describe, expect, it } from 'vitest';
import { mintOverrideToken, verifyOverrideToken } from './override-token.js';

const SECRET = 'shared-with-the-control-plane';
const NOW = Date.UTC(2025, 0, 1);

describe('override tokens', () => {
  it('verifies a token it minted until it expires', () => {
    const token = mintOverrideToken(SECRET, { service: 'wallet', version: 'v2', ttlMs: 60_000 }, NOW);
    expect(verifyOverrideToken(SECRET, token, NOW + 59_999)).toEqual({
      ok: true,
      claims: { service: 'wallet', version: 'v2', expiresAt: NOW + 60_000 },
    });
    expect(verifyOverrideToken(SECRET, token, NOW + 60_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token signed with another secret, or with its payload changed', () => {
    const token = mintOverrideToken('other', { service: 'wallet', version: 'v2', ttlMs: 60_000 }, NOW);
    expect(verifyOverrideToken(SECRET, token, NOW)).toEqual({ ok: false, reason: 'badSignature' });
    const good = mintOverrideToken(SECRET, { service: 'wallet', version: 'v2', ttlMs: 60_000 }, NOW);
    const forged = Buffer.from(JSON.stringify({ s: 'wallet', v: 'v3', e: NOW + 60_000 })).toString(
      'base64url',
    );
    expect(verifyOverrideToken(SECRET, `${forged}.${good.split('.')[1]}`, NOW)).toEqual({
      ok: false,
      reason: 'badSignature',
    });
  });

  it.each(['', 'v2', 'a.b.c', '.', 'x'.repeat(2000), 'eyJ9.'])('refuses the malformed token %j', (token) => {
    expect(verifyOverrideToken(SECRET, token, NOW).ok).toBe(false);
  });

  it('refuses to mint without a secret or a positive ttl', () => {
    expect(() => mintOverrideToken('', { service: 's', version: 'v', ttlMs: 1 })).toThrow(RangeError);
    expect(() => mintOverrideToken(SECRET, { service: 's', version: 'v', ttlMs: 0 })).toThrow(RangeError);
  });
});
