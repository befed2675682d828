import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSemver, parseSemver, type Semver } from './semver.js';

function parse(text: string): Semver {
  const version = parseSemver(text);
  if (version === undefined) throw new Error(`expected ${text} to parse`);
  return version;
}

function format(v: Semver): string {
  return `${v.major}.${v.minor}.${v.patch}` + (v.prerelease.length > 0 ? `-${v.prerelease.join('.')}` : '');
}

describe('parseSemver: valid', () => {
  // [text, major, minor, patch, prerelease]
  const cases: [string, number, number, number, (string | number)[]][] = [
    ['0.0.0', 0, 0, 0, []],
    ['1.2.3', 1, 2, 3, []],
    ['v2.3.0', 2, 3, 0, []],
    ['10.20.30', 10, 20, 30, []],
    ['1.0.0-alpha', 1, 0, 0, ['alpha']],
    ['1.0.0-alpha.1', 1, 0, 0, ['alpha', 1]],
    ['1.0.0-0.3.7', 1, 0, 0, [0, 3, 7]],
    ['1.0.0-x.7.z.92', 1, 0, 0, ['x', 7, 'z', 92]],
    ['1.0.0-x-y-z.--', 1, 0, 0, ['x-y-z', '--']],
    ['1.0.0-0A.is.legal', 1, 0, 0, ['0A', 'is', 'legal']],
    ['1.0.0-alpha+001', 1, 0, 0, ['alpha']],
    ['1.0.0+20130313144700', 1, 0, 0, []],
    ['1.0.0-beta+exp.sha.5114f85', 1, 0, 0, ['beta']],
    ['1.0.0+21AF26D3----117B344092BD', 1, 0, 0, []],
    ['v1.0.0-rc.1+build.7', 1, 0, 0, ['rc', 1]],
    ['9007199254740991.0.0', 9007199254740991, 0, 0, []],
    ['1.2.3-9007199254740991', 1, 2, 3, [9007199254740991]],
  ];
  it.each(cases)('%s', (text, major, minor, patch, prerelease) => {
    expect(parseSemver(text)).toEqual({ major, minor, patch, prerelease });
  });
});

describe('parseSemver: invalid', () => {
  const cases: string[] = [
    '',
    'v',
    '1',
    '1.2',
    '1.2.3.4',
    '01.2.3',
    '1.02.3',
    '1.2.03',
    '1.2.3-',
    '1.2.3-01',
    '1.2.3-alpha..1',
    '1.2.3-alpha.',
    '1.2.3+',
    '1.2.3+a..b',
    '1.2.3+a+b',
    '1.2.3-a_b',
    '1.2.3-α',
    ' 1.2.3',
    '1.2.3 ',
    'V1.2.3',
    'vv1.2.3',
    '=1.2.3',
    '-1.2.3',
    '1.-2.3',
    '+1.2.3',
    '1.2.3e0',
    '0x1.2.3',
    '1.2.a',
    '1..3',
    '9007199254740992.0.0',
    '1.2.3-9007199254740992',
    `1.2.3-${'a'.repeat(300)}`,
  ];
  it.each(cases)('%j', (text) => {
    expect(parseSemver(text)).toBeUndefined();
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(() => parseSemver(text)).not.toThrow();
      }),
    );
    expect(parseSemver(undefined as unknown as string)).toBeUndefined();
  });
});

describe('compareSemver', () => {
  // semver.org §11.4 example chain, plus core-version ordering (§11.2) and build metadata (§10).
  const chain = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.1.0',
    '1.10.0',
    '2.0.0',
    '10.0.0',
  ];
  it.each(chain.slice(1).map((text, i) => [chain[i]!, text]))('%s < %s', (lower, higher) => {
    expect(compareSemver(parse(lower), parse(higher))).toBe(-1);
    expect(compareSemver(parse(higher), parse(lower))).toBe(1);
  });

  // [a, b, expected]
  const cases: [string, string, -1 | 0 | 1][] = [
    ['1.0.0', '1.0.0', 0],
    ['1.0.0+build.1', '1.0.0+build.2', 0],
    ['v1.0.0', '1.0.0', 0],
    ['1.0.0-1', '1.0.0-a', -1],
    ['1.0.0-2', '1.0.0-10', -1],
    ['1.0.0-B', '1.0.0-a', -1],
    ['1.0.0-a.1', '1.0.0-a.1.0', -1],
    ['1.0.0-rc.1', '0.9.9', 1],
    ['2.3.0', '2.3.0-rc.1', 1],
  ];
  it.each(cases)('compare(%s, %s) = %i', (a, b, expected) => {
    expect(compareSemver(parse(a), parse(b))).toBe(expected);
  });

  const identifier = fc.oneof(
    fc.nat({ max: 20 }),
    fc.constantFrom('alpha', 'beta', 'rc', 'a', 'A', 'x-1', '0a'),
  );
  const version = fc.record({
    major: fc.nat({ max: 3 }),
    minor: fc.nat({ max: 3 }),
    patch: fc.nat({ max: 3 }),
    prerelease: fc.array(identifier, { maxLength: 3 }),
  });

  it('round-trips through format/parse', () => {
    fc.assert(
      fc.property(version, (v) => {
        expect(parseSemver(format(v))).toEqual(v);
      }),
    );
  });

  it('is reflexive and antisymmetric', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(compareSemver(a, a)).toBe(0);
        expect(compareSemver(a, b)).toBe(-compareSemver(b, a) || 0);
        if (compareSemver(a, b) === 0) expect(format(a)).toBe(format(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        if (compareSemver(a, b) <= 0 && compareSemver(b, c) <= 0)
          expect(compareSemver(a, c)).toBeLessThanOrEqual(0);
        if (compareSemver(a, b) < 0 && compareSemver(b, c) < 0) expect(compareSemver(a, c)).toBe(-1);
      }),
      { numRuns: 2000 },
    );
  });
});
