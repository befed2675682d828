import { describe, expect, it } from 'vitest';
import { jwtClaims, signJwt } from './jwt-claims.js';

const NOW = Date.UTC(2025, 0, 1);
const now = () => NOW;
const exp = NOW / 1000 + 60;

describe('jwtClaims', () => {
  it('reads the claims of a token signed with the configured secret', () => {
    const token = signJwt({ sub: 'p-1', brand: 'x', exp }, 's3cret');
    expect(jwtClaims(`Bearer ${token}`, { secret: 's3cret', now })).toMatchObject({ sub: 'p-1', brand: 'x' });
  });

  it('reads nothing from a forged, expired, not-yet-valid or alg:none token when a secret is set', () => {
    const forged = signJwt({ sub: 'p-1', exp }, 'wrong');
    const expired = signJwt({ sub: 'p-1', exp: NOW / 1000 - 1 }, 's3cret');
    const early = signJwt({ sub: 'p-1', nbf: NOW / 1000 + 10 }, 's3cret');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"p-1"}').toString('base64url')}.`;
    for (const t of [forged, expired, early, none])
      expect(jwtClaims(`Bearer ${t}`, { secret: 's3cret', now })).toBeUndefined();
  });

  it('only decodes without a secret', () => {
    const forged = signJwt({ sub: 'p-1' }, 'anything');
    expect(jwtClaims(`bearer ${forged}`, { now })).toEqual({ sub: 'p-1' });
  });

  it.each([undefined, '', 'Basic abc', 'Bearer x', 'Bearer a.b.c', 'Bearer ..'])('ignores %j', (h) => {
    expect(jwtClaims(h, { now })).toBeUndefined();
  });
});
