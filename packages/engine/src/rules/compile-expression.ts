import type { AttributeExpr, CompareExpr, Expr, LiteralValue } from './ast.js';
import { pathText } from './ast.js';
import type { Constants } from './checker.js';
import { compareValues, orderHolds, whyFalse } from './compare.js';
import { RULE_FUNCTIONS } from './functions/index.js';
import { compareSemver, parseSemver, type Semver } from './semver.js';
import { toTime } from './time.js';
import type { CompileEnv, Context, Getter, Predicate } from './types.js';

/**
 * Turns a checked AST into closures. Evaluation walks no tree and allocates nothing: each node became a small
 * function specialised for its shape (a path of two names, an `in` over two strings), which V8 inlines.
 * With `env.tracer`, every condition also records why it was false; the fast closures are built without it.
 */
export function compileCondition(
  expr: Expr,
  constants: Constants,
  env: CompileEnv,
  source: string,
): Predicate {
  return new Compiler(constants, env, source).predicate(expr);
}

type Data = Record<string, unknown>;

/** Only a JSON-like object can be stepped into: not null, a primitive (`'DE'.length`) or a list (`tags.length`). */
function step(x: unknown, name: string): unknown {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Data)[name] : undefined;
}

/**
 * Reads a dotted path from the context. A missing step, null, a primitive or a list on the way gives undefined,
 * and so does a function, which only JavaScript's object machinery (`toString`, `hasOwnProperty`) can put there:
 * every SDK, in any language, sees the same attributes.
 */
export function pathGetter(path: readonly string[]): Getter {
  const [a, b, c] = path as [string, string, string];
  switch (path.length) {
    case 1:
      return (ctx) => {
        const v = ctx[a];
        return typeof v === 'function' ? undefined : v;
      };
    case 2:
      return (ctx) => {
        const v = step(ctx[a], b);
        return typeof v === 'function' ? undefined : v;
      };
    case 3:
      return (ctx) => {
        const v = step(step(ctx[a], b), c);
        return typeof v === 'function' ? undefined : v;
      };
    default:
      return (ctx) => {
        let x: unknown = ctx[a];
        for (let i = 1; i < path.length; i++) x = step(x, path[i]!);
        return typeof x === 'function' ? undefined : x;
      };
  }
}

/**
 * `attribute === literal`, fused with the read of a one- or two-name path so the hot shapes (`brand == 'X'`,
 * `user.isEmployee`, `market in ['DE','SE']`) are one closure. Same meaning as `pathGetter(path)(ctx) === lit`:
 * a function can never equal a literal, so the getter's function filter is not needed here.
 */
function attributeIsOneOf(path: readonly string[], items: readonly LiteralValue[]): Predicate | undefined {
  const [a, b] = path as [string, string];
  const [x, y] = items;
  if (items.length === 1 && path.length === 1) return (ctx) => ctx[a] === x;
  if (items.length === 2 && path.length === 1) {
    return (ctx) => {
      const v = ctx[a];
      return v === x || v === y;
    };
  }
  if (items.length === 1 && path.length === 2) {
    return (ctx) => {
      const o = ctx[a];
      return typeof o === 'object' && o !== null && !Array.isArray(o) && (o as Data)[b] === x;
    };
  }
  if (items.length === 2 && path.length === 2) {
    return (ctx) => {
      const o = ctx[a];
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
      const v = (o as Data)[b];
      return v === x || v === y;
    };
  }
  return undefined;
}

class Compiler {
  constructor(
    private readonly constants: Constants,
    private readonly env: CompileEnv,
    private readonly source: string,
  ) {}

  predicate(e: Expr): Predicate {
    switch (e.kind) {
      case 'literal': {
        const v = e.value === true;
        return () => v;
      }
      case 'attribute':
        return this.truthy(e);
      case 'not': {
        const p = this.predicate(e.operand);
        return (ctx) => !p(ctx);
      }
      case 'and':
      case 'or':
        return this.logical(
          e.kind,
          e.operands.map((o) => this.predicate(o)),
        );
      case 'compare':
        return this.traced(e, this.compare(e));
      case 'call': {
        const g = this.value(e);
        return (ctx) => g(ctx) === true;
      }
      case 'list':
        return () => false; // rejected by the checker; unreachable for checked expressions
    }
  }

  value(e: Expr): Getter {
    switch (e.kind) {
      case 'literal': {
        const v = e.value;
        return () => v;
      }
      case 'list': {
        const items = Object.freeze(e.items.map((i) => (i.kind === 'literal' ? i.value : undefined)));
        return () => items;
      }
      case 'attribute':
        return pathGetter(e.path);
      case 'call': {
        const fn = RULE_FUNCTIONS.get(e.name)!;
        return fn.compile(
          e.args.map((a) => this.value(a)),
          this.constants.get(e),
          this.env,
        );
      }
      default:
        return this.predicate(e);
    }
  }

