import type { CompiledExpression, Expr } from '@pitboss/engine';
import type { Series } from './provider.js';
import { proportionBound, rejects, scaleToDecide, scaleToReject } from './statistics/binomial-mixture.js';
import { type Histogram, toHistogram } from './statistics/histogram.js';
import { quantileBounds } from './statistics/latency.js';

/**
 * Confident thresholds: a threshold such as `result >= 0.99` judged on what the data show with confidence, not
 * on the point value, when the provider says how many events stand behind the value (`Series.samples`, or the
 * `histogram` of a quantile).
 *
 * A point threshold on a small canary is noise: 300 deposits at a true 99.5 % success fall below 99 % about one
 * time in fifteen, so a gate checked every 10 s "fails" within minutes (the detection benchmark measured 47 false
 * rollbacks per 100 healthy hours on a 5 % canary). Here a failure needs the data to show, with confidence
 * 1 − THRESHOLD_ALPHA, that the TRUE ratio or quantile violates the bound, tested with the same anytime-valid
 * mixture e-values as the comparisons (statistics/binomial-mixture.ts): a ratio of `samples` events is
 * Binomial(n, θ), and a quantile's bound follows from the count of events below it (statistics/latency.ts).
 * Fed cumulative data (`[{{window}}]`, everything since the analysis began) the guarantee holds however often
 * the metric is measured; over a sliding range (`[5m]`) each look is a valid test on its own, but the looks are
 * not one sequence, so the error accumulates slowly over a long run.
 */

/** False-alarm probability of a confident threshold failure, per series, over a whole analysis run. */
export const THRESHOLD_ALPHA = 0.01;

/** A condition that bounds `result` by a number: `result >= 0.99`, `400 >= result` (read `result <= 400`). */
export interface SimpleBound {
  readonly op: '<' | '<=' | '>' | '>=';
  readonly value: number;
}

const FLIP = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;

/** The bound a compiled condition states, or undefined when it is anything else (`a && b`, `result == 1`). */
export function simpleBound(condition: CompiledExpression): SimpleBound | undefined {
  const e = condition.ast;
  if (e?.kind !== 'compare' || !(e.op in FLIP)) return undefined;
  const op = e.op as SimpleBound['op'];
  if (isResult(e.left) && isNumber(e.right)) return { op, value: e.right.value };
  if (isNumber(e.left) && isResult(e.right)) return { op: FLIP[op], value: e.left.value };
  return undefined;
}

function isResult(e: Expr): boolean {
  return e.kind === 'attribute' && e.path.length === 1 && e.path[0] === 'result';
}

function isNumber(e: Expr): e is Extract<Expr, { kind: 'literal' }> & { value: number } {
  return e.kind === 'literal' && typeof e.value === 'number' && Number.isFinite(e.value);
}

/** Which side of its number a bound holds on: `result >= c` holds above c. */
export function holdsOn(bound: SimpleBound): Side {
  return bound.op === '>' || bound.op === '>=' ? 'above' : 'below';
}

export type Side = 'above' | 'below';

export function opposite(side: Side): Side {
  return side === 'above' ? 'below' : 'above';
}

/** What stands behind one series' value. */
export type Evidence =
  | { readonly kind: 'ratio'; readonly successes: number; readonly events: number }
  | { readonly kind: 'quantile'; readonly q: number; readonly histogram: Histogram; readonly events: number };

/**
 * The evidence of a series, when it has some: a quantile (`quantile` and a `histogram` with events), or a ratio
 * in [0, 1] with `samples` and no histogram. Undefined otherwise (Prometheus and web answers): point semantics.
 */
export function evidenceOf(s: Series, value: number): Evidence | undefined {
  if (s.quantile !== undefined) {
    const h = s.histogram;
    if (!(s.quantile > 0 && s.quantile < 1) || h === undefined || h.bounds.length !== h.counts.length)
      return undefined;
    const histogram = toHistogram(h.bounds.map((le, i) => ({ le, count: h.counts[i]! })));
    return histogram.total > 0
      ? { kind: 'quantile', q: s.quantile, histogram, events: histogram.total }
      : undefined;
  }
  const n = s.samples;
  if (s.histogram !== undefined || n === undefined || !(n > 0) || !(value >= 0 && value <= 1))
    return undefined;
  return { kind: 'ratio', successes: value * n, events: n };
}

/** Whether a confident verdict makes sense for this bound: a ratio's bound must lie strictly inside (0, 1). */
export function applies(ev: Evidence, bound: SimpleBound): boolean {
  return ev.kind === 'ratio' ? bound.value > 0 && bound.value < 1 : bound.value > 0;
}

/**
 * True when the data show with confidence 1 − alpha that the true value lies on `side` of `c` (strictly: a
 * true value equal to c is never confidently above or below it). `scale` asks "with `scale` times as many
 * events, distributed the same way".
 */
export function confidently(ev: Evidence, side: Side, c: number, alpha: number, scale = 1): boolean {
  if (ev.kind === 'ratio') {
    return rejects(ev.successes * scale, ev.events * scale, c, side === 'below' ? 'less' : 'greater', alpha);
  }
  const b = quantileBounds(ev.histogram, ev.q, alpha, scale);
  return side === 'below' ? b.upper < c : b.lower > c;
}

/**
 * The anytime-valid bound that shows the value's `side`: for `below`, an upper bound on the true value; for
 * `above`, a lower bound. Quantile bounds may be 0 or Infinity while the data cannot bound them.
 */
export function confidenceBound(ev: Evidence, side: Side, alpha: number): number {
  if (ev.kind === 'ratio')
    return proportionBound(ev.successes, ev.events, side === 'below' ? 'less' : 'greater', alpha);
  const b = quantileBounds(ev.histogram, ev.q, alpha);
  return side === 'below' ? b.upper : b.lower;
}

/** Beyond this many times the events seen so far, "no verdict in sight" rather than a number. */
const MAX_SCALE = 10_000;

/**
 * More events needed before the value is confidently on `side` of `c`, if the current figures persist;
 * undefined when no amount of such data would tell (the estimate sits on the bound).
 */
export function eventsToConfirm(ev: Evidence, side: Side, c: number, alpha: number): number | undefined {
  let k: number | undefined;
  if (ev.kind === 'ratio') {
    k = scaleToReject(ev.successes, ev.events, c, side === 'below' ? 'less' : 'greater', alpha);
    if (!Number.isFinite(k) || k > MAX_SCALE) return undefined;
  } else {
    k = scaleToDecide((f) => confidently(ev, side, c, alpha, f), MAX_SCALE);
    if (k === undefined) return undefined;
  }
  return Math.max(1, Math.ceil(ev.events * (k - 1)));
}
