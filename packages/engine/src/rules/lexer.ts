import type { ExpressionDiagnostic } from '../diagnostics.js';

export type TokenKind =
  | 'ident' // attribute path segment, function name, keyword (true, false, in, not)
  | 'string'
  | 'number'
  | 'op' // == != < <= > >= && || ! - . ,
  | 'lparen'
  | 'rparen'
  | 'lbracket'
  | 'rbracket'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Strings with escapes: the source text between the quotes, to map decoded offsets back to the source. */
  readonly raw?: string;
  /** Source text for idents and operators; the decoded value for strings; the literal text for numbers. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const TWO_CHAR_OPS = new Set(['==', '!=', '<=', '>=', '&&', '||']);
const ONE_CHAR_OPS = new Set(['<', '>', '!', '-', '.', ',']);
const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36; // A-Z a-z _ $
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Splits an expression into tokens. Never throws: a bad character or an unterminated string becomes a
 * diagnostic and lexing goes on, so the parser can report everything at once.
 */
export function tokenize(source: string, diagnostics: ExpressionDiagnostic[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < source.length && (isIdentStart(source.charCodeAt(i)) || isDigit(source.charCodeAt(i)))) i++;
      tokens.push({ kind: 'ident', text: source.slice(start, i), start, end: i });
    } else if (isDigit(c)) {
      i = lexNumber(source, i, tokens);
    } else if (c === 39 || c === 34) {
      i = lexString(source, i, tokens, diagnostics);
    } else if (c === 40 || c === 41 || c === 91 || c === 93) {
      const kind = c === 40 ? 'lparen' : c === 41 ? 'rparen' : c === 91 ? 'lbracket' : 'rbracket';
      tokens.push({ kind, text: source[i]!, start: i, end: i + 1 });
      i++;
    } else {
      const two = source.slice(i, i + 2);
      if (TWO_CHAR_OPS.has(two)) {
        tokens.push({ kind: 'op', text: two, start: i, end: i + 2 });
        i += 2;
      } else if (ONE_CHAR_OPS.has(source[i]!)) {
        tokens.push({ kind: 'op', text: source[i]!, start: i, end: i + 1 });
        i++;
      } else {
        const hint =
          source[i] === '='
            ? " (use '==' to compare)"
            : source[i] === '&' || source[i] === '|'
              ? ` (use '${source[i]}${source[i]}')`
              : '';
        diagnostics.push({
          code: 'EXPR_SYNTAX',
          message: `unexpected character '${source[i]}'${hint}`,
          start: i,
          end: i + 1,
        });
        i++;
      }
    }
  }
  // "Unexpected end" points just after the last character, not after a YAML block scalar's final newline.
  const end = source.trimEnd().length;
  tokens.push({ kind: 'eof', text: '', start: end, end });
  return tokens;
}

function lexNumber(source: string, start: number, tokens: Token[]): number {
  let i = start;
  while (i < source.length && isDigit(source.charCodeAt(i))) i++;
  // A fraction needs a digit after the dot, so `1.` stays a number followed by an operator the parser rejects.
  if (source[i] === '.' && isDigit(source.charCodeAt(i + 1))) {
    i++;
    while (i < source.length && isDigit(source.charCodeAt(i))) i++;
  }
  tokens.push({ kind: 'number', text: source.slice(start, i), start, end: i });
  return i;
}

function lexString(
  source: string,
  start: number,
  tokens: Token[],
  diagnostics: ExpressionDiagnostic[],
): number {
  const quote = source[start];
  let i = start + 1;
  let value = '';
  while (i < source.length && source[i] !== quote) {
    if (source[i] === '\\') {
      const next = source[i + 1];
      const decoded = next === undefined ? undefined : ESCAPES[next];
      if (decoded === undefined) {
        diagnostics.push({
          code: 'EXPR_SYNTAX',
          message: `unknown escape '\\${next ?? ''}' in string`,
          start: i,
          end: i + 2,
        });
        value += next ?? '';
      } else {
        value += decoded;
      }
      i += 2;
    } else {
      value += source[i];
      i++;
    }
  }
  if (i >= source.length) {
    diagnostics.push({
      code: 'EXPR_UNTERMINATED_STRING',
      message: `string starting here is not closed with ${quote}`,
      start,
      end: source.length,
    });
    tokens.push({ kind: 'string', text: value, start, end: source.length });
    return source.length;
  }
  const raw = source.slice(start + 1, i);
  const token: Token = { kind: 'string', text: value, start, end: i + 1 };
  tokens.push(raw === value ? token : { ...token, raw });
  return i + 1;
}

/**
 * The offset in the source of the `index`-th decoded character of a string literal starting at `start` (its
 * opening quote): an escape such as `\n` is two source characters for one decoded character.
 */
export function sourceOffset(start: number, raw: string | undefined, index: number): number {
  if (raw === undefined) return start + 1 + index;
  let at = 0;
  for (let decoded = 0; decoded < index && at < raw.length; decoded++) at += raw[at] === '\\' ? 2 : 1;
  return start + 1 + at;
}
