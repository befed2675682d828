/**
 * Recursive-descent parser for the safe regex subset (JavaScript non-unicode syntax, ECMA-262 §22.2.1).
 *
 * Anything whose meaning would need backtracking (backreferences, lookaround) is rejected, and so are the
 * Annex B leniencies that silently turn a typo into a literal (a lone `{`, `}` or `]`, unknown letter escapes),
 * because a rule author who writes `a{2,x}` almost certainly did not mean the four literal characters.
 */
import {
  complementRanges,
  DIGIT,
  DOT,
  normalizeRanges,
  type Ranges,
  SPACE,
  WORD,
} from './safe-regex-charset.js';

/** Largest `n`/`m` accepted in `{n}`, `{n,}` and `{n,m}`. */
export const MAX_REPEAT = 1000;

/** Zero-width assertions; `\b`/`\B` use the ASCII word definition. */
export type Assertion = 'start' | 'end' | 'word-boundary' | 'not-word-boundary';

/** Parsed pattern. `offset` is the 0-based index in the pattern, used for error reporting. */
export type RegexNode =
  | { readonly kind: 'empty'; readonly offset: number }
  | { readonly kind: 'set'; readonly ranges: Ranges; readonly negate: boolean; readonly offset: number }
  | { readonly kind: 'assert'; readonly assertion: Assertion; readonly offset: number }
  | { readonly kind: 'concat'; readonly items: readonly RegexNode[]; readonly offset: number }
  | { readonly kind: 'alt'; readonly alternatives: readonly RegexNode[]; readonly offset: number }
  | {
      readonly kind: 'repeat';
      readonly body: RegexNode;
      readonly min: number;
      /** `Infinity` for `*`, `+` and `{n,}`. */
      readonly max: number;
      /** Index of the quantifier itself. */
      readonly offset: number;
    };

/** Thrown inside the parser only; `compileSafeRegex` converts it into an `ok: false` result. */
export class RegexSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const SYNTAX_ESCAPES = '^$\\.*+?()[]{}|/-';
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c, v: 0x0b };
const CLASS_ESCAPES: Readonly<Record<string, Ranges>> = {
  d: DIGIT,
  D: complementRanges(DIGIT),
  w: WORD,
  W: complementRanges(WORD),
  s: SPACE,
  S: complementRanges(SPACE),
};

// A fixed, linear pattern; the no-native-RegExp rule is about user-supplied patterns only.
const BRACES = /\{(\d+)(,(\d*))?\}/y;

/** Parses `pattern` into an AST or throws {@link RegexSyntaxError}. */
export function parseRegex(pattern: string): RegexNode {
  const parser = new Parser(pattern);
  const node = parser.parseDisjunction();
  if (parser.pos < pattern.length) throw new RegexSyntaxError("Unmatched ')'", parser.pos);
  return node;
}

class Parser {
  pos = 0;

  constructor(private readonly src: string) {}

  private peek(ahead = 0): string | undefined {
    return this.src[this.pos + ahead];
  }

  parseDisjunction(): RegexNode {
    const offset = this.pos;
    const alternatives = [this.parseAlternative()];
    while (this.peek() === '|') {
      this.pos++;
      alternatives.push(this.parseAlternative());
    }
    return alternatives.length === 1 ? alternatives[0]! : { kind: 'alt', alternatives, offset };
  }

  private parseAlternative(): RegexNode {
    const offset = this.pos;
    const items: RegexNode[] = [];
    for (let ch = this.peek(); ch !== undefined && ch !== '|' && ch !== ')'; ch = this.peek()) {
      items.push(this.parseTerm());
    }
    if (items.length === 0) return { kind: 'empty', offset };
    return items.length === 1 ? items[0]! : { kind: 'concat', items, offset };
  }

  private parseTerm(): RegexNode {
    const start = this.pos;
    const assertion = this.parseAssertion();
    if (assertion !== undefined) {
      if (this.atQuantifier())
        throw new RegexSyntaxError('Nothing to repeat (quantifier after an assertion)', this.pos);
      return { kind: 'assert', assertion, offset: start };
    }
    if (this.atQuantifier()) throw new RegexSyntaxError('Nothing to repeat', this.pos);
    const atom = this.parseAtom();
    return this.parseQuantifier(atom);
  }

