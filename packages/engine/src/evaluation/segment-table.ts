import type { Diagnostic } from '../diagnostics.js';
import type { Segment } from '../model/flag.js';
import type { Path } from '../model/reader.js';
import { compileExpression } from '../rules/expression.js';
import type { CheckEnv, CompileEnv, Predicate } from '../rules/types.js';
import { expressionDiagnostics } from './expression-diagnostics.js';

/**
 * Compiles segments on first reference, so a segment may use segments declared after it; a segment reached
 * again while it is being compiled is a cycle.
 */
export class SegmentTable {
  private readonly byKey: Map<string, Segment>;
  private readonly compiled = new Map<string, Predicate | undefined>();
  private readonly inProgress = new Set<string>();

  constructor(
    segments: readonly Segment[],
    private readonly origins: WeakMap<object, Path>,
    private readonly clock: () => number,
    private readonly report: (d: Diagnostic) => void,
  ) {
    this.byKey = new Map(segments.map((s) => [s.key, s]));
  }

  /** Compiles every segment, so errors in unused segments are reported too. */
  compileAll(): void {
    for (const key of this.byKey.keys()) this.status(key);
  }

  env(): CheckEnv & CompileEnv {
    return {
      clock: this.clock,
      segment: (name) => this.compiled.get(name),
      segmentStatus: (name) => this.status(name),
    };
  }

  private status(name: string): 'ok' | 'missing' | 'invalid' | 'cycle' {
    const segment = this.byKey.get(name);
    if (segment === undefined) return 'missing';
    if (this.inProgress.has(name)) return 'cycle';
    if (!this.compiled.has(name)) {
      this.inProgress.add(name);
      const e = compileExpression(segment.if, this.env());
      this.inProgress.delete(name);
      this.compiled.set(name, e.predicate);
      const path = this.origins.get(segment) ?? ['segments', name];
      for (const d of expressionDiagnostics(e, [...path, 'if'], {})) this.report(d);
    }
    return this.compiled.get(name) === undefined ? 'invalid' : 'ok';
  }
}
