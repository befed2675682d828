import { describe, expect, it } from 'vitest';
import type { ExpressionDiagnostic } from '../diagnostics.js';
import type { Expr } from './ast.js';
import { MAX_EXPRESSION_DEPTH, parseExpression } from './parser.js';

/** A compact S-expression of the AST, so each case fits on one line. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return typeof e.value === 'string' ? `'${e.value}'` : String(e.value);
    case 'list':
      return `[${e.items.map(show).join(' ')}]`;
    case 'attribute':
      return e.path.join('.');
    case 'not':
      return `(! ${show(e.operand)})`;
    case 'and':
    case 'or':
      return `(${e.kind === 'and' ? '&&' : '||'} ${e.operands.map(show).join(' ')})`;
    case 'compare':
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'call':
      return `${e.name}(${e.args.map(show).join(' ')})`;
  }
}

function parse(source: string): { ast?: string; errors: ExpressionDiagnostic[] } {
  const errors: ExpressionDiagnostic[] = [];
  const ast = parseExpression(source, errors);
  return { ...(ast ? { ast: show(ast) } : {}), errors };
}

describe('parser: accepted expressions', () => {
  it.each([
    ["market in ['DE','SE']", "(in market ['DE' 'SE'])"],
    ["brand == 'X' && user.isEmployee", "(&& (== brand 'X') user.isEmployee)"],
    ['a || b && c', '(|| a (&& b c))'],
    ['(a || b) && c', '(&& (|| a b) c)'],
    ['a && b && c && d', '(&& a b c d)'],
    ['!a', '(! a)'],
    ['!!a', '(! (! a))'],
    ['!(a == 1)', '(! (== a 1))'],
    ['x != "y"', "(!= x 'y')"],
    ['age >= 18', '(>= age 18)'],
    ['age < 18.5', '(< age 18.5)'],
    ['delta > -3', '(> delta -3)'],
    ['score <= -0.25', '(<= score -0.25)'],
    ["market not in ['UK']", "(not in market ['UK'])"],
    ['flag == true', '(== flag true)'],
    ['flag == false', '(== flag false)'],
    ['x in []', '(in x [])'],
    ['x in [1, 2, 3,]', '(in x [1 2 3])'],
    ["startsWith(user.email, 'qa+')", "startsWith(user.email 'qa+')"],
    ["matches(user.id, '^t-[0-9]+$', 'i')", "matches(user.id '^t-[0-9]+$' 'i')"],
    ["appVersion >= semver('2.3.0')", "(>= appVersion semver('2.3.0'))"],
    ["now() >= '2026-12-01T00:00:00Z'", "(>= now() '2026-12-01T00:00:00Z')"],
    ["segment('employees') || vip", "(|| segment('employees') vip)"],
    ['a.b.c.d.e == 1', '(== a.b.c.d.e 1)'],
    ['user.in == 1', '(== user.in 1)'],
    ["'it\\'s' == s", "(== 'it's' s)"],
    ['"tab\\there" == s', "(== 'tab\there' s)"],
    ['  a  \n && \n b ', '(&& a b)'],
    ['true', 'true'],
    ['$x == _y', '(== $x _y)'],
  ])('%s → %s', (source, expected) => {
    const { ast, errors } = parse(source);
    expect(errors).toEqual([]);
    expect(ast).toBe(expected);
  });
});

describe('parser: rejected expressions name the problem and where', () => {
  it.each([
    ['', 'EXPR_EMPTY', 0],
    ['   ', 'EXPR_EMPTY', 0],
    ["market = 'DE'", 'EXPR_SYNTAX', 7],
    ["brand == 'X' & vip", 'EXPR_SYNTAX', 13],
    ["market in ['DE' 'SE']", 'EXPR_SYNTAX', 16],
    ["market in ['DE',", 'EXPR_SYNTAX', 16],
    ["brand == 'X", 'EXPR_UNTERMINATED_STRING', 9],
    ['(a && b', 'EXPR_SYNTAX', 0],
    ['a && b)', 'EXPR_SYNTAX', 6],
    ['a ==', 'EXPR_SYNTAX', 4],
    ['== a', 'EXPR_SYNTAX', 0],
    ['a == b == c', 'EXPR_SYNTAX', 7],
    ['a < b < c', 'EXPR_SYNTAX', 6],
    ['a not b', 'EXPR_SYNTAX', 2],
    ['-a', 'EXPR_SYNTAX', 0],
    ['a.', 'EXPR_SYNTAX', 2],
    ['a.1', 'EXPR_SYNTAX', 2],
    ['f(a', 'EXPR_SYNTAX', 1],
    ["'\\q' == a", 'EXPR_SYNTAX', 1],
    ['a # b', 'EXPR_SYNTAX', 2],
    ['in', 'EXPR_SYNTAX', 0],
    ['1.', 'EXPR_SYNTAX', 1],
    [
      `${'('.repeat(MAX_EXPRESSION_DEPTH + 1)}a${')'.repeat(MAX_EXPRESSION_DEPTH + 1)}`,
      'EXPR_TOO_DEEP',
      MAX_EXPRESSION_DEPTH,
    ],
    [`${'!'.repeat(MAX_EXPRESSION_DEPTH + 1)}a`, 'EXPR_TOO_DEEP', MAX_EXPRESSION_DEPTH],
  ])('%s → %s at %i', (source, code, start) => {
    const { ast, errors } = parse(source as string);
    expect(ast).toBeUndefined();
    expect(errors[0]).toMatchObject({ code, start });
    expect(errors[0]!.message.length).toBeGreaterThan(5);
  });

  it('refuses expressions longer than the limit', () => {
    expect(parse(`a == '${'x'.repeat(20_000)}'`).errors[0]).toMatchObject({
      code: 'EXPR_TOO_LONG',
      start: 16_384,
    });
  });

  it('suggests == for a single =', () => {
    expect(parse("market = 'DE'").errors[0]!.message).toContain("use '=='");
  });
});
