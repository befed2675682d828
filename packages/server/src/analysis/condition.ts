import { type CompiledExpression, compileExpression, type Expr } from '@pitboss/engine';
import type { Path, SpecReader } from '../rollouts/spec-reader.js';

/**
 * The environment analysis conditions compile in (the plan's shared semantics): no segments, the real clock.
 * Conditions see one variable, `result`: the measured value of one series.
 */
export const CONDITION_ENV = {
  clock: Date.now,
  segment: () => undefined,
  segmentStatus: () => 'missing' as const,
};

// Argo's Prometheus provider hands conditions the whole vector, so Argo templates write `result[0]`; Pitboss
// providers hand one scalar per series (a `dimension` checks every series), so `result[0]` is `result`.
const FIRST_ELEMENT = /\bresult\s*\[\s*0\s*\]/g;
const ARGO_IDIOM = /\b(and|or|not)\b|\b(asFloat|asInt|len|isNaN|isInf|default|all|any)\s*\(/;

/** The condition as Pitboss evaluates it: `result[0]` read as `result`. */
export function normalizeCondition(source: string): string {
  return source.replace(FIRST_ELEMENT, 'result');
}

export function compileCondition(source: string): CompiledExpression {
  return compileExpression(normalizeCondition(source), CONDITION_ENV);
}

/**
 * Compiles a condition and reports its problems at `path` with the line and column of the text as written
 * (the `result[0]` rewrite is padded with spaces so positions do not move). Returns the normalised condition,
 * or undefined when it does not compile.
 */
export function checkCondition(
  source: string,
  path: Path,
  reader: SpecReader,
  label?: string,
): string | undefined {
  const padded = source.replace(FIRST_ELEMENT, (m) => 'result'.padEnd(m.length, ' '));
  const compiled = compileExpression(padded, CONDITION_ENV);
  const failed = compiled.diagnostics.some((d) => d.severity !== 'warning');
  const hint =
    failed && ARGO_IDIOM.test(source)
      ? " (conditions use Pitboss's rule language: && || ! instead of and/or/not; providers hand one number per series, so asFloat(), len() and isNaN() are not needed)"
      : '';
  reader.expression(compiled.diagnostics, source, path, hint, label);
  if (compiled.ast !== undefined) {
    for (const a of attributes(compiled.ast))
      if (a.path[0] !== 'result')
        reader.expression(
          [
            {
              code: 'EXPR_TYPE',
              severity: 'warning',
              message: `'${a.path.join('.')}' is always missing: a condition sees only 'result'`,
              start: a.start,
            },
          ],
          source,
          path,
          '',
          label,
        );
  }
  return failed ? undefined : normalizeCondition(source);
}

function attributes(e: Expr): { path: readonly string[]; start: number }[] {
  switch (e.kind) {
    case 'attribute':
      return [e];
    case 'list':
      return e.items.flatMap(attributes);
    case 'not':
      return attributes(e.operand);
    case 'and':
    case 'or':
      return e.operands.flatMap(attributes);
    case 'compare':
      return [...attributes(e.left), ...attributes(e.right)];
    case 'call':
      return e.args.flatMap(attributes);
    default:
      return [];
  }
}
