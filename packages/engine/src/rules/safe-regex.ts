/**
 * Linear-time regular expressions for the rule language's `matches(attr, 'pattern')`.
 *
 * Backtracking engines (including the native RegExp) take exponential time on patterns like `(a+)+$`; a
 * feature-flag rule must never be able to stall evaluation. Following Russ Cox, "Regular Expression Matching Can
 * Be Simple And Fast" (2007) and "Regular Expression Matching: the Virtual Machine Approach" (2009), a pattern is
 * parsed to an AST, compiled to a Thompson NFA laid out as a small instruction program, and run by a Pike VM
 * that advances the whole set of live states one input code unit at a time. Each state is visited at most once
 * per input position, so `test` costs O(input length × program size), and program size is capped.
 *
 * Semantics equal `new RegExp(pattern, flags).test(input)` in non-unicode mode for the supported subset; see
 * {@link compileSafeRegex} for the accepted and rejected syntax.
 */
import { isWordUnit, makeMatcher } from './safe-regex-charset.js';
import { type Assertion, parseRegex, type RegexNode, RegexSyntaxError } from './safe-regex-parser.js';

export { MAX_REPEAT } from './safe-regex-parser.js';

/** A compiled, linear-time pattern. */
export interface SafeRegex {
  /** The pattern text as given to {@link compileSafeRegex}. */
  readonly source: string;
  /** Same result as `new RegExp(source, flags).test(input)`; never throws, never backtracks. */
  test(input: string): boolean;
}

/** Outcome of {@link compileSafeRegex}; `offset` is the 0-based index in the pattern where the problem is. */
export type SafeRegexResult = { ok: true; regex: SafeRegex } | { ok: false; message: string; offset: number };

/** Longest accepted pattern, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 1024;

/** Largest accepted program (NFA states), so `(a{1000}){1000}`-style nesting cannot explode memory or time. */
export const MAX_NFA_STATES = 10_000;

const OP_CHAR = 0;
const OP_SPLIT = 1;
const OP_JMP = 2;
const OP_ASSERT = 3;
const OP_MATCH = 4;

const ASSERTION_CODES: Readonly<Record<Assertion, number>> = {
  start: 0,
  end: 1,
  'word-boundary': 2,
  'not-word-boundary': 3,
};

/**
 * Instruction program (Cox 2009): CHAR tests `matchers[arg1]` then falls through to pc + 1; SPLIT forks to
 * arg1 and arg2; JMP goes to arg1; ASSERT checks assertion arg1 and falls through; MATCH accepts.
 */
interface Program {
  readonly op: Uint8Array;
  readonly arg1: Int32Array;
  readonly arg2: Int32Array;
  readonly matchers: readonly ((c: number) => boolean)[];
}

/**
 * Compiles `pattern` into a {@link SafeRegex} whose `test` runs in time linear in the input length.
 *
 * Supported (JavaScript non-unicode semantics over UTF-16 code units): literals; identity escapes of any ASCII
 * punctuation (`\. \\ \/ \- \[ \] \( \) \{ \} \* \+ \? \| \^ \$` ...); `\n \r \t \f \v \0 \xHH \uHHHH`; `.`;
 * classes `[abc] [a-z] [^...] [] [^]` with the escapes `\d \D \w \W \s \S \b`(backspace) inside; `\d \D \w \W
 * \s \S` outside; assertions `^ $ \b \B`; groups `(...)` and `(?:...)`; alternation `|`; quantifiers
 * `* + ? {n} {n,} {n,m}` and their lazy forms (same answer for `test`). Flag `i` follows the spec's non-unicode
 * Canonicalize exactly (per-code-unit `toUpperCase`, never mapping non-ASCII onto ASCII).
 *
 * Rejected (`ok: false`): backreferences `\1` `\k<name>`; lookahead/lookbehind; named groups (use `(?:...)`);
 * inline modifiers `(?i)`; octal and unknown letter escapes (`\c`, `\p`, `\u{...}`...); a lone `{`, `}` or `]`
 * (escape them); class escapes as range endpoints (`[\d-z]`); unbalanced parentheses or brackets; nothing to
 * repeat; `{n,m}` with n > m or a count above {@link MAX_REPEAT}; patterns longer than
 * {@link MAX_PATTERN_LENGTH}; programs larger than {@link MAX_NFA_STATES}; flags other than `''` and `'i'`
 * (reported at offset 0). Never throws.
 *
 * @example
 * const result = compileSafeRegex('^(beta|canary)-\\d+$', 'i');
 * if (result.ok) result.regex.test('Canary-42'); // true
 * compileSafeRegex('(a)\\1'); // { ok: false, message: 'Backreferences (\\1) are not supported', offset: 3 }
 */
