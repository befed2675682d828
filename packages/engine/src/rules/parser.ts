import type { ExpressionDiagnostic } from '../diagnostics.js';
import type { CompareOp, Expr } from './ast.js';
import { type Token, tokenize } from './lexer.js';

/** Longest expression accepted, in UTF-16 code units: allow-lists of player ids fit, pasted novels do not. */
export const MAX_EXPRESSION_LENGTH = 16_384;
/** Deepest nesting of parentheses, `!` and calls. */
export const MAX_EXPRESSION_DEPTH = 32;

const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);

class ParseError extends Error {}

/**
 * Parses an expression of the rule language into an AST.
 *
 * Precedence, lowest first: `||`, `&&`, comparisons (`== != < <= > >= in`, `not in`; not chainable),
 * `!` and unary `-`, then literals, lists, calls, attribute paths and parentheses.
 * Returns `undefined` with at least one diagnostic when the text is not an expression.
 */
export function parseExpression(source: string, diagnostics: ExpressionDiagnostic[]): Expr | undefined {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    diagnostics.push({
      code: 'EXPR_TOO_LONG',
      message: `expression is ${source.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`,
      start: MAX_EXPRESSION_LENGTH,
      end: source.length,
    });
    return undefined;
  }
  if (source.trim() === '') {
    diagnostics.push({ code: 'EXPR_EMPTY', message: 'expression is empty', start: 0, end: source.length });
    return undefined;
  }
  const before = diagnostics.length;
  const tokens = tokenize(source, diagnostics);
  // After a lexical error the parser would mostly report its echo; the lexer's diagnostics say it better.
  if (diagnostics.length > before) return undefined;
  const parser = new Parser(tokens, diagnostics);
  try {
    const expr = parser.parseOr();
    parser.expectEnd();
    return expr;
  } catch (e) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly diagnostics: ExpressionDiagnostic[],
  ) {}

  parseOr(): Expr {
    return this.parseLogical('||', 'or', () => this.parseAnd());
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(t, `unexpected ${describe(t)} after the end of the expression`);
  }

  private parseAnd(): Expr {
    return this.parseLogical('&&', 'and', () => this.parseComparison());
  }

  private parseLogical(op: string, kind: 'and' | 'or', next: () => Expr): Expr {
    const first = next();
    if (!this.isOp(op)) return first;
    const operands = [first];
    while (this.isOp(op)) {
      this.pos++;
      operands.push(next());
    }
    return { kind, operands, start: first.start, end: operands[operands.length - 1]!.end };
  }

  private parseComparison(): Expr {
    const left = this.parseUnary();
    const op = this.compareOp();
    if (op === undefined) return left;
    const right = this.parseUnary();
    const after = this.compareOp();
    if (after !== undefined) {
      this.fail(
        this.tokens[this.pos - (after === 'not in' ? 2 : 1)]!,
        `comparisons cannot be chained; use && between them`,
      );
    }
    return { kind: 'compare', op, left, right, start: left.start, end: right.end };
  }

  /** Consumes a comparison operator if one is next. */
  private compareOp(): CompareOp | undefined {
    const t = this.peek();
    if (t.kind === 'op' && COMPARE_OPS.has(t.text)) {
      this.pos++;
      return t.text as CompareOp;
    }
    if (t.kind === 'ident' && t.text === 'in') {
      this.pos++;
      return 'in';
    }
    if (t.kind === 'ident' && t.text === 'not') {
      const next = this.tokens[this.pos + 1]!;
      if (next.kind === 'ident' && next.text === 'in') {
        this.pos += 2;
        return 'not in';
      }
      this.fail(t, `'not' must be followed by 'in'; use '!' to negate`);
    }
    return undefined;
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '!' || t.text === '-')) {
      this.enter(t);
      this.pos++;
      const operand = this.parseUnary();
      this.depth--;
      if (t.text === '!') return { kind: 'not', operand, start: t.start, end: operand.end };
      if (operand.kind === 'literal' && typeof operand.value === 'number') {
        return { kind: 'literal', value: -operand.value, start: t.start, end: operand.end };
      }
      this.fail(t, `unary '-' applies to number literals only`);
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return t.raw === undefined
          ? { kind: 'literal', value: t.text, start: t.start, end: t.end }
          : { kind: 'literal', value: t.text, raw: t.raw, start: t.start, end: t.end };
      case 'number':
        return { kind: 'literal', value: Number(t.text), start: t.start, end: t.end };
      case 'lparen': {
        this.enter(t);
        const inner = this.parseOr();
        this.expect('rparen', t, `'(' is not closed`);
        this.depth--;
        return inner;
      }
      case 'lbracket':
        return this.parseList(t);
      case 'ident':
        return this.parseIdent(t);
      default:
        return this.fail(t, `expected a value, found ${describe(t)}`);
    }
  }

  private parseList(open: Token): Expr {
    const { items, close } = this.parseSequence(open, 'rbracket', `'[' is not closed`);
    return { kind: 'list', items, start: open.start, end: close.end };
  }

  /** Comma-separated expressions up to `closer` (a trailing comma allowed), for lists and call arguments. */
  private parseSequence(
    open: Token,
    closer: 'rbracket' | 'rparen',
    unclosed: string,
  ): { items: Expr[]; close: Token } {
    this.enter(open);
    const items: Expr[] = [];
    while (this.peek().kind !== closer) {
      items.push(this.parseOr());
      if (!this.isOp(',')) break;
      this.pos++;
    }
    const close = this.expect(closer, open, unclosed);
    this.depth--;
    return { items, close };
  }

  private parseIdent(t: Token): Expr {
    if (t.text === 'true' || t.text === 'false') {
      return { kind: 'literal', value: t.text === 'true', start: t.start, end: t.end };
    }
    if (t.text === 'in' || t.text === 'not') this.fail(t, `expected a value, found '${t.text}'`);
    if (this.peek().kind === 'lparen') return this.parseCall(t);
    const path = [t.text];
    let end = t.end;
    while (this.isOp('.')) {
      this.pos++;
      const seg = this.next();
      if (seg.kind !== 'ident')
        this.fail(seg, `expected an attribute name after '.', found ${describe(seg)}`);
      path.push(seg.text);
      end = seg.end;
    }
    return { kind: 'attribute', path, start: t.start, end };
  }

  private parseCall(name: Token): Expr {
    const open = this.next();
    const { items, close } = this.parseSequence(open, 'rparen', `'(' of ${name.text}(…) is not closed`);
    return { kind: 'call', name: name.text, args: items, start: name.start, end: close.end };
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      this.fail(t, `expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, 'EXPR_TOO_DEEP');
    }
  }

  private expect(kind: Token['kind'], opener: Token, message: string): Token {
    const t = this.peek();
    if (t.kind !== kind) {
      if (t.kind === 'eof') this.fail(opener, message);
      this.fail(t, `expected '${kind === 'rparen' ? ')' : ']'}', found ${describe(t)}`);
    }
    this.pos++;
    return t;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private fail(t: Token, message: string, code: 'EXPR_SYNTAX' | 'EXPR_TOO_DEEP' = 'EXPR_SYNTAX'): never {
    this.diagnostics.push({ code, message, start: t.start, end: Math.max(t.end, t.start + 1) });
    throw new ParseError(message);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of expression';
    case 'string':
      return `string '${t.text}'`;
    case 'number':
      return `number ${t.text}`;
    default:
      return `'${t.text}'`;
  }
}
