import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DiagnosticCode } from '../diagnostics.js';
import { compile } from '../evaluation/compile-config.js';
import { type CompiledExpression, compileExpression } from './expression.js';
import { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH } from './parser.js';
import type { CheckEnv, CompileEnv, Context } from './types.js';

/**
 * Rule expressions are typed by people into a UI and pasted from chat, so the compiler must treat any text as
 * possible input: it never throws, never hangs, and always answers with a predicate or a positioned error. And
 * a predicate it hands out must survive any context an SDK passes: missing attributes, wrong types, arrays,
 * null, `__proto__` as data. fast-check generates the inputs; a failure prints the shrunk counterexample.
 */

const ENV = {
  clock: () => 0,
  segment: () => undefined,
  segmentStatus: (name: string) => (name === 'employees' ? 'ok' : 'missing'),
} satisfies CheckEnv & CompileEnv;

/** The closed catalogue of diagnostic codes; `satisfies` keeps it in step with the DiagnosticCode type. */
const CODES = {
  EXPR_EMPTY: 1,
  EXPR_TOO_LONG: 1,
  EXPR_TOO_DEEP: 1,
  EXPR_SYNTAX: 1,
  EXPR_UNTERMINATED_STRING: 1,
  EXPR_UNKNOWN_FUNCTION: 1,
  EXPR_ARITY: 1,
  EXPR_TYPE: 1,
  EXPR_INVALID_REGEX: 1,
  EXPR_INVALID_SEMVER: 1,
  EXPR_INVALID_TIME: 1,
  EXPR_UNKNOWN_SEGMENT: 1,
  EXPR_SEGMENT_CYCLE: 1,
  EXPR_FORBIDDEN_ATTRIBUTE: 1,
  CONFIG_PARSE: 1,
  CONFIG_TYPE: 1,
  CONFIG_UNKNOWN_FIELD: 1,
  CONFIG_UNSUPPORTED: 1,
  CONFIG_REQUIRED: 1,
  CONFIG_INVALID_KEY: 1,
  CONFIG_DUPLICATE_KEY: 1,
  CONFIG_INVALID_DATE: 1,
  FLAG_INVALID_ROLLOUT: 1,
  FLAG_INVALID_SPLIT: 1,
  FLAG_UNKNOWN_VARIANT: 1,
  FLAG_VARIANT_TYPE: 1,
  FLAG_RULE_CONFLICT: 1,
  FLAG_UNKNOWN_ENVIRONMENT: 1,
  FLAG_UNKNOWN_PREREQUISITE: 1,
  FLAG_PREREQUISITE_CYCLE: 1,
  FLAG_TTL_MISSING: 1,
  FLAG_EXPIRED: 1,
} satisfies Record<DiagnosticCode, 1>;
const KNOWN_CODES = new Set<string>(Object.keys(CODES));

/**
 * The compiler's contract, checked on every generated input. Collecting problems (instead of expecting one by
 * one) keeps 10,000-run properties fast and reports every broken invariant of a counterexample at once.
 */
function contractViolations(source: string, e: CompiledExpression): string[] {
  const problems: string[] = [];
  const errors = e.diagnostics.filter((d) => d.severity !== 'warning');
  if (e.source !== source) problems.push('source not echoed');
  if (e.predicate !== undefined && errors.length > 0) problems.push('predicate despite errors');
  if (e.predicate === undefined && errors.length === 0) problems.push('neither a predicate nor an error');
  if (e.predicate !== undefined && e.ast === undefined) problems.push('predicate without an AST');
  for (const d of e.diagnostics) {
    const tag = `${d.code} "${d.message}" [${d.start}, ${d.end})`;
    // Only rule-language codes can come out of an expression.
    if (!KNOWN_CODES.has(d.code) || !d.code.startsWith('EXPR_')) problems.push(`unknown code: ${tag}`);
    if (typeof d.message !== 'string' || d.message.trim() === '') problems.push(`empty message: ${tag}`);
    const startInside = Number.isInteger(d.start) && d.start >= 0 && d.start <= source.length;
    if (!startInside) problems.push(`start outside the source: ${tag}`);
    if (!(Number.isInteger(d.end) && d.end >= d.start)) problems.push(`end before start: ${tag}`);
    if (![undefined, 'error', 'warning'].includes(d.severity)) problems.push(`severity: ${tag}`);
  }
  return problems;
}