  private parseAssertion(): Assertion | undefined {
    const ch = this.peek();
    if (ch === '^' || ch === '$') {
      this.pos++;
      return ch === '^' ? 'start' : 'end';
    }
    if (ch === '\\' && (this.peek(1) === 'b' || this.peek(1) === 'B')) {
      this.pos += 2;
      return this.src[this.pos - 1] === 'b' ? 'word-boundary' : 'not-word-boundary';
    }
    return undefined;
  }

  /** `*`, `+`, `?`, or a `{` that starts a well-formed `{n}`, `{n,}`, `{n,m}`. */
  private atQuantifier(): boolean {
    const ch = this.peek();
    return ch === '*' || ch === '+' || ch === '?' || (ch === '{' && this.readBraces() !== undefined);
  }

  private parseAtom(): RegexNode {
    const offset = this.pos;
    const ch = this.peek()!;
    switch (ch) {
      case '.':
        this.pos++;
        return { kind: 'set', ranges: DOT, negate: false, offset };
      case '(':
        return this.parseGroup();
      case '[':
        return this.parseClass();
      case '\\':
        return this.parseAtomEscape();
      case '{':
        throw new RegexSyntaxError("Lone '{' is not a valid quantifier; escape it as '\\{'", offset);
      case '}':
        throw new RegexSyntaxError("Lone '}'; escape it as '\\}'", offset);
      case ']':
        throw new RegexSyntaxError("Lone ']'; escape it as '\\]'", offset);
      default: {
        this.pos++;
        const c = ch.charCodeAt(0);
        return { kind: 'set', ranges: [c, c], negate: false, offset };
      }
    }
  }

  private parseGroup(): RegexNode {
    const open = this.pos;
    this.pos++;
    if (this.peek() === '?') this.parseGroupPrefix(open);
    const body = this.parseDisjunction();
    if (this.peek() !== ')') throw new RegexSyntaxError("Unterminated group: missing ')'", open);
    this.pos++;
    return body;
  }

  /** Accepts `(?:`; rejects lookaround, named groups and inline modifiers with the group's offset. */
  private parseGroupPrefix(open: number): void {
    const next = this.peek(1);
    const after = this.peek(2);
    if (next === ':') {
      this.pos += 2;
      return;
    }
    if (next === '=' || next === '!') {
      throw new RegexSyntaxError('Lookahead assertions (?= (?! are not supported', open);
    }
    if (next === '<' && (after === '=' || after === '!')) {
      throw new RegexSyntaxError('Lookbehind assertions (?<= (?<! are not supported', open);
    }
    if (next === '<')
      throw new RegexSyntaxError('Named groups (?<name> are not supported; use (?:...)', open);
    throw new RegexSyntaxError("Invalid group: '(?' must be followed by ':'", open);
  }

  private parseAtomEscape(): RegexNode {
    const offset = this.pos;
    const ch = this.peek(1);
    if (ch !== undefined && ch in CLASS_ESCAPES) {
      this.pos += 2;
      return { kind: 'set', ranges: CLASS_ESCAPES[ch]!, negate: false, offset };
    }
    const c = this.parseCharacterEscape(false);
    return { kind: 'set', ranges: [c, c], negate: false, offset };
  }

  /** Escapes denoting one code unit. `\b` is only valid here inside a class, where it means backspace. */
  private parseCharacterEscape(inClass: boolean): number {
    const offset = this.pos;
    const ch = this.peek(1);
    if (ch === undefined) throw new RegexSyntaxError('\\ at end of pattern', offset);
    this.pos += 2;
    if (SYNTAX_ESCAPES.includes(ch) || !/[0-9A-Za-z]/.test(ch)) return ch.charCodeAt(0);
    const control = CONTROL_ESCAPES[ch];
    if (control !== undefined) return control;
    if (inClass && ch === 'b') return 0x08;
    if (ch === '0' && !/[0-9]/.test(this.peek() ?? '')) return 0;
    if (ch === 'x') return this.readHex(2, offset);
    if (ch === 'u') return this.readHex(4, offset);
    if (inClass && /[0-9]/.test(ch)) throw new RegexSyntaxError('Octal escapes are not supported', offset);
    if (/[1-9]/.test(ch)) throw new RegexSyntaxError(`Backreferences (\\${ch}) are not supported`, offset);
    if (ch === 'k') throw new RegexSyntaxError('Backreferences (\\k<name>) are not supported', offset);
    if (ch === '0') throw new RegexSyntaxError('Octal escapes are not supported', offset);
    throw new RegexSyntaxError(`Unsupported escape '\\${ch}'`, offset);
  }

