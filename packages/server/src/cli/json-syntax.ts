/**
 * Finds where and why JSON text is malformed. Node 20's `JSON.parse` names the position for some errors only
 * ("Unexpected token '}', ... is not valid JSON" has none), and a config author needs a line and column, so this
 * scanner runs after `JSON.parse` has failed. It is iterative (an explicit stack), so hostile nesting cannot
 * overflow the call stack.
 */

export interface JsonSyntaxError {
  readonly message: string;
  /** Offset of the offending character (the text's length at an unexpected end). */
  readonly offset: number;
}

const LITERALS = ['true', 'false', 'null'];
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = skipWs(text, 0);
  // Each entry is the container being read: '{' or '['.
  const stack: string[] = [];
  const fail = (message: string, at = i): JsonSyntaxError => ({ message, offset: at });
  const describe = (at: number): string => (at >= text.length ? 'the end of the input' : `'${text[at]}'`);
  for (;;) {
    // Expect a value at i.
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i = skipWs(text, i + 1);
      const close = c === '{' ? '}' : ']';
      if (text[i] === close) {
        stack.pop();
        i++;
      } else if (c === '{') {
        const e = readKey(text, i);
        if (typeof e !== 'number') return e;
        i = e;
        continue;
      } else {
        continue;
      }
    } else if (c === '"') {
      const end = readString(text, i);
      if (typeof end !== 'number') return end;
      i = end;
    } else if (c !== undefined && (c === '-' || (c >= '0' && c <= '9'))) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) return fail(`invalid number`);
      i = NUMBER.lastIndex;
    } else {
      const literal = LITERALS.find((l) => text.startsWith(l, i));
      if (literal === undefined) return fail(`expected a value, found ${describe(i)}`);
      i += literal.length;
    }
    // After a value: close containers or move to the next member.
    for (;;) {
      i = skipWs(text, i);
      const top = stack[stack.length - 1];
      if (top === undefined) {
        return i < text.length
          ? fail(`unexpected ${describe(i)} after the end of the JSON value`)
          : undefined;
      }
      const close = top === '{' ? '}' : ']';
      if (text[i] === close) {
        stack.pop();
        i++;
        continue;
      }
      if (text[i] !== ',') return fail(`expected ',' or '${close}', found ${describe(i)}`);
      const next = skipWs(text, i + 1);
      if (text[next] === close) return fail(`trailing comma before '${close}' (not allowed in JSON)`, i);
      i = next;
      if (top === '{') {
        const e = readKey(text, i);
        if (typeof e !== 'number') return e;
        i = e;
      }
      break;
    }
  }
}

/** Reads `"key" :` and returns the offset of the value, or the error. */
function readKey(text: string, i: number): number | JsonSyntaxError {
  if (text[i] !== '"') {
    const found = i >= text.length ? 'the end of the input' : `'${text[i]}'`;
    return { message: `expected a double-quoted property name, found ${found}`, offset: i };
  }
  const end = readString(text, i);
  if (typeof end !== 'number') return end;
  const colon = skipWs(text, end);
  if (text[colon] !== ':') return { message: `expected ':' after the property name`, offset: colon };
  return skipWs(text, colon + 1);
}

/** Reads a string starting at its opening quote; returns the offset after the closing quote, or the error. */
function readString(text: string, start: number): number | JsonSyntaxError {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 32) return { message: 'unescaped control character (a line break?) in a string', offset: i };
    if (c === 92) {
      const e = text[i + 1] ?? '';
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 5;
      else if (ESCAPES.has(e)) i++;
      else return { message: `invalid escape '\\${e}' in a string`, offset: i };
    }
  }
  return { message: 'unterminated string', offset: start };
}

function skipWs(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    j++;
  }
  return j;
}