function compileChecked(source: string): CompiledExpression {
  const e = compileExpression(source, ENV);
  const problems = contractViolations(source, e);
  if (problems.length > 0) throw new Error(`${JSON.stringify(source.slice(0, 200))}: ${problems.join('; ')}`);
  return e;
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs.

/** Valid expressions covering every construct of the language; each compiles without errors (checked below). */
const SEEDS = [
  "market in ['DE','SE']",
  "brand == 'X' && user.isEmployee",
  "appVersion >= semver('2.3.0')",
  "now() >= '2026-12-01T00:00:00Z'",
  "matches(user.id, '^qa-[0-9]+$')",
  '!(a || b) && c not in [1, 2]',
  "segment('employees')",
  'user.isEmployee',
  'true',
  'false || !false',
  "market != 'UK'",
  'user.age >= 18 && user.age < 65',
  'user.balance > -100.5',
  "startsWith(user.email, 'qa+')",
  "endsWith(user.email, '@pitboss.dev')",
  "contains(user.tags, 'vip')",
  "matches(user.name, '^ann?a$', 'i')",
  "semver('3.0.0-beta.1') > appVersion",
  'now() < 1767225600000',
  'now() >= session.startedAt',
  'device.os in ["ios", "android"] && device.version >= semver(\'17.0.0\')',
  "(market == 'DE' || market == 'AT') && !user.isEmployee",
  "user.id in ['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6', 'p-7', 'p-8', 'p-9']",
  "a.b.c.d == 'deep'",
  'tier in [1, 2, 3] || vip == true',
  "'DE' == market",
  "country not in ['US', 'FR'] && age > 21",
  "segment('employees') && brand == 'X'",
  "matches(user.id, '^(qa|test)-[0-9]{2,4}$')",
  `name == 'it\\'s' && quote != "say \\"hi\\"\\n"`,
  'score >= 0.5 && score <= 1',
  "flag == true && other != false && x == 'a' || y",
];

/** Fragments a person (or a bad paste) might type: operators, quotes, brackets, keywords, function names. */
const TOKENS = [
  ...'( ) [ ] ! - . , == != < <= > >= && || & | = === \' " \\ in not true false null a user .id user.id'.split(
    ' ',
  ),
  ...'__proto__ constructor toString 1 0.5 -1 1e3 007 1. semver now matches segment contains startsWith endsWith'.split(
    ' ',
  ),
  ...`'employees' 'nope' '2.3.0' 'v1' '2026-12-01' '2026-13-01T00:00:00Z' '^a+$' '(a' '[z-a]' '(a+)+$' 'i' 'g'`.split(
    ' ',
  ),
  ..."() [] ['DE'] $ _ # @ ? : ; { } + * /".split(' '),
  ...[' ', '\n', '\t', 'not in', '\u00e9', '\u{1f600}', '\ud800', '\u2028', '\u0000'],
];
const token = fc.constantFrom(...TOKENS);

const randomText = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: token, maxLength: 30 }),
  // Mostly operators and brackets: the shapes that stress the parser's error paths.
  fc.string({
    unit: fc.constantFrom('(', ')', '[', ']', '!', '-', ',', '&&', '||', '==', 'in', 'not', 'a', '1'),
    maxLength: 80,
  }),
);

/** Splits roughly into tokens for token-level mutations (deliberately simpler than the real lexer). */
const roughTokens = (s: string): string[] =>
  s.match(/[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|==|!=|<=|>=|&&|\|\||\S/gu) ??
  [];

type Mutation = { kind: MutationKind; a: number; b: number; n: number; text: string };
const MUTATION_KINDS = [
  ...['delete', 'insert', 'duplicate', 'swapChars', 'truncate', 'unbalance'],
  ...['deleteToken', 'duplicateToken', 'swapTokens', 'replaceToken'],
  ...['nestParens', 'nestNot', 'nestCalls', 'lengthen', 'padToLimit'],
] as const;
type MutationKind = (typeof MUTATION_KINDS)[number];

const LONG_KINDS: readonly MutationKind[] = ['lengthen', 'padToLimit'];
const mutation: fc.Arbitrary<Mutation> = fc.record({
  // Long texts stay long under later mutations and cost more to compile, so they are the rare case.
  kind: fc.oneof(
    { arbitrary: fc.constantFrom(...MUTATION_KINDS.filter((k) => !LONG_KINDS.includes(k))), weight: 12 },
    { arbitrary: fc.constantFrom(...LONG_KINDS), weight: 1 },
  ),
  a: fc.nat(),
  b: fc.nat(),
  n: fc.integer({ min: 1, max: MAX_EXPRESSION_DEPTH + 8 }),
  text: fc.oneof(token, fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })),
});

