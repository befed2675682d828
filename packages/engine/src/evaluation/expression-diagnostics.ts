import { type Diagnostic, excerptAt, lineColumn } from '../diagnostics.js';
import type { Path } from '../model/reader.js';
import type { CompiledExpression } from '../rules/expression.js';

/** Places an expression's diagnostics in the document: its path, the flag/environment/rule, line, column, excerpt. */
export function expressionDiagnostics(
  e: CompiledExpression,
  path: Path,
  where: Pick<Diagnostic, 'flag' | 'environment' | 'ruleIndex'>,
): Diagnostic[] {
  return e.diagnostics.map((d) => ({
    severity: d.severity ?? 'error',
    code: d.code,
    message: d.message,
    path,
    ...where,
    ...lineColumn(e.source, d.start),
    excerpt: excerptAt(e.source, d.start, d.end - d.start),
  }));
}
