import { type Diagnostic, type DocumentPath, excerptAt } from '@pitboss/engine';
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { offsetOf, type ScalarStyle, sourceOffset } from './scalar-offsets.js';

/** A span of the file text. */
export interface Span {
  readonly offset: number;
  readonly length: number;
  /** Replaces the engine's excerpt when the position was moved (see below). */
  readonly excerpt?: string;
}

/** Diagnostics about a key itself (a misspelt field, a repeated key, an unknown variant in a split). */
const KEY_CODES = new Set(['CONFIG_UNKNOWN_FIELD', 'CONFIG_DUPLICATE_KEY']);
const KEYED_MAPS = new Set(['split', 'variants']);

interface Resolved {
  /** The node at the end of the walk (null for `key:` with no value). */
  readonly node: Node | null;
  /** The pair of the last map step, when the last step went through a map. */
  readonly pair: Pair | undefined;
  /** Whether every path segment was found. */
  readonly complete: boolean;
}

/**
 * Locates an engine diagnostic in the parsed file: its `path` is walked through the YAML node tree (JSON files
 * parse to the same tree), and for rule-language diagnostics the expression's own line and column are carried
 * into the string as written. Returns undefined when not even the document root has a position.
 *
 * @param path the diagnostic's path, already relative to the file's root (see `document.ts`)
 */
export function locatePath(doc: Document, text: string, path: DocumentPath, d: Diagnostic): Span | undefined {
  const { node, pair, complete } = resolve(doc, path);
  const keySpan = pair && isScalar(pair.key) ? span(pair.key) : undefined;
  if (complete && keySpan && (KEY_CODES.has(d.code) || isKeyedVariant(path, d))) return keySpan;
  if (!complete || node === null) return keySpan ?? (node ? span(node) : undefined);
  if (d.line !== undefined && d.column !== undefined && isScalar(node) && typeof node.value === 'string') {
    const [start, end] = node.range!;
    // "Unexpected end" points past trailing whitespace — for a block scalar, past its final line break, on the
    // next line of the file; the end of the text is more use to the reader.
    const reported = offsetOf(node.value, d.line, d.column);
    const at = Math.min(reported, node.value.trimEnd().length);
    const offset = sourceOffset(text, start, end, node.type as ScalarStyle, node.value, at);
    if (offset !== undefined)
      return at === reported
        ? { offset, length: 1 }
        : { offset, length: 1, excerpt: excerptAt(node.value, at) };
  }
  return span(node);
}

/** An unknown variant named as a key of `split` (or `variants`) is the key's fault, not its weight's. */
function isKeyedVariant(path: DocumentPath, d: Diagnostic): boolean {
  const parent = path[path.length - 2];
  return typeof parent === 'string' && KEYED_MAPS.has(parent) && d.code !== 'FLAG_INVALID_SPLIT';
}

/** Walks `path` from the document root as far as it goes. */
function resolve(doc: Document, path: DocumentPath): Resolved {
  return walk(doc, deref(doc, doc.contents), undefined, path, 0);
}

function walk(
  doc: Document,
  node: Node | null,
  pair: Pair | undefined,
  path: DocumentPath,
  i: number,
): Resolved {
  if (i === path.length) return { node, pair, complete: true };
  const seg = path[i]!;
  if (isMap(node)) {
    const found = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
    const deeper = found ? walk(doc, deref(doc, found.value as Node | null), found, path, i + 1) : undefined;
    if (deeper?.complete) return deeper;
    // Fields written at the flag's top level apply to every environment, but the engine reports some of them
    // under `environments.<env>` (a prerequisite is checked per environment): look for them one level up.
    if (seg === 'environments' && typeof path[i + 1] === 'string' && i + 2 < path.length) {
      const shared = walk(doc, node, pair, path, i + 2);
      if (shared.complete) return shared;
    }
    return deeper ?? { node, pair, complete: false };
  }
  if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
    return walk(doc, deref(doc, node.items[seg] as Node | null), undefined, path, i + 1);
  }
  // `segments: { nordics: "market in [...]" }`: the string is the segment's `if`.
  if (isScalar(node) && seg === 'if' && i === path.length - 1) return { node, pair, complete: true };
  return { node, pair, complete: false };
}

/** Follows an alias (`*anchor`) to the node it names, so positions point at the text that was written. */
function deref(doc: Document, node: Node | null | undefined): Node | null {
  if (node === undefined || node === null) return null;
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? node;
  return node;
}

/** A scalar's whole text (the caret underlines it); a collection's first character only. */
function span(node: Node): Span | undefined {
  if (!node.range) return undefined;
  return { offset: node.range[0], length: isScalar(node) ? Math.max(1, node.range[1] - node.range[0]) : 1 };
}
