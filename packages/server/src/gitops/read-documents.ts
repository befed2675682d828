import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { type Diagnostic, excerptAt } from '@pitboss/engine';
import { type Document, LineCounter, parseAllDocuments, type YAMLError } from 'yaml';
import { CliError } from '../cli/cli-error.js';
import { type FileDiagnostic, formatOf, parseSource } from '../cli/document.js';
import { locatePath } from '../cli/source-map.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** One GitOps document, with where it came from and how to place a diagnostic about it on its file's lines. */
export interface SourcedDocument {
  readonly value: unknown;
  readonly file: string;
  /** 0-based position among the documents of its file. */
  readonly indexInFile: number;
  /** Places a diagnostic whose `path` is relative to this document. */
  locate(d: Diagnostic): FileDiagnostic;
}

export interface DocumentSet {
  readonly files: readonly string[];
  readonly documents: readonly SourcedDocument[];
  /** Parse problems, placed; a document with a parse error is left out of `documents`. */
  readonly diagnostics: readonly FileDiagnostic[];
}

/**
 * Reads GitOps documents from files and directories (a directory: each of its *.yaml, *.yml and *.json, sorted
 * by name, not recursing). Only an unreadable path throws (a `CliError`, exit code 2).
 */
export async function readDocumentSet(paths: readonly string[]): Promise<DocumentSet> {
  const files = (await Promise.all(paths.map(expand))).flat();
  const documents: SourcedDocument[] = [];
  const diagnostics: FileDiagnostic[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as Error).message}`, 2);
    }
    const parsed = parseDocumentStream(text, file);
    documents.push(...parsed.documents);
    diagnostics.push(...parsed.diagnostics);
  }
  return { files, documents, diagnostics };
}

async function expand(path: string): Promise<string[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`,
      2,
    );
  }
  if (!isDirectory) return [path];
  const names = (await readdir(path)).filter((n) => EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new CliError(`${path} holds no *.yaml, *.yml or *.json file`, 2);
  return names.map((n) => join(path, n));
}

/**
 * The documents of one file. YAML may hold several, separated by `---`; a JSON file holds one document or a
 * list of them (so does a YAML document that is a list). Empty YAML documents (a stray `---`, comments only)
 * are skipped; a file without any document is an error, because with `--prune` it would archive everything.
 */
export function parseDocumentStream(
  source: string,
  file: string,
): { documents: SourcedDocument[]; diagnostics: FileDiagnostic[] } {
  if (formatOf(file, source) === 'json') {
    const doc = parseSource(source, file, 'json');
    if (doc.value === undefined) return { documents: [], diagnostics: [...doc.diagnostics] };
    return { documents: spread(doc.value, file, 0, (d) => doc.locate(d)), diagnostics: [...doc.diagnostics] };
  }
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source; // a BOM is not content
  const lineCounter = new LineCounter();
  const place = (offset: number, length: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { fileLine: line, fileColumn: col, excerpt: excerptAt(text, offset, length) };
  };
  const problem = (e: YAMLError, severity: 'error' | 'warning'): FileDiagnostic => {
    const [start, end] = e.pos;
    const duplicate = e.code === 'DUPLICATE_KEY';
    return {
      severity,
      code: duplicate ? 'CONFIG_DUPLICATE_KEY' : 'CONFIG_PARSE',
      message: duplicate ? 'this key appears twice in the same mapping' : `invalid YAML: ${e.message}`,
      path: [],
      file,
      ...place(start, Math.max(1, end - start)),
    };
  };
  let docs: Document.Parsed[];
  try {
    docs = [...parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false })];
  } catch (e) {
    // The parser recurses; absurd nesting can exhaust the stack.
    return {
      documents: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'CONFIG_PARSE',
          message: `cannot parse: ${(e as Error).message}`,
          path: [],
          file,
        },
      ],
    };
  }
  const documents: SourcedDocument[] = [];
  const diagnostics: FileDiagnostic[] = [];
  for (const doc of docs) {
    diagnostics.push(
      ...doc.errors.map((e) => problem(e, 'error')),
      ...doc.warnings.map((w) => problem(w, 'warning')),
    );
    if (doc.errors.length > 0) continue;
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const locate = (d: Diagnostic): FileDiagnostic => {
      const span = locatePath(doc, text, d.path, d);
      if (span === undefined) return { ...d, file };
      const at = place(span.offset, span.length);
      return { ...d, file, ...at, excerpt: span.excerpt ?? at.excerpt };
    };
    documents.push(...spread(value, file, documents.length, locate));
  }
  if (documents.length === 0 && diagnostics.length === 0) {
    diagnostics.push({
      severity: 'error',
      code: 'CONFIG_PARSE',
      message: 'the file holds no documents',
      path: [],
      file,
    });
  }
  return { documents, diagnostics };
}

/** A value that is a list of documents becomes one document per item, each locating through the list. */
function spread(
  value: unknown,
  file: string,
  first: number,
  locate: (d: Diagnostic) => FileDiagnostic,
): SourcedDocument[] {
  const one = (v: unknown, i: number, prefix: (string | number)[]): SourcedDocument => ({
    value: v,
    file,
    indexInFile: first + i,
    locate: (d) => locate({ ...d, path: [...prefix, ...d.path] }),
  });
  return Array.isArray(value) ? value.map((v, i) => one(v, i, [i])) : [one(value, 0, [])];
}
