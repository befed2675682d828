import { lineColumn } from '@pitboss/engine';
import { findJsonSyntaxError } from './json-syntax.js';

export type JsonObjectResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly message: string };

/**
 * Parses a JSON object given on the command line or as a JSONL line; on failure says what is wrong and where
 * ("expected ',' or '}', found 'x' at column 13"), so the input can be fixed without guessing.
 */
export function parseJsonObject(text: string): JsonObjectResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const found = findJsonSyntaxError(text);
    if (found === undefined) return { ok: false, message: (e as Error).message };
    const { line, column } = lineColumn(text, found.offset);
    const where = text.includes('\n') ? `line ${line} column ${column}` : `column ${column}`;
    return { ok: false, message: `${found.message} at ${where} (position ${found.offset})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    return { ok: false, message: `a context must be a JSON object, not ${kind}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