  /** An attribute used as a condition holds only when it is exactly `true`, never merely truthy. */
  private truthy(e: AttributeExpr): Predicate {
    const g = pathGetter(e.path);
    const tracer = this.env.tracer;
    if (!tracer) return attributeIsOneOf(e.path, [true]) ?? ((ctx) => g(ctx) === true);
    const name = pathText(e.path);
    return (ctx) => {
      const v = g(ctx);
      if (v !== true)
        tracer.note(
          v === undefined ? `attribute '${name}' is missing` : `'${name}' is ${JSON.stringify(v)}, not true`,
        );
      return v === true;
    };
  }

  private logical(kind: 'and' | 'or', ps: Predicate[]): Predicate {
    if (ps.length === 2) {
      const [a, b] = ps as [Predicate, Predicate];
      return kind === 'and' ? (ctx) => a(ctx) && b(ctx) : (ctx) => a(ctx) || b(ctx);
    }
    if (kind === 'and') {
      return (ctx) => {
        for (let i = 0; i < ps.length; i++) if (!ps[i]!(ctx)) return false;
        return true;
      };
    }
    return (ctx) => {
      for (let i = 0; i < ps.length; i++) if (ps[i]!(ctx)) return true;
      return false;
    };
  }

  private compare(e: CompareExpr): Predicate {
    const { op, left, right } = e;
    if ((op === 'in' || op === 'not in') && right.kind === 'list') return this.membership(e);
    const semverSide = this.constantOf(left) ?? this.constantOf(right);
    if (isSemver(semverSide) || this.returns(left) === 'semver' || this.returns(right) === 'semver') {
      return this.ordered(
        e,
        (v) => (typeof v === 'string' ? parseSemver(v) : isSemver(v) ? v : undefined),
        compareSemver,
      );
    }
    if (this.returns(left) === 'time' || this.returns(right) === 'time') {
      return this.ordered(e, toTime, (a, b) => a - b);
    }
    const l = this.value(left);
    if (op === '==' && right.kind === 'literal') {
      const lit = right.value;
      const fused = left.kind === 'attribute' ? attributeIsOneOf(left.path, [lit]) : undefined;
      return fused ?? ((ctx) => l(ctx) === lit);
    }
    const r = this.value(right);
    return (ctx) => compareValues(op, l(ctx), r(ctx));
  }

  /** `x in ['DE', 'SE']`: up to eight items are compared inline, more go through a Set. */
  private membership(e: CompareExpr): Predicate {
    const g = this.value(e.left);
    const items = (e.right.kind === 'list' ? e.right.items : []).map((i) =>
      i.kind === 'literal' ? i.value : undefined,
    ) as LiteralValue[];
    const negate = e.op === 'not in';
    const fused = !negate && e.left.kind === 'attribute' ? attributeIsOneOf(e.left.path, items) : undefined;
    if (fused) return fused;
    let has: (v: unknown) => boolean;
    if (items.length === 1) {
      const [a] = items;
      has = (v) => v === a;
    } else if (items.length === 2) {
      const [a, b] = items;
      has = (v) => v === a || v === b;
    } else if (items.length <= 8) {
      has = (v) => {
        for (let i = 0; i < items.length; i++) if (items[i] === v) return true;
        return false;
      };
    } else {
      const set = new Set<unknown>(items);
      has = (v) => set.has(v);
    }
    return negate
      ? (ctx) => {
          const v = g(ctx);
          return v !== undefined && v !== null && !has(v);
        }
      : (ctx) => has(g(ctx));
  }

  /** Comparisons of versions and times: both sides are converted, and a side that does not convert is false. */
  private ordered<T>(
    e: CompareExpr,
    convert: (v: unknown) => T | undefined,
    cmp: (a: T, b: T) => number,
  ): Predicate {
    const side = (x: Expr): ((ctx: Context) => T | undefined) => {
      const k = this.constantOf(x);
      if (k !== undefined) {
        const converted = (isSemver(k) || typeof k === 'number' ? k : convert(k)) as T | undefined;
        return () => converted;
      }
      if (x.kind === 'literal') {
        const converted = convert(x.value);
        return () => converted;
      }
      const g = this.value(x);
      return (ctx) => convert(g(ctx));
    };
    const l = side(e.left);
    const r = side(e.right);
    const op = e.op;
    return (ctx) => {
      const a = l(ctx);
      const b = r(ctx);
      return a !== undefined && b !== undefined && orderHolds(op, cmp(a, b));
    };
  }

  private traced(e: CompareExpr, p: Predicate): Predicate {
    const tracer = this.env.tracer;
    if (!tracer) return p;
    const l = this.value(e.left);
    const r = this.value(e.right);
    const text = this.source.slice(e.start, e.end);
    return (ctx) => {
      const result = p(ctx);
      if (!result) tracer.note(whyFalse(text, l(ctx), r(ctx)));
      return result;
    };
  }

  private constantOf(e: Expr): unknown {
    if (this.constants.has(e)) return this.constants.get(e);
    return undefined;
  }

  private returns(e: Expr): string | undefined {
    return e.kind === 'call' ? RULE_FUNCTIONS.get(e.name)?.returns : undefined;
  }
}

function isSemver(v: unknown): v is Semver {
  return typeof v === 'object' && v !== null && 'major' in v && 'prerelease' in v;
}
