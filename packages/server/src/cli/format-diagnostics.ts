import type { FileDiagnostic } from './document.js';

/**
 * One diagnostic in the `file:line:col: severity CODE message` shape editors and CI annotators recognise,
 * with the flag, environment and rule it concerns, and its excerpt (a line and a caret) indented below.
 *
 * @example
 * flags.yaml:12:25: error EXPR_SYNTAX expected a value after '==' (flag payments_v2, env prod, rule 1)
 *     brand == && user.isEmployee
 *              ^^
 */
export function formatDiagnostic(d: FileDiagnostic & { readonly environments?: readonly string[] }): string {
  const place = d.fileLine === undefined ? d.file : `${d.file}:${d.fileLine}:${d.fileColumn}`;
  const where = [
    d.flag === undefined ? undefined : `flag ${d.flag}`,
    d.environments
      ? `envs ${d.environments.join(', ')}`
      : d.environment === undefined
        ? undefined
        : `env ${d.environment}`,
    d.ruleIndex === undefined ? undefined : `rule ${d.ruleIndex}`,
  ].filter((w) => w !== undefined);
  const head = `${place}: ${d.severity} ${d.code} ${d.message}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
  if (d.excerpt === undefined) return head;
  return `${head}\n${d.excerpt
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}`;
}

/**
 * Folds runs of one problem reported once per environment (a flag-level prerequisite is checked in each) into
 * one diagnostic listing the environments, so the text report says it once. Expects position order.
 */
export function mergeEnvironments(
  diagnostics: readonly FileDiagnostic[],
): (FileDiagnostic & { environments?: string[] })[] {
  const out: (FileDiagnostic & { environments?: string[] })[] = [];
  for (const d of diagnostics) {
    const last = out[out.length - 1];
    if (
      last !== undefined &&
      d.environment !== undefined &&
      last.environment !== undefined &&
      sameProblem(last, d)
    ) {
      out[out.length - 1] = {
        ...last,
        environments: [...(last.environments ?? [last.environment]), d.environment],
      };
    } else {
      out.push(d);
    }
  }
  return out;
}

function sameProblem(a: FileDiagnostic, b: FileDiagnostic): boolean {
  return (
    a.file === b.file &&
    a.code === b.code &&
    a.message === b.message &&
    a.flag === b.flag &&
    a.ruleIndex === b.ruleIndex &&
    a.fileLine === b.fileLine &&
    a.fileColumn === b.fileColumn
  );
}

/** `2 errors, 1 warning in 1 file`. */
export function formatSummary(diagnostics: readonly FileDiagnostic[], files: number): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files, 'file')}`;
}

/** The JSON report: one array of the engine's diagnostics with `file`, `fileLine` and `fileColumn` added. */
export function toJsonReport(diagnostics: readonly FileDiagnostic[]): string {
  return JSON.stringify(diagnostics, null, 2);
}

/** Sorts one file's diagnostics by line and column; those without a position (the whole file) come first. */
export function byPosition(a: FileDiagnostic, b: FileDiagnostic): number {
  return (a.fileLine ?? 0) - (b.fileLine ?? 0) || (a.fileColumn ?? 0) - (b.fileColumn ?? 0);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
