import type { Diagnostic, DiagnosticCode, DocumentPath } from '../diagnostics.js';
import { formatPath } from '../diagnostics.js';
import { parseIsoTime } from '../rules/time.js';

export type Path = (string | number)[];
type Where = Pick<Diagnostic, 'flag' | 'environment' | 'ruleIndex'>;

/**
 * Reads untrusted documents field by field. Every problem becomes a diagnostic naming the field's path; a
 * wrong value reads as undefined so loading carries on and reports the next problem too.
 */
export class Reader {
  readonly diagnostics: Diagnostic[] = [];
  /** Where each rule and segment was read from, so later stages (expression compilation) can name the field. */
  readonly origins = new WeakMap<object, Path>();
  /** Attached to every diagnostic reported while set: the flag, environment and rule being read. */
  where: Where = {};

  /** @param rebase maps an internal path (of the config a bare flag was wrapped in) to the document's own path. */
  constructor(readonly rebase: (path: DocumentPath) => DocumentPath = (path) => path) {}

  error(path: DocumentPath, code: DiagnosticCode, message: string, extra: Partial<Diagnostic> = {}): void {
    this.diagnostics.push({
      severity: 'error',
      code,
      message,
      path: this.rebase(path),
      ...this.where,
      ...extra,
    });
  }

  warn(path: DocumentPath, code: DiagnosticCode, message: string): void {
    this.diagnostics.push({ severity: 'warning', code, message, path: this.rebase(path), ...this.where });
  }

  /** An object with only the `allowed` keys (aliases map an accepted spelling to its canonical key). */
  object(
    value: unknown,
    path: Path,
    allowed: readonly string[],
    aliases: Readonly<Record<string, string>> = {},
  ): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) {
      this.error(path, 'CONFIG_TYPE', `${formatPath(path)} must be an object, not ${describe(value)}`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [rawKey, v] of Object.entries(value)) {
      const key = aliases[rawKey] ?? rawKey;
      if (!allowed.includes(key)) {
        const near = nearest(rawKey, allowed);
        const hint = near ? `; did you mean '${near}'?` : `; allowed: ${allowed.join(', ')}`;
        this.error(
          [...path, rawKey],
          'CONFIG_UNKNOWN_FIELD',
          `unknown field '${rawKey}' in ${formatPath(path)}${hint}`,
        );
      } else if (key in out) {
        this.error(
          [...path, rawKey],
          'CONFIG_DUPLICATE_KEY',
          `'${rawKey}' repeats '${key}' in ${formatPath(path)}`,
        );
      } else {
        out[key] = v;
      }
    }
    return out;
  }

  string(value: unknown, path: Path): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    this.error(path, 'CONFIG_TYPE', `${formatPath(path)} must be a string, not ${describe(value)}`);
    return undefined;
  }

  boolean(value: unknown, path: Path): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'boolean') return value;
    this.error(path, 'CONFIG_TYPE', `${formatPath(path)} must be true or false, not ${describe(value)}`);
    return undefined;
  }

  number(value: unknown, path: Path): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.error(path, 'CONFIG_TYPE', `${formatPath(path)} must be a number, not ${describe(value)}`);
    return undefined;
  }

  array(value: unknown, path: Path): unknown[] | undefined {
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value;
    this.error(path, 'CONFIG_TYPE', `${formatPath(path)} must be a list, not ${describe(value)}`);
    return undefined;
  }

  /** An identifier: flag, segment, variant and environment keys share one shape. */
  key(value: unknown, path: Path, what: string): string | undefined {
    const s = this.string(value, path);
    if (s === undefined) return undefined;
    if (!KEY.test(s)) {
      this.error(
        path,
        'CONFIG_INVALID_KEY',
        `${what} '${s}' must be 1–128 letters, digits, '_', '-' or '.', starting with a letter or digit`,
      );
      return undefined;
    }
    return s;
  }

  /** An ISO 8601 time with a zone, returned normalised to UTC. */
  time(value: unknown, path: Path): string | undefined {
    const s = this.string(value, path);
    if (s === undefined) return undefined;
    const ms = parseIsoTime(s);
    if (ms === undefined) {
      this.error(
        path,
        'CONFIG_INVALID_DATE',
        `${formatPath(path)} must be an ISO 8601 date or time with a zone, not '${s}'`,
      );
      return undefined;
    }
    return new Date(ms).toISOString();
  }
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** The closest allowed name within edit distance 2, for "did you mean" hints. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
