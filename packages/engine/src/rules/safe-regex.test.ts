import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileSafeRegex,
  MAX_NFA_STATES,
  MAX_PATTERN_LENGTH,
  matchSteps,
  nfaStateCount,
  type SafeRegex,
} from './safe-regex.js';

function compile(pattern: string, flags = ''): SafeRegex {
  const result = compileSafeRegex(pattern, flags);
  if (!result.ok) throw new Error(`unexpected rejection of /${pattern}/${flags}: ${result.message}`);
  return result.regex;
}

/** Linear bound documented on matchSteps: per position at most 3n + 1 closure pops and n character tests. */
function stepBound(regex: SafeRegex, input: string): number {
  return 5 * (input.length + 1) * nfaStateCount(regex);
}

describe('compileSafeRegex: accepted patterns match like native RegExp', () => {
  // [pattern, flags, input, expected]
  const cases: [string, string, string, boolean][] = [
    ['', '', '', true],
    ['', '', 'anything', true],
    ['abc', '', 'xxabcxx', true],
    ['abc', '', 'ab', false],
    ['^abc', '', 'abcd', true],
    ['^abc', '', 'xabc', false],
    ['abc$', '', 'xabc', true],
    ['abc$', '', 'abc\n', false],
    ['^$', '', '', true],
    ['^$', '', 'a', false],
    ['a.c', '', 'abc', true],
    ['a.c', '', 'a\nc', false],
    ['a.c', '', 'a\rc', false],
    ['a.c', '', 'a\u2028c', false],
    ['a.c', '', 'a\u2029c', false],
    ['a.c', '', 'a\u0085c', true],
    ['\\.', '', 'a.b', true],
    ['\\.', '', 'ab', false],
    ['\\\\', '', 'a\\b', true],
    ['\\/\\-\\[\\]\\(\\)\\{\\}', '', '/-[](){}', true],
    ['\\*\\+\\?\\|\\^\\$', '', '*+?|^$', true],
    ['\\n\\r\\t', '', '\n\r\t', true],
    ['\\f\\v\\0', '', '\f\v\0', true],
    ['\\x41\\u0042', '', 'AB', true],
    ['\\@\\#\\_', '', '@#_', true],
    ['[abc]', '', 'xbx', true],
    ['[abc]', '', 'xyz', false],
    ['[a-z]+', '', '123q', true],
    ['^[^0-9]+$', '', 'abc', true],
    ['^[^0-9]+$', '', 'ab1', false],
    ['[]', '', 'abc', false],
    ['[^]', '', '\n', true],
    ['[\\d_]', '', '_', true],
    ['[\\w-]', '', '-', true],
    ['[-a]', '', '-', true],
    ['[a-]', '', '-', true],
    ['[a-c-e]', '', '-', true],
    ['[\\b]', '', '\b', true],
    ['[\\]]', '', ']', true],
    ['[[]', '', '[', true],
    ['[\\s]', '', '\u00a0', true],
    ['[^\\W]', '', 'x', true],
    ['\\d+', '', 'v12', true],
    ['^\\D+$', '', 'abc', true],
    ['\\w', '', 'é', false],
    ['^\\W$', '', 'é', true],
    ['\\s', '', '\ufeff', true],
    ['\\s', '', '\u3000', true],
    ['\\S', '', ' \t', false],
    ['\\bfoo\\b', '', 'a foo b', true],
    ['\\bfoo\\b', '', 'afoob', false],
    ['\\Boo\\B', '', 'foob', true],
    ['(ab)+', '', 'abab', true],
    ['^(?:ab)+$', '', 'aba', false],
    ['^(beta|canary)-\\d+$', '', 'canary-42', true],
    ['^(beta|canary)-\\d+$', '', 'stable-42', false],
    ['a|', '', 'zzz', true],
    ['()', '', '', true],
    ['^a{3}$', '', 'aaa', true],
    ['^a{3}$', '', 'aaaa', false],
    ['^a{2,}$', '', 'a', false],
    ['^a{2,}$', '', 'aaaaa', true],
    ['^a{1,3}$', '', 'aaaa', false],
    ['^a{0}$', '', '', true],
    ['^a{0,0}b$', '', 'b', true],
    ['^a*?$', '', 'aaa', true],
    ['^a+?b$', '', 'aab', true],
    ['^a??b$', '', 'b', true],
    ['^a{1,2}?$', '', 'aa', true],
    ['^(a*)*$', '', 'aaa', true],
    ['^(a|)+b$', '', 'aab', true],
    ['^(?:^)*a', '', 'a', true],
    ['^(?:$|a)+$', '', 'aa', true],
    ['x{1000}', '', 'x'.repeat(1000), true],
    ['x{1000}', '', 'x'.repeat(999), false],
    ['\ud83d', '', '\ud83d\ude00', true],
    ['^.$', '', '\ud83d\ude00', false],
    ['ABC', 'i', 'xabcx', true],
    ['[a-z]', 'i', 'K', true],
    ['[^a-z]', 'i', 'K', false],
    ['\\W', 'i', 'k', false],
    ['σ', 'i', 'ς', true],
    ['Σ', 'i', 'σ', true],
    ['s', 'i', 'ſ', false],
    ['k', 'i', '\u212a', false],
    ['ß', 'i', 'ẞ', false],
    ['é', 'i', 'É', true],
    ['\\bFOO', 'i', 'foo', true],
  ];
  it.each(cases)('/%s/%s on %j -> %s', (pattern, flags, input, expected) => {
    expect(new RegExp(pattern, flags).test(input)).toBe(expected); // keeps the table honest
    expect(compile(pattern, flags).test(input)).toBe(expected);
  });

  it('exposes the source and is reusable', () => {
    const regex = compile('^b.t+a$');
    expect(regex.source).toBe('^b.t+a$');
    expect([regex.test('beta'), regex.test('bet'), regex.test('bitta'), regex.test('beta')]).toEqual([
      true,
      false,
      true,
      true,
    ]);
  });
});