  private readHex(digits: number, offset: number): number {
    const text = this.src.slice(this.pos, this.pos + digits);
    if (text.length !== digits || !/^[0-9A-Fa-f]+$/.test(text)) {
      throw new RegexSyntaxError(`Invalid escape: expected ${digits} hex digits`, offset);
    }
    this.pos += digits;
    return Number.parseInt(text, 16);
  }

  private parseClass(): RegexNode {
    const open = this.pos;
    this.pos++;
    const negate = this.peek() === '^';
    if (negate) this.pos++;
    const ranges: number[] = [];
    while (this.peek() !== ']') {
      if (this.peek() === undefined)
        throw new RegexSyntaxError("Unterminated character class: missing ']'", open);
      this.parseClassRange(ranges);
    }
    this.pos++;
    return { kind: 'set', ranges: normalizeRanges(ranges), negate, offset: open };
  }

  /** One ClassAtom, or `atom-atom`; a `-` first, last, or right after a range is literal (§22.2.1). */
  private parseClassRange(out: number[]): void {
    const start = this.pos;
    const lo = this.parseClassAtom();
    if (this.peek() !== '-' || this.peek(1) === ']' || this.peek(1) === undefined) {
      pushAtom(out, lo);
      return;
    }
    this.pos++;
    const hi = this.parseClassAtom();
    if (typeof lo !== 'number' || typeof hi !== 'number') {
      throw new RegexSyntaxError(
        'Character class escapes (\\d \\w \\s ...) cannot be range endpoints',
        start,
      );
    }
    if (lo > hi) throw new RegexSyntaxError('Character class range out of order', start);
    out.push(lo, hi);
  }

  private parseClassAtom(): number | Ranges {
    const ch = this.peek()!;
    if (ch !== '\\') {
      this.pos++;
      return ch.charCodeAt(0);
    }
    const name = this.peek(1);
    if (name !== undefined && name in CLASS_ESCAPES) {
      this.pos += 2;
      return CLASS_ESCAPES[name]!;
    }
    return this.parseCharacterEscape(true);
  }

  private parseQuantifier(atom: RegexNode): RegexNode {
    const offset = this.pos;
    const ch = this.peek();
    let bounds: [number, number] | undefined;
    if (ch === '*') bounds = [0, Infinity];
    else if (ch === '+') bounds = [1, Infinity];
    else if (ch === '?') bounds = [0, 1];
    if (bounds !== undefined) this.pos++;
    else if (ch === '{') bounds = this.parseBraces(offset);
    if (bounds === undefined) return atom;
    if (this.peek() === '?') this.pos++; // Lazy: same language, so the same answer for test().
    if (this.atQuantifier())
      throw new RegexSyntaxError('Nothing to repeat (quantifier after a quantifier)', this.pos);
    return { kind: 'repeat', body: atom, min: bounds[0], max: bounds[1], offset };
  }

  private parseBraces(offset: number): [number, number] {
    const braces = this.readBraces();
    if (braces === undefined)
      throw new RegexSyntaxError("Lone '{' is not a valid quantifier; escape it as '\\{'", offset);
    const [min, max, length] = braces;
    const text = this.src.slice(offset, offset + length);
    if (min > MAX_REPEAT || (max > MAX_REPEAT && max !== Infinity)) {
      throw new RegexSyntaxError(`Repetition count exceeds ${MAX_REPEAT}: ${text}`, offset);
    }
    if (min > max) throw new RegexSyntaxError(`Quantifier range out of order: ${text}`, offset);
    this.pos += length;
    return [min, max];
  }

  /**
   * Reads `{n}`, `{n,}` or `{n,m}` at the cursor without consuming: `[min, max, length]` or undefined.
   * Huge digit strings become `MAX_REPEAT + 1` so they are reported as too large, never as unbounded.
   */
  private readBraces(): [number, number, number] | undefined {
    BRACES.lastIndex = this.pos;
    const m = BRACES.exec(this.src);
    if (m === null) return undefined;
    const min = toCount(m[1]!);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : toCount(m[3]!);
    return [min, max, m[0].length];
  }
}

function toCount(digits: string): number {
  const n = Number(digits);
  return Number.isFinite(n) && n <= MAX_REPEAT ? n : MAX_REPEAT + 1;
}

function pushAtom(out: number[], atom: number | Ranges): void {
  if (typeof atom === 'number') out.push(atom, atom);
  else out.push(...atom);
}