function mutate(s: string, m: Mutation): string {
  const at = (x: number, len: number) => x % (len + 1);
  const p = at(m.a, s.length);
  const width = 1 + (m.n % 8);
  switch (m.kind) {
    case 'delete':
      return s.slice(0, p) + s.slice(p + width);
    case 'insert':
      return s.slice(0, p) + m.text + s.slice(p);
    case 'duplicate':
      return s.slice(0, p + width) + s.slice(p, p + width) + s.slice(p + width);
    case 'swapChars': {
      const chars = [...s]; // by code point; a split surrogate pair is its own case under 'delete'
      if (chars.length < 2) return s;
      const i = at(m.a, chars.length - 1);
      const j = at(m.b, chars.length - 1);
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
      return chars.join('');
    }
    case 'truncate':
      return s.slice(0, p);
    case 'unbalance':
      return m.a % 2 === 0 ? `${'('.repeat(width)}${s}` : `${s}${')]'.repeat(width)}`;
    case 'nestParens':
      return `${'('.repeat(m.n)}${s}${')'.repeat(m.n)}`;
    case 'nestNot':
      return `${'!('.repeat(m.n)}${s}${')'.repeat(m.n)}`;
    case 'nestCalls':
      return `${'contains(x, '.repeat(m.n)}${s}${')'.repeat(m.n)}`;
    case 'lengthen':
      // Past MAX_EXPRESSION_LENGTH by repetition: long but otherwise well-formed.
      return Array.from(
        { length: Math.ceil((MAX_EXPRESSION_LENGTH + 1) / (s.length + 4)) },
        () => `(${s})`,
      ).join('||');
    case 'padToLimit':
      // Right around the limit: MAX − 2 … MAX + 2 code units.
      return s.padEnd(MAX_EXPRESSION_LENGTH - 2 + (m.n % 5), m.a % 2 === 0 ? ' ' : ')');
    default: {
      const tokens = roughTokens(s);
      if (tokens.length === 0) return m.text;
      const i = m.a % tokens.length;
      const j = m.b % tokens.length;
      if (m.kind === 'deleteToken') tokens.splice(i, 1);
      else if (m.kind === 'duplicateToken') tokens.splice(i, 0, tokens[i]!);
      else if (m.kind === 'swapTokens') [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
      else tokens[i] = m.text;
      return tokens.join(' ');
    }
  }
}

const mutated = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 5 }))
  .map(([seed, ms]) => ms.reduce(mutate, seed));

/** Attribute names the seeds read, plus prototype-ish names that must be treated as plain data. */
const KEYS = [
  ...'market brand user id isEmployee appVersion a b c d age balance email tags name session startedAt'.split(
    ' ',
  ),
  ...'device os version tier vip country score flag other x y quote length'.split(' '),
  ...'__proto__ constructor prototype toString valueOf hasOwnProperty'.split(' '),
];
/** Values that make the seeds' comparisons go both ways, next to arbitrary ones. */
const interesting = fc.constantFrom<unknown>(
  ...'DE SE UK X ios 2.3.0 3.0.0-beta.1 17.1.0 v2 2026-12-01T00:00:00Z 2027-01-01 qa-12 Anna vip'.split(' '),
  ...["it's", 'qa+1@pitboss.dev', '', 0, -0, 1, 2, 18, 64, 65, 0.5, -100.5, 1767225600000, Number.NaN],
  ...[Number.POSITIVE_INFINITY, true, false, null, undefined, [], ['vip'], [1, 2], {}],
);
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 }));
const { value: contextValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    interesting,
    fc.anything({
      maxDepth: 2,
      withNullPrototype: true,
      withBoxedValues: true,
      withMap: true,
      withDate: true,
      withBigInt: true,
      withSparseArray: true,
      withTypedArray: true,
    }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    fc.array(tie('value'), { maxLength: 3 }),
  ),
}));
/** Contexts: objects keyed mostly by the attributes rules read; some with a null prototype, some arrays. */
const context: fc.Arbitrary<Context> = fc.oneof(
  fc.dictionary(key, contextValue, { maxKeys: 8, noNullPrototype: true }),
  fc.dictionary(key, contextValue, { maxKeys: 8 }), // sometimes with a null prototype
  fc.object({ maxDepth: 3 }),
  fc.array(contextValue, { maxLength: 3 }) as fc.Arbitrary<unknown> as fc.Arbitrary<Context>,
);

