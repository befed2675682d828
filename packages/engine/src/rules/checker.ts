import type { ExpressionDiagnostic } from '../diagnostics.js';
import type { CallExpr, CompareExpr, Expr } from './ast.js';
import { RULE_FUNCTIONS } from './functions/index.js';
import { parseSemver } from './semver.js';
import { parseIsoTime } from './time.js';
import type { CheckEnv, StaticType } from './types.js';

/** Attribute names that would reach into JavaScript's object machinery instead of the context's data. */
const FORBIDDEN_ATTRIBUTES = new Set(['__proto__', 'constructor', 'prototype']);
const ORDERING = new Set(['<', '<=', '>', '>=']);
const LOOKS_LIKE_VERSION = /^v?\d+\.\d+\.\d+/;

/** What the checker learnt that the compiler needs: constants resolved once (regexes, versions, times). */
export type Constants = Map<Expr, unknown>;

/**
 * Checks an expression used as a condition: function names and arities, literal arguments (patterns, versions,
 * times), segment references, and comparisons that can never be true. Reports every problem it finds.
 */
export function checkCondition(
  expr: Expr,
  env: CheckEnv,
  report: (d: ExpressionDiagnostic) => void,
): Constants {
  const checker = new Checker(env, report);
  checker.condition(expr);
  return checker.constants;
}

class Checker {
  readonly constants: Constants = new Map();

  constructor(
    private readonly env: CheckEnv,
    private readonly report: (d: ExpressionDiagnostic) => void,
  ) {}

  condition(e: Expr): void {
    const t = this.typeOf(e);
    if (t !== 'boolean' && t !== 'any') {
      this.error(e, 'EXPR_TYPE', `a ${t} is not a condition; compare it with something (==, in, <, …)`);
    }
  }

  typeOf(e: Expr): StaticType {
    switch (e.kind) {
      case 'literal':
        return typeof e.value as 'string' | 'number' | 'boolean';
      case 'list':
        for (const item of e.items) {
          if (item.kind !== 'literal')
            this.error(item, 'EXPR_TYPE', 'list items must be literals (strings, numbers, booleans)');
        }
        return 'list';
      case 'attribute': {
        const bad = e.path.find((p) => FORBIDDEN_ATTRIBUTES.has(p));
        if (bad !== undefined)
          this.error(e, 'EXPR_FORBIDDEN_ATTRIBUTE', `attribute name '${bad}' is not allowed`);
        return 'any';
      }
      case 'not':
        this.condition(e.operand);
        return 'boolean';
      case 'and':
      case 'or':
        for (const operand of e.operands) this.condition(operand);
        return 'boolean';
      case 'compare':
        this.compare(e);
        return 'boolean';
      case 'call':
        return this.call(e);
    }
  }

  private call(e: CallExpr): StaticType {
    const fn = RULE_FUNCTIONS.get(e.name);
    if (fn === undefined) {
      const known = [...RULE_FUNCTIONS.keys()];
      const near = known.find((k) => k.toLowerCase() === e.name.toLowerCase());
      const hint = near ? `; did you mean ${near}?` : `; known functions: ${known.join(', ')}`;
      this.error(e, 'EXPR_UNKNOWN_FUNCTION', `unknown function '${e.name}'${hint}`);
      return 'any';
    }
    const required = fn.params.filter((p) => !p.optional).length;
    if (e.args.length < required || e.args.length > fn.params.length) {
      const expected = required === fn.params.length ? `${required}` : `${required} to ${fn.params.length}`;
      this.error(e, 'EXPR_ARITY', `${e.name}() takes ${expected} argument(s), got ${e.args.length}`);
      return fn.returns;
    }
    let ok = true;
    e.args.forEach((arg, i) => {
      const t = this.typeOf(arg);
      const param = fn.params[i]!;
      if (param.literal === 'string' && (arg.kind !== 'literal' || typeof arg.value !== 'string')) {
        this.error(arg, 'EXPR_TYPE', `argument '${param.name}' of ${e.name}() must be a string literal`);
        ok = false;
      } else if (t === 'semver' || t === 'time') {
        this.error(arg, 'EXPR_TYPE', `a ${t} cannot be an argument of ${e.name}()`);
        ok = false;
      }
    });
    if (ok && fn.check) this.constants.set(e, fn.check(e.args, this.env, this.report));
    return fn.returns;
  }

  private compare(e: CompareExpr): void {
    const lt = this.typeOf(e.left);
    const rt = this.typeOf(e.right);
    if (e.op === 'in' || e.op === 'not in') {
      if (rt !== 'list' && rt !== 'any')
        this.error(e.right, 'EXPR_TYPE', `the right side of '${e.op}' must be a list, not a ${rt}`);
      if (lt === 'list')
        this.error(e.left, 'EXPR_TYPE', `the left side of '${e.op}' must be a single value, not a list`);
      return;
    }
    const special =
      lt === 'semver' || rt === 'semver' ? 'semver' : lt === 'time' || rt === 'time' ? 'time' : undefined;
    if (special !== undefined) {
      this.versus(e, lt === special ? e.right : e.left, special);
      return;
    }
    if (ORDERING.has(e.op)) {
      for (const [side, t] of [
        [e.left, lt],
        [e.right, rt],
      ] as const) {
        if (t === 'boolean' || t === 'list') this.error(side, 'EXPR_TYPE', `'${e.op}' cannot order a ${t}`);
      }
      const literal = e.left.kind === 'literal' ? e.left : e.right.kind === 'literal' ? e.right : undefined;
      if (literal && typeof literal.value === 'string' && LOOKS_LIKE_VERSION.test(literal.value)) {
        this.warn(
          literal,
          'EXPR_TYPE',
          `'${literal.value}' compares as text ('10.0.0' < '9.0.0'); write semver('${literal.value}') to compare versions`,
        );
      }
    }
    if (e.left.kind === 'literal' && e.right.kind === 'literal' && lt !== rt) {
      this.error(e, 'EXPR_TYPE', `comparing a ${lt} with a ${rt} is always false`);
    }
  }

  /** The other side of a comparison with a version or a time: an attribute, or a literal that parses as one. */
  private versus(e: CompareExpr, other: Expr, kind: 'semver' | 'time'): void {
    if (e.op === 'in' || e.op === 'not in') return;
    const otherType = this.typeOf(other);
    if (otherType === 'any' || otherType === kind) return;
    if (other.kind === 'literal' && typeof other.value === 'string') {
      const parsed = kind === 'semver' ? parseSemver(other.value) : parseIsoTime(other.value);
      if (parsed !== undefined) {
        this.constants.set(other, parsed);
        return;
      }
      const code = kind === 'semver' ? 'EXPR_INVALID_SEMVER' : 'EXPR_INVALID_TIME';
      const what =
        kind === 'semver' ? 'a semantic version' : 'an ISO 8601 time with a zone (e.g. 2026-12-01T00:00:00Z)';
      this.error(other, code, `'${other.value}' is not ${what}`);
      return;
    }
    if (kind === 'time' && other.kind === 'literal' && typeof other.value === 'number') return;
    this.error(other, 'EXPR_TYPE', `a ${otherType} cannot be compared with a ${kind}`);
  }

  private error(e: Expr, code: ExpressionDiagnostic['code'], message: string): void {
    this.report({ code, message, start: e.start, end: e.end });
  }

  private warn(e: Expr, code: ExpressionDiagnostic['code'], message: string): void {
    this.report({ code, message, start: e.start, end: e.end, severity: 'warning' });
  }
}
