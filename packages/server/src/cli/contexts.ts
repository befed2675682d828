import type { Context } from '@pitboss/engine';
import { parseJsonObject } from './json-input.js';
import { openInput, readLineBatches } from './line-reader.js';
import type { BatchWriter } from './output.js';

/** What to do with each line of a contexts file. */
export interface ContextHandler {
  context(ctx: Context, line: number): void;
  /** A line that is not a JSON object; `message` says why and where. */
  invalid(line: number, message: string): void;
}

/**
 * Streams a JSONL file of contexts (`-` is stdin) into `handler`, skipping blank lines. When `writer` is given,
 * its batches are flushed as they fill, waiting for the consumer when it is slower (backpressure).
 */
export async function forEachContext(
  file: string,
  handler: ContextHandler,
  writer?: BatchWriter,
): Promise<void> {
  const name = file === '-' ? 'stdin' : file;
  for await (const { lines, firstLine } of readLineBatches(openInput(file), name)) {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (isBlank(line)) continue;
      const parsed = parseJsonObject(line);
      if (parsed.ok) handler.context(parsed.value, firstLine + i);
      else handler.invalid(firstLine + i, parsed.message);
      if (writer?.full) await writer.flush();
    }
  }
  await writer?.flush();
}

function isBlank(line: string): boolean {
  if (line.length === 0) return true;
  const c = line.charCodeAt(0);
  // Only lines starting with whitespace can be blank: saves a trim() per line.
  return (c === 32 || c === 9) && line.trim() === '';
}