// ---------------------------------------------------------------------------------------------------------------

describe('rule language fuzzing', () => {
  it('every seed expression compiles cleanly (the mutations start from valid text)', () => {
    for (const seed of SEEDS) {
      const e = compileChecked(seed);
      expect(e.diagnostics, seed).toEqual([]);
      expect(e.predicate, seed).toBeDefined();
    }
  });

  it('(a) random text: never throws, always a predicate or a well-formed error', () => {
    // A hang would show as this test's timeout; there is no way to interrupt synchronous code from inside.
    fc.assert(
      fc.property(randomText, (s) => {
        compileChecked(s);
      }),
      { numRuns: 20_000 },
    );
  });

  it('(b) mutated valid expressions: the same contract', () => {
    fc.assert(
      fc.property(mutated, (s) => {
        compileChecked(s);
      }),
      { numRuns: 15_000 },
    );
  });

  it('(c) accepted predicates return a boolean for any context and never throw', () => {
    const candidate = fc.oneof(fc.constantFrom(...SEEDS), mutated);
    let accepted = 0;
    fc.assert(
      fc.property(candidate, fc.array(context, { minLength: 1, maxLength: 4 }), (s, contexts) => {
        const { predicate } = compileChecked(s);
        if (predicate === undefined) return;
        accepted++;
        for (const ctx of contexts) expect(typeof predicate(ctx)).toBe('boolean');
      }),
      { numRuns: 5_000 },
    );
    // Guard against a generator that stopped producing accepted expressions (the property would pass vacuously).
    expect(accepted).toBeGreaterThan(1_000);
  });

  it('(c) grouping and negation: (e) behaves as e, !(e) as its negation, or only a limit is hit', () => {
    const candidate = fc.oneof(fc.constantFrom(...SEEDS), mutated);
    fc.assert(
      fc.property(candidate, fc.array(context, { minLength: 1, maxLength: 3 }), (s, contexts) => {
        const { predicate } = compileChecked(s);
        if (predicate === undefined) return;
        const grouped = compileChecked(`(${s})`);
        const negated = compileChecked(`!(${s})`);
        for (const w of [grouped, negated]) {
          if (w.predicate === undefined) {
            // Two more levels or four more characters may cross a limit, nothing else may change.
            const codes = new Set(w.diagnostics.filter((d) => d.severity !== 'warning').map((d) => d.code));
            expect(
              [...codes].every((c) => c === 'EXPR_TOO_DEEP' || c === 'EXPR_TOO_LONG'),
              s,
            ).toBe(true);
          }
        }
        for (const ctx of contexts) {
          const v = predicate(ctx);
          if (grouped.predicate) expect(grouped.predicate(ctx)).toBe(v);
          if (negated.predicate) expect(negated.predicate(ctx)).toBe(!v);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('(c) evaluate: flags built from accepted rules answer every context without a GENERAL error', () => {
    // Through the public API: the config wraps evaluation in try/catch, so a throwing predicate would surface
    // as errorCode GENERAL rather than an exception. Non-object contexts must be refused as INVALID_CONTEXT.
    const accepted = SEEDS.filter((s) => compileExpression(s, ENV).predicate !== undefined);
    const { config, diagnostics } = compile(
      {
        segments: { employees: 'user.isEmployee == true' },
        flags: accepted.map((s, i) => ({
          key: `f${i}`,
          kind: 'ops',
          rules: [{ if: s, rollout: 0.5 }, { if: s }],
        })),
      },
      { now: 0, clock: () => 0 },
    );
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    fc.assert(
      fc.property(
        fc.nat(accepted.length - 1),
        fc.oneof(context, fc.anything() as fc.Arbitrary<Context>),
        (i, ctx) => {
          const r = config.evaluate(`f${i}`, 'prod', ctx);
          if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) {
            expect(r.errorCode).toBe('INVALID_CONTEXT');
          } else {
            expect(r.errorCode, r.errorMessage).toBeUndefined();
            expect(typeof r.value).toBe('boolean');
          }
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe('(d) limits', () => {
  const D = MAX_EXPRESSION_DEPTH;
  const L = MAX_EXPRESSION_LENGTH;
  const codes = (s: string) => compileChecked(s).diagnostics.map((d) => d.code);

  it.each([
    ['parentheses', (n: number) => `${'('.repeat(n)}true${')'.repeat(n)}`],
    ['negations', (n: number) => `${'!'.repeat(n)}user.isEmployee`],
    ['negated groups', (n: number) => `${n % 2 ? '!' : ''}${'!('.repeat(n >> 1)}true${')'.repeat(n >> 1)}`],
    ['unary minus', (n: number) => `x == ${'-'.repeat(n)}1`],
  ])(`%s: ${D} levels pass, ${D + 1} are EXPR_TOO_DEEP`, (_name, nest) => {
    expect(codes(nest(D))).toEqual([]);
    expect(codes(nest(D + 1))).toEqual(['EXPR_TOO_DEEP']);
    expect(codes(nest(D * 10))).toEqual(['EXPR_TOO_DEEP']);
  });

  it('lists and calls count towards the depth too', () => {
    expect(codes(`x in ${'['.repeat(D + 1)}1${']'.repeat(D + 1)}`)).toEqual(['EXPR_TOO_DEEP']);
    expect(codes(`${'contains(x, '.repeat(D + 1)}1${')'.repeat(D + 1)}`)).toEqual(['EXPR_TOO_DEEP']);
    expect(codes(`${'contains(x, '.repeat(D)}1${')'.repeat(D)}`)).not.toContain('EXPR_TOO_DEEP');
  });

  it('any mix of groups and negations: accepted up to the limit, EXPR_TOO_DEEP beyond', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('(', '!'), { maxLength: 2 * D }), (openers) => {
        const closers = openers.filter((o) => o === '(').map(() => ')');
        const e = compileChecked(`${openers.join('')}user.isEmployee${closers.join('')}`);
        if (openers.length <= D) expect(e.predicate).toBeDefined();
        else expect(e.diagnostics.map((d) => d.code)).toEqual(['EXPR_TOO_DEEP']);
      }),
      { numRuns: 2_000 },
    );
  });

  it('MAX_EXPRESSION_LENGTH characters pass, one more is EXPR_TOO_LONG', () => {
    expect(codes('true'.padEnd(L))).toEqual([]);
    expect(codes('true'.padEnd(L + 1))).toEqual(['EXPR_TOO_LONG']);
    // The length check comes first: a long text is not lexed at all, whatever it holds.
    expect(codes('('.repeat(L + 1))).toEqual(['EXPR_TOO_LONG']);
    expect(codes("'".repeat(L * 2))).toEqual(['EXPR_TOO_LONG']);
    const tooLong = compileChecked('x'.repeat(L + 10));
    expect(tooLong.diagnostics[0]!.start).toBeLessThanOrEqual(L + 10);
  });

  it('an allow-list of player ids just under the limit compiles and works', () => {
    const ids: string[] = [];
    let text = "user.id in ['p-0']";
    while (text.length < L - 20) {
      ids.push(`p-${ids.length}`);
      text = `user.id in [${ids.map((id) => `'${id}'`).join(', ')}]`;
    }
    const e = compileChecked(text);
    expect(text.length).toBeLessThanOrEqual(L);
    expect(e.predicate?.({ user: { id: ids.at(-1) } })).toBe(true);
    expect(e.predicate?.({ user: { id: 'p-x' } })).toBe(false);
    expect(codes(`${text} || user.id in ['${'x'.repeat(30)}']`)).toEqual(['EXPR_TOO_LONG']);
  });
});

/** Found by this file, reproduced minimally and fixed since: regression tests. */
describe('regressions', () => {
  it("an inherited Object.prototype member is not a value: `toString not in ['x']` must not match {}", () => {
    // compare.ts: "`!=` and `not in` are false too when the value is missing". pathGetter reads with `ctx[a]`,
    // which walks the prototype chain, so `toString`, `valueOf`, `hasOwnProperty`... are never missing.
    const e = compileChecked("toString not in ['x']");
    expect(e.predicate?.({})).toBe(false);
  });

  it('a primitive on an attribute path gives undefined: `market.length == 2` must not match', () => {
    // pathGetter's comment promises undefined for "a primitive on the way"; JavaScript string properties leak
    // through instead, which SDKs in other languages would not reproduce.
    const e = compileChecked('market.length == 2');
    expect(e.predicate?.({ market: 'DE' })).toBe(false);
  });

  it('an invalid-regex caret points at the offending character even after an escape', () => {
    // The pattern offset counts decoded characters; `\\` is two characters of source but one of the pattern.
    const source = "matches(x, '\\\\n(')"; // rule text: matches(x, '\\n(')
    const d = compileChecked(source).diagnostics.find((x) => x.code === 'EXPR_INVALID_REGEX');
    expect(source[d!.start]).toBe('(');
  });
});
