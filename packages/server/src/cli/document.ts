import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { type Diagnostic, excerptAt, lineColumn } from '@pitboss/engine';
import { type Document, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { CliError } from './cli-error.js';
import { findJsonSyntaxError } from './json-syntax.js';
import { locatePath, type Span } from './source-map.js';

export type Format = 'json' | 'yaml';

/** A diagnostic placed in a file: `fileLine` / `fileColumn` (1-based) where the text can be fixed. */
export interface FileDiagnostic extends Diagnostic {
  readonly file: string;
  readonly fileLine?: number;
  readonly fileColumn?: number;
}

/** A config file, parsed, able to place engine diagnostics on its lines. */
export interface SourceDocument {
  readonly file: string;
  readonly format: Format;
  /** The parsed value; undefined when the text could not be parsed (see `diagnostics`). */
  readonly value: unknown;
  /** Problems found while parsing (`CONFIG_PARSE`, `CONFIG_DUPLICATE_KEY`), already placed. */
  readonly diagnostics: readonly FileDiagnostic[];
  /** Places an engine diagnostic about this document's value on the file's lines. */
  locate(d: Diagnostic): FileDiagnostic;
}

/**
 * Reads and parses a config file. Problems with the text become diagnostics; only an unreadable file throws
 * (a `CliError`, exit code 2).
 */
export async function readDocument(file: string): Promise<SourceDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new CliError(`cannot read ${file}: ${why}`, 2);
  }
  return parseSource(text, file);
}

/** JSON or YAML, by extension; otherwise a document starting with `{` or `[` is taken for JSON. */
export function formatOf(file: string, text: string): Format {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return /^\s*[[{]/.test(text) ? 'json' : 'yaml';
}

/**
 * Parses config text. JSON is checked strictly (`JSON.parse`: no trailing commas or comments), then parsed
 * again as YAML — a superset — only to learn where each value sits. YAML is parsed with unique keys and one
 * document per file.
 */
export function parseSource(
  source: string,
  file: string,
  format: Format = formatOf(file, source),
): SourceDocument {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source; // a BOM is not content
  const lineCounter = new LineCounter();
  const at = (offset: number, length = 1): Pick<FileDiagnostic, 'fileLine' | 'fileColumn' | 'excerpt'> => {
    // The line counter fills in while YAML parses; JSON that failed `JSON.parse` never got that far.
    const { line, col } =
      lineCounter.lineStarts.length > 0 ? lineCounter.linePos(offset) : toLineCol(text, offset);
    return { fileLine: line, fileColumn: col, excerpt: excerptAt(text, offset, length) };
  };
  const problem = (
    code: Diagnostic['code'],
    message: string,
    offset?: number,
    length?: number,
  ): FileDiagnostic => ({
    severity: 'error',
    code,
    message,
    path: [],
    file,
    ...(offset === undefined ? {} : at(offset, length)),
  });
  const failed = (diagnostics: FileDiagnostic[]): SourceDocument => ({
    file,
    format,
    value: undefined,
    diagnostics,
    locate: (d) => ({ ...d, file }),
  });

  if (text.trim() === '')
    return failed([problem('CONFIG_PARSE', 'the file is empty; expected a config or a flag')]);
  let json: unknown;
  if (format === 'json') {
    try {
      json = JSON.parse(text);
    } catch (e) {
      const found = findJsonSyntaxError(text);
      const message = found?.message ?? (e as Error).message;
      return failed([problem('CONFIG_PARSE', `invalid JSON: ${message}`, found?.offset ?? text.length)]);
    }
  }
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  } catch (e) {
    // The parser recurses; absurd nesting can exhaust the stack.
    return failed([problem('CONFIG_PARSE', `cannot parse: ${(e as Error).message}`)]);
  }
  const diagnostics = doc.errors
    .filter((e) => format === 'yaml' || e.code === 'DUPLICATE_KEY')
    .map((e) => yamlProblem(e, problem));
  diagnostics.push(
    ...doc.warnings.map((w) => ({ ...yamlProblem(w, problem), severity: 'warning' as const })),
  );
  // Duplicate keys still leave a usable document: load it, so its other problems are reported in the same run.
  if (diagnostics.some((d) => d.severity === 'error' && d.code === 'CONFIG_PARSE'))
    return failed(diagnostics);
  let value: unknown;
  try {
    value = format === 'json' ? json : doc.toJS();
  } catch (e) {
    return failed([
      ...diagnostics,
      problem('CONFIG_PARSE', `cannot read the document: ${(e as Error).message}`),
    ]);
  }
  if (value === null || value === undefined) {
    return failed([
      ...diagnostics,
      problem('CONFIG_PARSE', 'the document is empty; expected a config or a flag'),
    ]);
  }
  return {
    file,
    format,
    value,
    diagnostics,
    locate(d) {
      const span: Span | undefined = locatePath(doc, text, d.path, d);
      if (span === undefined) return { ...d, file };
      const place = at(span.offset, span.length);
      return { ...d, file, ...place, excerpt: span.excerpt ?? d.excerpt ?? place.excerpt };
    },
  };
}

function toLineCol(text: string, offset: number): { line: number; col: number } {
  const { line, column } = lineColumn(text, offset);
  return { line, col: column };
}

type Problem = (
  code: Diagnostic['code'],
  message: string,
  offset?: number,
  length?: number,
) => FileDiagnostic;

function yamlProblem(e: YAMLError, problem: Problem): FileDiagnostic {
  const [start, end] = e.pos;
  if (e.code === 'MULTIPLE_DOCS') {
    return problem(
      'CONFIG_PARSE',
      'one document per file: this file has a second YAML document (after ---); split it into two files',
      start,
      end - start,
    );
  }
  if (e.code === 'DUPLICATE_KEY')
    return problem('CONFIG_DUPLICATE_KEY', 'this key appears twice in the same mapping', start, end - start);
  return problem('CONFIG_PARSE', `invalid YAML: ${e.message}`, start, Math.max(1, end - start));
}