describe('compileSafeRegex: rejected patterns', () => {
  // [pattern, flags, message fragment, offset]
  const cases: [string, string, string, number][] = [
    ['(a)\\1', '', 'Backreferences (\\1)', 3],
    ['\\k<n>', '', 'Backreferences (\\k<name>)', 0],
    ['(?<n>a)', '', 'Named groups', 0],
    ['(?=a)', '', 'Lookahead', 0],
    ['a(?!b)', '', 'Lookahead', 1],
    ['(?<=a)b', '', 'Lookbehind', 0],
    ['x(?<!a)b', '', 'Lookbehind', 1],
    ['(?i)a', '', "Invalid group: '(?'", 0],
    ['(ab', '', "Unterminated group: missing ')'", 0],
    ['a(b(c)', '', "Unterminated group: missing ')'", 1],
    ['ab)', '', "Unmatched ')'", 2],
    ['[ab', '', "Unterminated character class: missing ']'", 0],
    ['x[^a-', '', "Unterminated character class: missing ']'", 1],
    ['*a', '', 'Nothing to repeat', 0],
    ['a|+', '', 'Nothing to repeat', 2],
    ['(*)', '', 'Nothing to repeat', 1],
    ['a**', '', 'Nothing to repeat (quantifier after a quantifier)', 2],
    ['a{2}{3}', '', 'Nothing to repeat (quantifier after a quantifier)', 4],
    ['a*??', '', 'Nothing to repeat (quantifier after a quantifier)', 3],
    ['^*', '', 'Nothing to repeat (quantifier after an assertion)', 1],
    ['\\b+', '', 'Nothing to repeat (quantifier after an assertion)', 2],
    ['{2}', '', 'Nothing to repeat', 0],
    ['a{2,1}', '', 'Quantifier range out of order: {2,1}', 1],
    ['a{1,1001}', '', 'Repetition count exceeds 1000: {1,1001}', 1],
    ['a{1001}', '', 'Repetition count exceeds 1000', 1],
    ['a{99999999999999999999999}', '', 'Repetition count exceeds 1000', 1],
    ['a{', '', "Lone '{' is not a valid quantifier", 1],
    ['a{,5}', '', "Lone '{' is not a valid quantifier", 1],
    ['{', '', "Lone '{' is not a valid quantifier", 0],
    ['a}', '', "Lone '}'", 1],
    ['a]', '', "Lone ']'", 1],
    ['[z-a]', '', 'Character class range out of order', 1],
    ['[\\d-z]', '', 'cannot be range endpoints', 1],
    ['ab\\', '', '\\ at end of pattern', 2],
    ['\\cA', '', "Unsupported escape '\\c'", 0],
    ['x\\p{L}', '', "Unsupported escape '\\p'", 1],
    ['[\\B]', '', "Unsupported escape '\\B'", 1],
    ['\\u{41}', '', 'Invalid escape: expected 4 hex digits', 0],
    ['\\x4', '', 'Invalid escape: expected 2 hex digits', 0],
    ['\\01', '', 'Octal escapes', 0],
    ['[\\1]', '', 'Octal escapes', 1],
    ['(a{1000}){1000}', '', `NFA would exceed ${MAX_NFA_STATES} states`, 9],
    ['(?:a{100}){100}', '', `NFA would exceed ${MAX_NFA_STATES} states`, 10],
    ['ab|(?:(?:a{10}){10}){101}', '', `NFA would exceed ${MAX_NFA_STATES} states`, 20],
    ['a'.repeat(MAX_PATTERN_LENGTH + 1), '', `Pattern exceeds ${MAX_PATTERN_LENGTH} characters`, 1024],
    ['a', 'g', "Unsupported flags 'g'", 0],
    ['a', 'ii', "Unsupported flags 'ii'", 0],
    ['a', 'm', "Unsupported flags 'm'", 0],
  ];
  it.each(cases)('/%s/%s -> %s @%i', (pattern, flags, message, offset) => {
    const result = compileSafeRegex(pattern, flags);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain(message);
    expect(result.offset).toBe(offset);
  });

  it('accepts the largest pattern and program sizes', () => {
    expect(compileSafeRegex('a'.repeat(MAX_PATTERN_LENGTH)).ok).toBe(true);
    expect(compileSafeRegex('(?:a{111}){90}').ok).toBe(true); // 9,990 CHAR states + MATCH
  });

  it('never throws, whatever the input', () => {
    const alphabet = fc.constantFrom(...'ab()[]{}|*+?^$\\.-,0123dDwWsSbBkcux:=!<>'.split(''), '\ud800', 'é');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 24 }), fc.string(), (pattern, flags) => {
        expect(() => compileSafeRegex(pattern, flags)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
    expect(compileSafeRegex(undefined as unknown as string).ok).toBe(false);
    expect(compileSafeRegex('a', null as unknown as string).ok).toBe(false);
  });
});

