import {
  type Diagnostic,
  type DiagnosticCode,
  type DocumentPath,
  excerptAt,
  formatPath,
  isPlainObject,
  lineColumn,
  nearest,
} from '@pitboss/engine';
import { formatDuration, parseDuration } from './duration.js';

/** The engine's "did you mean" and mapping check serve the rollout readers too. */
export { isPlainObject, nearest };

export type Path = readonly (string | number)[];

/**
 * How a reader treats a field of an Argo Rollouts or Pitboss document:
 * - `read`: Pitboss reads it;
 * - `{ ignore }`: accepted with a warning — a Kubernetes workload field that means nothing to Pitboss;
 * - `{ reject }`: an error — it would change how the release behaves and Pitboss does not do it; the text says
 *   what to write instead.
 */
export type FieldRule = 'read' | { readonly ignore: string } | { readonly reject: string };
export type FieldRules = Readonly<Record<string, FieldRule>>;

/** What a rule-language compilation reports: offsets inside the expression text. */
interface ExpressionProblem {
  readonly code: DiagnosticCode;
  readonly severity?: 'error' | 'warning';
  readonly message: string;
  readonly start: number;
}

/**
 * Reads an untrusted document field by field, collecting every problem as a diagnostic with its path from the
 * document root; a wrong value reads as undefined so reading carries on and reports the next problem too (the
 * engine's model reader works the same way).
 */
export class SpecReader {
  readonly diagnostics: Diagnostic[] = [];

  error(path: Path, code: DiagnosticCode, message: string): void {
    this.diagnostics.push({ severity: 'error', code, message, path: [...path] });
  }

  warn(path: Path, code: DiagnosticCode, message: string): void {
    this.diagnostics.push({ severity: 'warning', code, message, path: [...path] });
  }

  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /**
   * An object whose keys are checked against `rules`: ignored fields warn, rejected ones and unknown ones are
   * errors. Returns only the `read` fields.
   */
  object(value: unknown, path: Path, rules: FieldRules): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) {
      this.error(path, 'CONFIG_TYPE', `${where(path)} must be a mapping, not ${describe(value)}`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
      const at = [...path, key];
      if (rule === 'read') out[key] = v;
      else if (rule !== undefined && 'ignore' in rule)
        this.warn(at, 'CONFIG_UNSUPPORTED', `ignored: ${formatPath(at)} (${rule.ignore})`);
      else if (rule !== undefined) this.error(at, 'CONFIG_UNSUPPORTED', `${formatPath(at)}: ${rule.reject}`);
      else this.unknown(key, at, path, rules);
    }
    return out;
  }

  unknown(key: string, at: Path, parent: Path, rules: FieldRules): void {
    const readable = Object.keys(rules).filter((k) => rules[k] === 'read');
    const near = nearest(key, readable);
    const hint = near ? `; did you mean '${near}'?` : `; allowed: ${readable.join(', ')}`;
    this.error(at, 'CONFIG_UNKNOWN_FIELD', `unknown field '${key}' in ${where(parent)}${hint}`);
  }

  required(value: unknown, path: Path, what: string): boolean {
    if (value !== undefined && value !== null) return true;
    this.error(path, 'CONFIG_REQUIRED', `${formatPath(path)} is required: ${what}`);
    return false;
  }

  string(value: unknown, path: Path): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value.trim() !== '') return value;
    this.error(path, 'CONFIG_TYPE', `${formatPath(path)} must be a non-empty string, not ${describe(value)}`);
    return undefined;
  }

  boolean(value: unknown, path: Path): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'boolean') return value;
    this.error(path, 'CONFIG_TYPE', `${formatPath(path)} must be true or false, not ${describe(value)}`);
    return undefined;
  }

  /** A finite number within [min, max]. */
  number(value: unknown, path: Path, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
    this.error(
      path,
      'CONFIG_TYPE',
      `${formatPath(path)} must be a number from ${min} to ${max}, not ${describe(value)}`,
    );
    return undefined;
  }

  /** An integer ≥ min (limits and counts: Argo's IntOrString placeholders are not substituted here). */
  integer(value: unknown, path: Path, min: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
    const placeholder = typeof value === 'string' && value.includes('{{');
    this.error(
      path,
      'CONFIG_TYPE',
      `${formatPath(path)} must be an integer ≥ ${min}, not ${describe(value)}` +
        (placeholder ? '; arguments are substituted in queries, URLs, headers and bodies only' : ''),
    );
    return undefined;
  }

  array(value: unknown, path: Path): unknown[] | undefined {
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value;
    this.error(path, 'CONFIG_TYPE', `${formatPath(path)} must be a list, not ${describe(value)}`);
    return undefined;
  }

  /** A duration (`5m`, `1h30m`, `500ms`, integer seconds) in milliseconds, at least `minMs`. */
  duration(value: unknown, path: Path, minMs = 0): number | undefined {
    if (value === undefined) return undefined;
    const ms = parseDuration(value);
    if (ms !== undefined && ms >= minMs) return ms;
    this.error(
      path,
      'CONFIG_TYPE',
      `${formatPath(path)} must be a duration such as 30s, 5m, 1h30m or 500ms` +
        (minMs > 0 ? ` of at least ${formatDuration(minMs)}` : '') +
        `, not ${describe(value)}`,
    );
    return undefined;
  }

  /** HTTP headers, as Argo's `[{key, value}]` list or a plain mapping. */
  headers(value: unknown, path: Path): Record<string, string> {
    const out: Record<string, string> = {};
    if (value === undefined) return out;
    if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (typeof v === 'string') out[k] = v;
        else this.error([...path, k], 'CONFIG_TYPE', `header ${k} must be a string, not ${describe(v)}`);
      }
      return out;
    }
    const list = this.array(value, path);
    list?.forEach((item, i) => {
      const h = this.object(item, [...path, i], { key: 'read', value: 'read' });
      if (h === undefined) return;
      const key = this.string(h.key, [...path, i, 'key']);
      const v = typeof h.value === 'string' ? h.value : this.string(h.value, [...path, i, 'value']);
      if (key === undefined) this.required(h.key, [...path, i, 'key'], 'the header name');
      else if (v === undefined) this.required(h.value, [...path, i, 'value'], 'the header value');
      else out[key] = v;
    });
    return out;
  }

  /** An http(s) URL; `{{args.…}}` placeholders are allowed (checked after substitution). */
  url(value: unknown, path: Path): string | undefined {
    const s = this.string(value, path);
    if (s === undefined || s.includes('{{')) return s;
    try {
      const u = new URL(s);
      if (u.protocol === 'http:' || u.protocol === 'https:') return s;
    } catch {
      // reported below
    }
    this.error(path, 'CONFIG_TYPE', `${formatPath(path)} must be an http(s) URL, not ${describe(s)}`);
    return undefined;
  }

  /** Rule-language diagnostics of `source` (the field at `path`), with line, column and excerpt. */
  expression(
    problems: readonly ExpressionProblem[],
    source: string,
    path: Path,
    hint = '',
    label = formatPath(path),
  ): void {
    for (const p of problems) {
      const { line, column } = lineColumn(source, p.start);
      this.diagnostics.push({
        severity: p.severity ?? 'error',
        code: p.code,
        message: `${label}: ${p.message}${hint}`,
        path: [...path],
        line,
        column,
        excerpt: excerptAt(source, p.start),
      });
    }
  }
}

export const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function where(path: DocumentPath): string {
  return path.length === 0 ? 'the document' : formatPath(path);
}
