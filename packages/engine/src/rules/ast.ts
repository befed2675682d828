/**
 * The rule language's syntax tree. Plain JSON-serialisable data: tools (the console's rule editor, the server's
 * diff) can store and show it. `start`/`end` are offsets into the expression text.
 */
export type Expr = LiteralExpr | ListExpr | AttributeExpr | NotExpr | LogicalExpr | CompareExpr | CallExpr;

export type LiteralValue = string | number | boolean;

export interface LiteralExpr {
  readonly kind: 'literal';
  readonly value: LiteralValue;
  /** For strings written with escapes: the source text between the quotes. */
  readonly raw?: string;
  readonly start: number;
  readonly end: number;
}

export interface ListExpr {
  readonly kind: 'list';
  readonly items: readonly Expr[];
  readonly start: number;
  readonly end: number;
}

/** A dotted path into the evaluation context: `user.isEmployee` is `['user', 'isEmployee']`. */
export interface AttributeExpr {
  readonly kind: 'attribute';
  readonly path: readonly string[];
  readonly start: number;
  readonly end: number;
}

export interface NotExpr {
  readonly kind: 'not';
  readonly operand: Expr;
  readonly start: number;
  readonly end: number;
}

/** `a && b && c` is one node with three operands: flat chains keep evaluation shallow whatever their length. */
export interface LogicalExpr {
  readonly kind: 'and' | 'or';
  readonly operands: readonly Expr[];
  readonly start: number;
  readonly end: number;
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';

export interface CompareExpr {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly start: number;
  readonly end: number;
}

export interface CallExpr {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expr[];
  readonly start: number;
  readonly end: number;
}

/** Source text of an attribute path, for messages. */
export function pathText(path: readonly string[]): string {
  return path.join('.');
}
