/**
 * Diagnostics are collected, never thrown (Prometheus `promql/parser` ParseErr, esbuild's logger): a config with
 * ten mistakes reports ten, and a flag with an error still compiles into one that answers `ERROR`.
 * The codes are a closed, documented catalogue (docs/diagnostics.md); tools match on `code`, people read `message`.
 */
export type DiagnosticCode =
  // rule language
  | 'EXPR_EMPTY'
  | 'EXPR_TOO_LONG'
  | 'EXPR_TOO_DEEP'
  | 'EXPR_SYNTAX'
  | 'EXPR_UNTERMINATED_STRING'
  | 'EXPR_UNKNOWN_FUNCTION'
  | 'EXPR_ARITY'
  | 'EXPR_TYPE'
  | 'EXPR_INVALID_REGEX'
  | 'EXPR_INVALID_SEMVER'
  | 'EXPR_INVALID_TIME'
  | 'EXPR_UNKNOWN_SEGMENT'
  | 'EXPR_SEGMENT_CYCLE'
  | 'EXPR_FORBIDDEN_ATTRIBUTE'
  // documents and the flag model
  | 'CONFIG_PARSE'
  | 'CONFIG_TYPE'
  | 'CONFIG_UNKNOWN_FIELD'
  | 'CONFIG_REQUIRED'
  | 'CONFIG_INVALID_KEY'
  | 'CONFIG_DUPLICATE_KEY'
  | 'CONFIG_INVALID_DATE'
  | 'CONFIG_UNSUPPORTED'
  | 'FLAG_INVALID_ROLLOUT'
  | 'FLAG_INVALID_SPLIT'
  | 'FLAG_UNKNOWN_VARIANT'
  | 'FLAG_VARIANT_TYPE'
  | 'FLAG_RULE_CONFLICT'
  | 'FLAG_UNKNOWN_ENVIRONMENT'
  | 'FLAG_UNKNOWN_PREREQUISITE'
  | 'FLAG_PREREQUISITE_CYCLE'
  | 'FLAG_TTL_MISSING'
  | 'FLAG_EXPIRED';

export type Severity = 'error' | 'warning';

/** A path from the document root to the offending value, e.g. `['flags', 0, 'environments', 'prod', 'rules', 1, 'if']`. */
export type DocumentPath = readonly (string | number)[];

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  readonly message: string;
  /** Where in the document: tools map it to a file line and column. */
  readonly path: DocumentPath;
  readonly flag?: string;
  readonly environment?: string;
  readonly ruleIndex?: number;
  /** 1-based line and column inside the expression text, for rule-language diagnostics. */
  readonly line?: number;
  readonly column?: number;
  /** The offending expression line with a caret under the column. */
  readonly excerpt?: string;
}

/** A diagnostic of the rule language, positioned by offset inside the expression text. */
export interface ExpressionDiagnostic {
  readonly code: DiagnosticCode;
  /** Defaults to error. */
  readonly severity?: Severity;
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** The line of `text` holding `offset`, with a caret line under it: what a person needs to see the mistake. */
export function excerptAt(text: string, offset: number, length = 1): string {
  const start = text.lastIndexOf('\n', Math.max(offset - 1, 0)) + 1;
  const nl = text.indexOf('\n', offset);
  const end = nl === -1 ? text.length : nl;
  const lineText = text.slice(start, end);
  const caret =
    ' '.repeat(Math.max(offset - start, 0)) + '^'.repeat(Math.max(1, Math.min(length, end - offset)));
  return `${lineText}\n${caret}`;
}

/** Formats a path as `flags[0].environments.prod.rules[1].if`. */
export function formatPath(path: DocumentPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(document)' : out;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
