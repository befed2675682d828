import type { ExpressionDiagnostic } from '../diagnostics.js';
import type { Expr } from './ast.js';
import { checkCondition } from './checker.js';
import { compileCondition } from './compile-expression.js';
import { parseExpression } from './parser.js';
import type { CheckEnv, CompileEnv, Predicate } from './types.js';

export interface CompiledExpression {
  readonly source: string;
  /** Undefined when the text does not parse. */
  readonly ast: Expr | undefined;
  readonly diagnostics: readonly ExpressionDiagnostic[];
  /** Undefined when there is any error; warnings alone still compile. */
  readonly predicate: Predicate | undefined;
}

/**
 * Lexes, parses, checks and compiles one condition of the rule language. Never throws.
 *
 * @example
 * const e = compileExpression("market in ['DE','SE']", { clock: Date.now, segment: () => undefined, segmentStatus: () => 'missing' });
 * e.predicate?.({ market: 'SE' }); // true
 */
export function compileExpression(source: string, env: CheckEnv & CompileEnv): CompiledExpression {
  const diagnostics: ExpressionDiagnostic[] = [];
  const ast = parseExpression(source, diagnostics);
  if (ast === undefined) return { source, ast, diagnostics, predicate: undefined };
  const constants = checkCondition(ast, env, (d) => diagnostics.push(d));
  const failed = diagnostics.some((d) => d.severity !== 'warning');
  const predicate = failed ? undefined : compileCondition(ast, constants, env, source);
  return { source, ast, diagnostics, predicate };
}