export function compileSafeRegex(pattern: string, flags = ''): SafeRegexResult {
  try {
    if (typeof pattern !== 'string') return { ok: false, message: 'Pattern must be a string', offset: 0 };
    if (flags !== '' && flags !== 'i') {
      return {
        ok: false,
        message: `Unsupported flags '${String(flags)}': only '' and 'i' are allowed`,
        offset: 0,
      };
    }
    if (pattern.length > MAX_PATTERN_LENGTH) {
      const message = `Pattern exceeds ${MAX_PATTERN_LENGTH} characters`;
      return { ok: false, message, offset: MAX_PATTERN_LENGTH };
    }
    const ast = parseRegex(pattern);
    checkProgramSize(ast);
    const program = new Compiler(flags === 'i').compile(ast);
    return { ok: true, regex: new CompiledRegex(pattern, program) };
  } catch (error) {
    if (error instanceof RegexSyntaxError) return { ok: false, message: error.message, offset: error.offset };
    // Only reachable on engine bugs or resource exhaustion; the contract is to never throw.
    return { ok: false, message: `Pattern could not be compiled: ${String(error)}`, offset: 0 };
  }
}

/**
 * Runs `regex.test(input)` and returns how many VM steps it took (state visits plus character tests). Exposed so
 * tests can assert the linear bound `steps <= 5 × (input.length + 1) × nfaStateCount(regex)` without timing
 * (per position: at most 3n + 1 closure pops and n character tests for a program of n states).
 * Returns -1 for objects not created by {@link compileSafeRegex}.
 *
 * @example
 * const r = compileSafeRegex('(a+)+$');
 * if (r.ok) matchSteps(r.regex, 'aaaa!'); // small, proportional to 5 × program size
 */
export function matchSteps(regex: SafeRegex, input: string): number {
  if (!(regex instanceof CompiledRegex)) return -1;
  return regex.run(input).steps;
}

/**
 * Number of NFA states (program instructions) of a compiled pattern, or -1 for foreign objects.
 *
 * @example
 * const r = compileSafeRegex('ab');
 * if (r.ok) nfaStateCount(r.regex); // 3: CHAR a, CHAR b, MATCH
 */
export function nfaStateCount(regex: SafeRegex): number {
  return regex instanceof CompiledRegex ? regex.program.op.length : -1;
}

/** Program size of a node, mirroring exactly what {@link Compiler.emit} generates. */
function sizeOf(node: RegexNode): number {
  switch (node.kind) {
    case 'empty':
      return 0;
    case 'set':
    case 'assert':
      return 1;
    case 'concat':
      return node.items.reduce((sum, item) => sum + sizeOf(item), 0);
    case 'alt':
      return (
        node.alternatives.reduce((sum, alt) => sum + sizeOf(alt), 0) + 2 * (node.alternatives.length - 1)
      );
    case 'repeat': {
      const body = sizeOf(node.body);
      if (node.max === Infinity) return node.min === 0 ? body + 2 : node.min * body + 1;
      return node.min * body + (node.max - node.min) * (body + 1);
    }
  }
}

/**
 * Rejects oversized programs before emitting anything, reporting the innermost node that crosses the bound
 * (for a repetition, the offset of its quantifier). Children are checked first, so `sizeOf` never sees a huge
 * subtree and the arithmetic stays far below 2^53.
 */
