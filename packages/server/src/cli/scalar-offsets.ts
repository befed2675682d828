/**
 * Maps an offset inside a string's decoded value to an offset in the file text the string was written as.
 *
 * Rule-language diagnostics are positioned inside the expression (the decoded value), but people fix the file:
 * between the two sit quotes, escapes (`\"`, `\u00e9`, YAML's `''`), YAML line folding (a line break and the
 * next line's indentation read as one space) and block-scalar headers and indentation. Rather than reimplement
 * each YAML style, the walk below aligns value and source character by character: ordinary characters must be
 * equal, escapes consume their whole sequence, and a source whitespace run holding a line break consumes the
 * value's whitespace run. Any disagreement aborts, so a wrong position is never reported — the caller falls back
 * to the start of the string.
 */

/** How a string was written: the `yaml` package's scalar types (JSON strings parse as `QUOTE_DOUBLE`). */
export type ScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/** Length of a double-quoted escape sequence by the character after the backslash (`\x41`, `\u00e9`, …). */
const ESCAPE_LENGTH: Readonly<Record<string, number>> = { x: 4, u: 6, U: 10 };

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/**
 * Returns the offset in `source` of the value character at `valueOffset` (`value.length` maps past the last
 * character), or undefined when the two cannot be aligned.
 *
 * @param source the file text
 * @param start offset in `source` where the scalar begins (its opening quote or block header)
 * @param end offset in `source` where the scalar ends
 * @param value the decoded string
 */
export function sourceOffset(
  source: string,
  start: number,
  end: number,
  style: ScalarStyle,
  value: string,
  valueOffset: number,
): number | undefined {
  let j = start;
  if (style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE') j++;
  else if (style === 'BLOCK_LITERAL' || style === 'BLOCK_FOLDED') {
    // Content starts on the line after the header (`|`, `>-`, `|2`…); starting at the header's line break lets
    // the line-break rule below skip the first line's indentation.
    const nl = source.indexOf('\n', start);
    if (nl === -1 || nl >= end) return undefined;
    j = nl;
  }
  let i = 0;
  while (i < value.length) {
    if (i === valueOffset) return j;
    if (j >= end) return undefined;
    const c = source[j]!;
    if (style === 'QUOTE_DOUBLE' && c === '\\') {
      const next = source[j + 1];
      if (next === '\n' || next === '\r') {
        // An escaped line break joins lines and produces nothing.
        j += 2;
        while (j < end && isSpace(source[j])) j++;
        continue;
      }
      const length = ESCAPE_LENGTH[next ?? ''] ?? 2;
      const units = next === 'U' && Number.parseInt(source.slice(j + 2, j + 10), 16) > 0xffff ? 2 : 1;
      if (valueOffset < i + units) return j;
      i += units;
      j += length;
    } else if (style === 'QUOTE_SINGLE' && c === "'" && source[j + 1] === "'") {
      i++;
      j += 2;
    } else if (isSpace(c) && breaksLine(source, j, end)) {
      const rawEnd = skipSpace(source, j, end);
      let k = i;
      while (k < value.length && isSpace(value[k])) k++;
      if (valueOffset < k) return Math.min(j + (valueOffset - i), rawEnd);
      i = k;
      j = rawEnd;
    } else if (c === value[i]) {
      i++;
      j++;
    } else {
      return undefined;
    }
  }
  return i === valueOffset ? j : undefined;
}

/** Whether the whitespace run at `j` contains a line break (so YAML folds or strips it). */
function breaksLine(source: string, j: number, end: number): boolean {
  for (let k = j; k < end && isSpace(source[k]); k++) if (source[k] === '\n') return true;
  return false;
}

function skipSpace(source: string, j: number, end: number): number {
  let k = j;
  while (k < end && isSpace(source[k])) k++;
  return k;
}

/** The offset in `text` of 1-based `line` and `column` (the engine's position inside an expression). */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl === -1) return text.length;
    offset = nl + 1;
  }
  return Math.min(offset + column - 1, text.length);
}
