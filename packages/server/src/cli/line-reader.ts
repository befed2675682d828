import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { CliError } from './cli-error.js';

/** Large reads: per-chunk overhead (a stream callback, a split) is paid once per ~10,000 JSONL lines. */
const CHUNK_BYTES = 1024 * 1024;

/** The lines of one chunk of input, and the 1-based number of the first. */
export interface LineBatch {
  readonly lines: readonly string[];
  readonly firstLine: number;
}

/** Opens `file` for streaming (`-` is stdin), decoding UTF-8 across chunk boundaries. */
export function openInput(file: string): Readable {
  if (file === '-') {
    process.stdin.setEncoding('utf8');
    return process.stdin;
  }
  return createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
}

/**
 * Streams the lines of `input` in batches, never holding more than a chunk and one partial line: readline
 * emits an event per line, which costs more than the evaluation itself at a million lines. A trailing `\r`
 * (CRLF files) is dropped; the last line needs no newline.
 */
export async function* readLineBatches(input: Readable, name: string): AsyncGenerator<LineBatch> {
  let carry = '';
  let next = 1;
  try {
    for await (const chunk of input) {
      const lines = (carry + (chunk as string)).split('\n');
      carry = lines.pop()!;
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
      }
      yield { lines, firstLine: next };
      next += lines.length;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read ${name}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      2,
    );
  }
  if (carry !== '') {
    yield { lines: [carry.endsWith('\r') ? carry.slice(0, -1) : carry], firstLine: next };
  }
}