function checkProgramSize(node: RegexNode): number {
  const children =
    node.kind === 'concat'
      ? node.items
      : node.kind === 'alt'
        ? node.alternatives
        : node.kind === 'repeat'
          ? [node.body]
          : [];
  for (const child of children) checkProgramSize(child);
  const size = sizeOf(node) + 1; // + MATCH
  if (size > MAX_NFA_STATES) {
    throw new RegexSyntaxError(`Pattern too complex: NFA would exceed ${MAX_NFA_STATES} states`, node.offset);
  }
  return size;
}

/** Thompson construction into a flat program (Cox 2009, "Compiling to bytecode"). */
class Compiler {
  private readonly op: number[] = [];
  private readonly arg1: number[] = [];
  private readonly arg2: number[] = [];
  private readonly matchers: ((c: number) => boolean)[] = [];

  constructor(private readonly ignoreCase: boolean) {}

  compile(ast: RegexNode): Program {
    this.emit(ast);
    this.push(OP_MATCH, 0, 0);
    return {
      op: Uint8Array.from(this.op),
      arg1: Int32Array.from(this.arg1),
      arg2: Int32Array.from(this.arg2),
      matchers: this.matchers,
    };
  }

  private push(op: number, a: number, b: number): number {
    this.op.push(op);
    this.arg1.push(a);
    this.arg2.push(b);
    return this.op.length - 1;
  }

  private emit(node: RegexNode): void {
    switch (node.kind) {
      case 'empty':
        return;
      case 'set':
        this.matchers.push(makeMatcher(node.ranges, node.negate, this.ignoreCase));
        this.push(OP_CHAR, this.matchers.length - 1, 0);
        return;
      case 'assert':
        this.push(OP_ASSERT, ASSERTION_CODES[node.assertion], 0);
        return;
      case 'concat':
        for (const item of node.items) this.emit(item);
        return;
      case 'alt':
        this.emitAlternation(node.alternatives);
        return;
      case 'repeat':
        this.emitRepeat(node.body, node.min, node.max);
        return;
    }
  }

  /** `SPLIT L1, L2; L1: e1; JMP end; L2: ...`; all JMPs are patched to the common end. */
  private emitAlternation(alternatives: readonly RegexNode[]): void {
    const jumps: number[] = [];
    alternatives.forEach((alt, i) => {
      const last = i === alternatives.length - 1;
      const split = last ? -1 : this.push(OP_SPLIT, 0, 0);
      if (split >= 0) this.arg1[split] = split + 1;
      this.emit(alt);
      if (!last) {
        jumps.push(this.push(OP_JMP, 0, 0));
        this.arg2[split] = this.op.length;
      }
    });
    for (const jump of jumps) this.arg1[jump] = this.op.length;
  }

  /**
   * `e{n,m}` becomes n copies of e followed by m - n nested optional copies (every SPLIT exits to the same end);
   * `e{n,}` becomes n - 1 copies and `e+`, or `e*` when n = 0. Greedy and lazy compile identically because
   * `test` only asks whether some match exists, not which one.
   */
  private emitRepeat(body: RegexNode, min: number, max: number): void {
    if (max === Infinity) {
      for (let i = 1; i < min; i++) this.emit(body);
      if (min === 0) {
        const split = this.push(OP_SPLIT, 0, 0);
        this.arg1[split] = split + 1;
        this.emit(body);
        this.push(OP_JMP, split, 0);
        this.arg2[split] = this.op.length;
      } else {
        const start = this.op.length;
        this.emit(body);
        this.push(OP_SPLIT, start, this.op.length + 1);
      }
      return;
    }
    for (let i = 0; i < min; i++) this.emit(body);
    const splits: number[] = [];
    for (let i = min; i < max; i++) {
      const split = this.push(OP_SPLIT, 0, 0);
      this.arg1[split] = split + 1;
      splits.push(split);
      this.emit(body);
    }
    for (const split of splits) this.arg2[split] = this.op.length;
  }
}

/** Result of one VM run. */
interface RunResult {
  readonly matched: boolean;
  readonly steps: number;
}

