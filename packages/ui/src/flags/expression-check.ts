import { compileExpression, excerptAt, lineColumn, type Severity } from '@pitboss/engine';

export interface ExpressionProblem {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  /** The offending line with a caret line (`^^^`) under the span, as `pitboss validate` prints it. */
  readonly excerpt: string;
}

/**
 * Checks one rule condition with the same engine the server and SDKs run, so the editor shows exactly the
 * diagnostics a save would be refused with, as the user types. `segments` are the segment keys that exist;
 * undefined while they load, when every segment counts as known (no false alarms).
 */
export function checkExpression(
  source: string,
  segments: ReadonlySet<string> | undefined,
): ExpressionProblem[] {
  const { diagnostics } = compileExpression(source, {
    clock: Date.now,
    segment: () => undefined,
    segmentStatus: (name) => (segments === undefined || segments.has(name) ? 'ok' : 'missing'),
  });
  return diagnostics.map((d) => ({
    severity: d.severity ?? 'error',
    code: d.code,
    message: d.message,
    ...lineColumn(source, d.start),
    excerpt: excerptAt(source, d.start, d.end - d.start),
  }));
}

/** Whether any problem blocks saving (warnings do not: the engine still compiles them). */
export function blocks(problems: readonly ExpressionProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
