import { describe, expect, it } from 'vitest';
import { compileExpression } from './expression.js';
import type { CheckEnv, CompileEnv } from './types.js';

const env: CheckEnv & CompileEnv = {
  clock: () => Date.parse('2026-11-27T12:00:00Z'),
  segment: () => () => true,
  segmentStatus: (name) => (name === 'employees' ? 'ok' : name === 'broken' ? 'invalid' : 'missing'),
};
const check = (source: string) => compileExpression(source, env);

describe('checker: accepted conditions', () => {
  it.each([
    "market in ['DE','SE']",
    "brand == 'X' && user.isEmployee",
    'user.vipLevel >= 3',
    "appVersion >= semver('2.3.0')",
    "semver('1.0.0') < appVersion",
    "appVersion == semver('v2.0.0')",
    "now() >= '2026-12-01T00:00:00Z'",
    "now() < '2026-12-01'",
    "now() >= '2026-12-01T20:00:00+01:00'",
    'now() > 1700000000000',
    'user.createdAt < now()',
    "matches(user.id, '^qa-[0-9]+$')",
    "matches(user.id, '^QA', 'i')",
    "startsWith(user.email, 'qa+') || endsWith(user.email, '@pitboss.example')",
    "contains(user.tags, 'vip')",
    "segment('employees')",
    "'DE' in user.markets",
    'true',
    '!user.banned',
  ])('%s', (source) => {
    const e = check(source);
    expect(e.diagnostics.filter((d) => d.severity !== 'warning')).toEqual([]);
    expect(e.predicate).toBeTypeOf('function');
  });
});

describe('checker: rejected conditions', () => {
  it.each([
    ["'DE'", 'EXPR_TYPE', 0],
    ['42', 'EXPR_TYPE', 0],
    ['market in "DE"', 'EXPR_TYPE', 10],
    ['market in 5', 'EXPR_TYPE', 10],
    ["['DE'] in markets", 'EXPR_TYPE', 0],
    ['market in [brand]', 'EXPR_TYPE', 11],
    ["'a' == 1", 'EXPR_TYPE', 0],
    ['flag < true', 'EXPR_TYPE', 7],
    ['nope(a)', 'EXPR_UNKNOWN_FUNCTION', 0],
    ['startswith(a, b)', 'EXPR_UNKNOWN_FUNCTION', 0],
    ['startsWith(a)', 'EXPR_ARITY', 0],
    ["matches(a, 'x', 'i', 'j')", 'EXPR_ARITY', 0],
    ['now(1)', 'EXPR_ARITY', 0],
    ['matches(a, b)', 'EXPR_TYPE', 11],
    ["matches(a, '(a+)+\\\\1')", 'EXPR_INVALID_REGEX', 17],
    ["matches(a, '(?=x)')", 'EXPR_INVALID_REGEX', 12],
    ["matches(a, 'x', 'g')", 'EXPR_INVALID_REGEX', 16],
    ["v >= semver('1.2')", 'EXPR_INVALID_SEMVER', 12],
    ["v >= semver('01.2.3')", 'EXPR_INVALID_SEMVER', 12],
    ["semver('1.2.3') < '1.x'", 'EXPR_INVALID_SEMVER', 18],
    ["semver('1.2.3') < true", 'EXPR_TYPE', 18],
    ["now() > 'tomorrow'", 'EXPR_INVALID_TIME', 8],
    ["now() > '2026-12-01T10:00:00'", 'EXPR_INVALID_TIME', 8],
    ["now() > '2026-13-45'", 'EXPR_INVALID_TIME', 8],
    ["segment('vips')", 'EXPR_UNKNOWN_SEGMENT', 8],
    ["segment('broken')", 'EXPR_UNKNOWN_SEGMENT', 8],
    ['segment(name)', 'EXPR_TYPE', 8],
    ['user.__proto__.x == 1', 'EXPR_FORBIDDEN_ATTRIBUTE', 0],
    ['constructor == 1', 'EXPR_FORBIDDEN_ATTRIBUTE', 0],
    ["semver('1.0.0')", 'EXPR_TYPE', 0],
    ['startsWith(now(), a)', 'EXPR_TYPE', 11],
  ])('%s → %s at %i', (source, code, start) => {
    const e = check(source);
    expect(e.predicate).toBeUndefined();
    expect(e.diagnostics).toContainEqual(expect.objectContaining({ code, start }));
  });

  it('suggests the right spelling of a function', () => {
    expect(check('startswith(a, b)').diagnostics[0]!.message).toContain('did you mean startsWith');
  });

  it('warns, but compiles, when versions are compared as text', () => {
    const e = check("appVersion >= '2.3.0'");
    expect(e.predicate).toBeTypeOf('function');
    expect(e.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'EXPR_TYPE' })]);
    expect(e.diagnostics[0]!.message).toContain("semver('2.3.0')");
  });

  it('reports every problem of an expression, not only the first', () => {
    const e = check("nope(a) && matches(b, '(?!x)') && v > semver('x')");
    expect(e.diagnostics.map((d) => d.code)).toEqual([
      'EXPR_UNKNOWN_FUNCTION',
      'EXPR_INVALID_REGEX',
      'EXPR_INVALID_SEMVER',
    ]);
  });
});
