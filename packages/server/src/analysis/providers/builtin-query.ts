/**
 * The `builtin` provider's query language, a tiny PromQL look-alike over the gateway's traffic stats:
 *
 *   <metric>{<label>="<value>", ...}[<range>] [by (<label>, ...)]
 *
 * e.g. `success_ratio{service="wallet",endpoint="/deposit",version="v2"}[5m] by (psp)`. Errors name the column
 * (1-based), as Prometheus's `promql/parser` ParseErr does, so a typo in a template is found at once.
 */

export const BUILTIN_METRICS = [
  'requests',
  'successes',
  'failures',
  'success_ratio',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'latency_bucket',
  'ws_rtt_p95',
  'ws_connections',
] as const;
export type BuiltinMetric = (typeof BUILTIN_METRICS)[number];

const REQUEST_QUERY_LABELS = ['service', 'version', 'endpoint', 'psp', 'method', 'status_class', 'outcome'];
const WS_QUERY_LABELS = ['service', 'version'];

export interface BuiltinQuery {
  readonly metric: BuiltinMetric;
  readonly match: Readonly<Record<string, string>>;
  /** Absent only for `ws_connections` (a gauge, read as of the query time). */
  readonly rangeMs?: number;
  readonly by: readonly string[];
}

export type ParseResult =
  | { readonly ok: true; readonly query: BuiltinQuery }
  | { readonly ok: false; readonly error: string };

class ParseError extends Error {
  constructor(
    readonly position: number,
    message: string,
  ) {
    super(message);
  }
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export function parseBuiltinQuery(text: string): ParseResult {
  const placeholder = text.indexOf('{{');
  if (placeholder >= 0) {
    const end = text.indexOf('}}', placeholder);
    const name = end > 0 ? text.slice(placeholder, end + 2) : '{{';
    return fail(text, placeholder, `unsubstituted placeholder ${name}`);
  }
  try {
    return { ok: true, query: new Parser(text).parse() };
  } catch (e) {
    if (e instanceof ParseError) return fail(text, e.position, e.message);
    throw e;
  }
}

function fail(text: string, position: number, message: string): ParseResult {
  return { ok: false, error: `builtin query: ${message} at column ${position + 1} in '${text}'` };
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): BuiltinQuery {
    this.space();
    const metricAt = this.pos;
    const name = this.identifier('a metric name');
    if (!(BUILTIN_METRICS as readonly string[]).includes(name)) {
      throw new ParseError(metricAt, `unknown metric '${name}' (known: ${BUILTIN_METRICS.join(', ')})`);
    }
    const metric = name as BuiltinMetric;
    const allowed = metric.startsWith('ws_') ? WS_QUERY_LABELS : REQUEST_QUERY_LABELS;
    const match: Record<string, string> = {};
    this.space();
    if (this.peek() === '{') this.matchers(metric, allowed, match);
    let rangeMs: number | undefined;
    this.space();
    if (this.peek() === '[') rangeMs = this.range();
    else if (metric !== 'ws_connections')
      throw new ParseError(this.pos, `expected '[<range>]' after ${metric}`);
    this.space();
    const by: string[] = [];
    if (this.text.startsWith('by', this.pos)) this.grouping(metric, allowed, by);
    this.space();
    if (this.pos < this.text.length) throw new ParseError(this.pos, `unexpected '${this.text[this.pos]}'`);
    return rangeMs === undefined ? { metric, match, by } : { metric, match, rangeMs, by };
  }

  private matchers(metric: string, allowed: readonly string[], match: Record<string, string>): void {
    this.pos++; // {
    for (;;) {
      this.space();
      if (this.peek() === '}') break;
      const at = this.pos;
      const label = this.label(metric, allowed);
      if (label in match) throw new ParseError(at, `label '${label}' given twice`);
      this.space();
      this.expect('=');
      this.space();
      match[label] = this.string();
      this.space();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() !== '}') throw new ParseError(this.pos, `expected ',' or '}'`);
      break;
    }
    this.pos++; // }
  }

  private range(): number {
    this.pos++; // [
    this.space();
    const start = this.pos;
    let total = 0;
    while (/[0-9]/.test(this.peek())) {
      const number = /^[0-9]+(?:\.[0-9]+)?/.exec(this.text.slice(this.pos))![0];
      this.pos += number.length;
      const unit = /^(ms|s|m|h|d)/.exec(this.text.slice(this.pos))?.[0];
      if (!unit) throw new ParseError(this.pos, 'expected a duration unit (ms, s, m, h, d)');
      this.pos += unit.length;
      total += Number(number) * DURATION_UNITS[unit]!;
    }
    if (this.pos === start) throw new ParseError(start, 'expected a duration such as 5m or 95s');
    if (!(total > 0)) throw new ParseError(start, 'the range must be longer than 0');
    this.space();
    this.expect(']');
    return total;
  }

  private grouping(metric: string, allowed: readonly string[], by: string[]): void {
    this.pos += 2;
    this.space();
    this.expect('(');
    for (;;) {
      this.space();
      const at = this.pos;
      const label = this.label(metric, allowed);
      if (by.includes(label)) throw new ParseError(at, `label '${label}' given twice`);
      by.push(label);
      this.space();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      this.expect(')');
      return;
    }
  }

  private label(metric: string, allowed: readonly string[]): string {
    const at = this.pos;
    const label = this.identifier('a label name');
    if (!allowed.includes(label)) {
      throw new ParseError(
        at,
        `label '${label}' is not available for ${metric} (available: ${allowed.join(', ')})`,
      );
    }
    return label;
  }

  private identifier(what: string): string {
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0];
    if (!id) throw new ParseError(this.pos, `expected ${what}`);
    this.pos += id.length;
    return id;
  }

  private string(): string {
    const quote = this.peek();
    if (quote !== '"' && quote !== "'") throw new ParseError(this.pos, 'expected a quoted value');
    const start = this.pos;
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]!;
      if (c === quote) return out;
      if (c === '\\' && this.pos < this.text.length) out += this.text[this.pos++];
      else out += c;
    }
    throw new ParseError(start, 'unterminated string');
  }

  private expect(c: string): void {
    if (this.peek() !== c) {
      const found = this.pos < this.text.length ? `'${this.peek()}'` : 'the end';
      throw new ParseError(this.pos, `expected '${c}', found ${found}`);
    }
    this.pos++;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private space(): void {
    while (/\s/.test(this.peek())) this.pos++;
  }
}