const INPUT_UNITS = [
  'a',
  'b',
  'A',
  'B',
  'c',
  '0',
  '_',
  ' ',
  '-',
  '\n',
  'ſ',
  'σ',
  'ς',
  'Σ',
  '\u212a',
  'k',
  'K',
];
const inputArb = fc.string({ unit: fc.constantFrom(...INPUT_UNITS), maxLength: 12 });
const flagsArb = fc.constantFrom('', 'i');

/** Random patterns from the supported grammar over a small alphabet. */
const patternArb = fc.letrec<{ regex: string; alt: string; term: string; atom: string }>((tie) => ({
  regex: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('alt'),
    fc.array(tie('alt'), { minLength: 2, maxLength: 3 }).map((alts) => alts.join('|')),
  ),
  alt: fc.array(tie('term'), { maxLength: 4 }).map((terms) => terms.join('')),
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('^', '$', '\\b', '\\B'),
    fc
      .tuple(
        tie('atom'),
        fc.constantFrom('', '', '*', '+', '?', '{2}', '{0,2}', '{1,}', '*?', '+?', '??', '{1,2}?', '{0}'),
      )
      .map(([atom, quantifier]) => atom + quantifier),
  ),
  atom: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('a', 'b', 'A', 'k', 'σ', '.', '\\d', '\\w', '\\W', '\\s', '\\-', '[ab]', '[^a]', '[a-c]'),
    fc.constantFrom('[\\w-]', '[^\\s]', '[]', '[^]', '[K-k]'),
    tie('regex').map((inner) => `(${inner})`),
    tie('regex').map((inner) => `(?:${inner})`),
  ),
}));

describe('compileSafeRegex: differential against native RegExp', () => {
  it('agrees with RegExp.prototype.test on generated patterns', () => {
    fc.assert(
      fc.property(
        patternArb.regex,
        flagsArb,
        fc.array(inputArb, { minLength: 1, maxLength: 5 }),
        (p, f, inputs) => {
          const regex = compile(p, f);
          const native = new RegExp(p, f);
          for (const input of inputs)
            expect(regex.test(input), `/${p}/${f} on ${JSON.stringify(input)}`).toBe(native.test(input));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('accepts only patterns that native RegExp accepts, and agrees on them', () => {
    const unit = fc.constantFrom(...'ab()[]{}|*+?^$\\.-,012dwsbB:'.split(''));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 10 }), flagsArb, inputArb, (pattern, flags, input) => {
        const result = compileSafeRegex(pattern, flags);
        if (!result.ok) return;
        const native = new RegExp(pattern, flags); // must not throw: our syntax is a subset
        expect(result.regex.test(input), `/${pattern}/${flags} on ${JSON.stringify(input)}`).toBe(
          native.test(input),
        );
      }),
      { numRuns: 5000 },
    );
  });
});

describe('compileSafeRegex: linear time on pathological patterns', () => {
  const input = 'a'.repeat(50_000) + '!';
  it.each(['(a+)+$', '(a|a)*b', '(a|aa)*c', '(\\d*)*x', '^(a?){25}a{25}$', '(?:a*)*(?:a*)*$b'])(
    '%s',
    (pattern) => {
      const regex = compile(pattern);
      expect(regex.test(input)).toBe(false);
      const steps = matchSteps(regex, input);
      expect(steps).toBeGreaterThan(0);
      expect(steps).toBeLessThanOrEqual(stepBound(regex, input));
      const short = 'a'.repeat(12) + '!'; // native backtracking is exponential here: keep it short
      expect(regex.test(short)).toBe(new RegExp(pattern).test(short));
    },
  );

  it('keeps the bound on random patterns and inputs', () => {
    fc.assert(
      fc.property(patternArb.regex, flagsArb, inputArb, (pattern, flags, text) => {
        const regex = compile(pattern, flags);
        expect(matchSteps(regex, text)).toBeLessThanOrEqual(stepBound(regex, text));
      }),
      { numRuns: 1000 },
    );
  });

  it('reports -1 for foreign objects', () => {
    const fake: SafeRegex = { source: 'a', test: () => true };
    expect(matchSteps(fake, 'a')).toBe(-1);
    expect(nfaStateCount(fake)).toBe(-1);
    expect(nfaStateCount(compile('ab'))).toBe(3);
  });
});