/** Sentinel returned by `closure` when MATCH was reached. */
const MATCHED = -1;

class CompiledRegex implements SafeRegex {
  // Scratch buffers reused across calls; `test` is synchronous and matchers never re-enter the VM.
  private readonly mark: Uint32Array;
  private readonly stack: Int32Array;
  private current: Int32Array;
  private next: Int32Array;
  private generation = 0;
  private steps = 0;

  constructor(
    readonly source: string,
    readonly program: Program,
  ) {
    const n = program.op.length;
    this.mark = new Uint32Array(n);
    this.stack = new Int32Array(2 * n + 2);
    this.current = new Int32Array(n);
    this.next = new Int32Array(n);
  }

  test(input: string): boolean {
    return this.run(input).matched;
  }

  /**
   * Pike VM without captures (Cox 2009). At every position a fresh thread starts at pc 0 (unanchored search),
   * the epsilon closure adds each state at most once per position (`mark[pc] === generation`), and surviving
   * CHAR states step into the next list. Hence at most O(program size) work per input code unit.
   */
  run(input: string): RunResult {
    if (this.generation > 0xfffffff0 - input.length) {
      this.mark.fill(0);
      this.generation = 0;
    }
    this.steps = 0;
    this.generation++;
    let count = 0;
    for (let pos = 0; ; pos++) {
      count = this.closure(0, pos, input, this.current, count);
      if (count === MATCHED) return { matched: true, steps: this.steps };
      if (pos === input.length) return { matched: false, steps: this.steps };
      this.generation++;
      count = this.step(input, pos, count);
      if (count === MATCHED) return { matched: true, steps: this.steps };
      [this.current, this.next] = [this.next, this.current];
    }
  }

  /** Advances every CHAR state in `current` over `input[pos]` into `next`; returns its size or MATCHED. */
  private step(input: string, pos: number, count: number): number {
    const { op, arg1, matchers } = this.program;
    const c = input.charCodeAt(pos);
    let nextCount = 0;
    for (let i = 0; i < count; i++) {
      const pc = this.current[i]!;
      this.steps++;
      if (op[pc] !== OP_CHAR || !matchers[arg1[pc]!]!(c)) continue;
      nextCount = this.closure(pc + 1, pos + 1, input, this.next, nextCount);
      if (nextCount === MATCHED) return MATCHED;
    }
    return nextCount;
  }

  /**
   * Follows SPLIT/JMP/ASSERT from `start` (iteratively: programs can be 10,000 states deep), appending each newly
   * reached CHAR state to `list`. Returns the new list size, or MATCHED as soon as MATCH is reachable.
   */
  private closure(start: number, pos: number, input: string, list: Int32Array, count: number): number {
    const { op, arg1, arg2 } = this.program;
    const { mark, stack, generation } = this;
    let top = 0;
    let n = count;
    stack[top++] = start;
    while (top > 0) {
      const pc = stack[--top]!;
      this.steps++;
      if (mark[pc] === generation) continue;
      mark[pc] = generation;
      const code = op[pc];
      if (code === OP_CHAR) list[n++] = pc;
      else if (code === OP_MATCH) return MATCHED;
      else if (code === OP_JMP) stack[top++] = arg1[pc]!;
      else if (code === OP_SPLIT) {
        stack[top++] = arg2[pc]!;
        stack[top++] = arg1[pc]!;
      } else if (assertionHolds(arg1[pc]!, input, pos)) stack[top++] = pc + 1;
    }
    return n;
  }
}

function assertionHolds(code: number, input: string, pos: number): boolean {
  switch (code) {
    case ASSERTION_CODES.start:
      return pos === 0;
    case ASSERTION_CODES.end:
      return pos === input.length;
    default: {
      const before = pos > 0 && isWordUnit(input.charCodeAt(pos - 1));
      const after = pos < input.length && isWordUnit(input.charCodeAt(pos));
      return (before !== after) === (code === ASSERTION_CODES['word-boundary']);
    }
  }
}
