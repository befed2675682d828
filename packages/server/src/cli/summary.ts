import type { Context, EvaluationResult } from '@pitboss/engine';
import { type Align, percent, renderTable } from './table.js';

/** Beyond this many distinct `--by` values (`--by user.id`?) the rest are folded into one row. */
const MAX_GROUPS = 50;
const MISSING = '(missing)';
const ERROR = '(error)';

/**
 * Counts evaluation outcomes — "who would get this flag?" — overall and, with `by`, per value of an attribute.
 * Outcomes are counted by result identity (the engine shares one frozen result per outcome), so counting a
 * million contexts costs a map lookup each.
 */
export class Summary {
  private readonly outcomes = new Map<EvaluationResult, number>();
  private readonly groups = new Map<string, Map<string, number>>();
  private readonly byPath: readonly string[] | undefined;
  private total = 0;
  private invalid = 0;

  constructor(by?: string) {
    this.byPath = by === undefined ? undefined : by.split('.');
  }

  add(result: EvaluationResult, ctx: Context): void {
    this.total++;
    this.outcomes.set(result, (this.outcomes.get(result) ?? 0) + 1);
    if (this.byPath === undefined) return;
    const key = groupLabel(attribute(ctx, this.byPath));
    let counts = this.groups.get(key);
    if (counts === undefined) {
      counts = new Map();
      this.groups.set(key, counts);
    }
    const variant = result.variant ?? ERROR;
    counts.set(variant, (counts.get(variant) ?? 0) + 1);
  }

  /** A line that was not a context. */
  addInvalid(): void {
    this.invalid++;
  }

  /** The tables, as text. */
  render(flag: string, env: string, by?: string): string {
    const outcomes = [...this.outcomes].sort((a, b) => b[1] - a[1]);
    const variants = new Map<string, number>();
    for (const [r, n] of outcomes)
      variants.set(r.variant ?? ERROR, (variants.get(r.variant ?? ERROR) ?? 0) + n);
    const invalid =
      this.invalid === 0 ? '' : ` (${this.invalid} invalid line${this.invalid === 1 ? '' : 's'} skipped)`;
    const parts = [`${flag} in ${env}: ${this.total} context${this.total === 1 ? '' : 's'}${invalid}`];
    const variantRows = [...variants].map(([v, n]) => [v, String(n), percent(n, this.total)]);
    parts.push(renderTable(['variant', 'contexts', 'share'], variantRows, ['left', 'right', 'right']));
    const outcomeRows = outcomes.map(([r, n]) => [
      r.variant ?? ERROR,
      r.errorCode === undefined ? r.reason : `${r.reason} ${r.errorCode}`,
      r.ruleIndex === undefined ? '-' : String(r.ruleIndex),
      String(n),
      percent(n, this.total),
    ]);
    parts.push(
      renderTable(['variant', 'reason', 'rule', 'contexts', 'share'], outcomeRows, [
        'left',
        'left',
        'right',
        'right',
        'right',
      ]),
    );
    if (by !== undefined) parts.push(this.renderGroups(by, [...variants.keys()]));
    return `${parts.join('\n\n')}\n`;
  }

  /** One row per attribute value: how many contexts, and how they split across variants. */
  private renderGroups(by: string, variants: readonly string[]): string {
    const groups = [...this.groups].map(([key, counts]) => ({ key, counts, total: sum(counts) }));
    groups.sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
    if (groups.length > MAX_GROUPS) {
      const rest = groups.splice(MAX_GROUPS - 1);
      const counts = new Map<string, number>();
      for (const g of rest) for (const [v, n] of g.counts) counts.set(v, (counts.get(v) ?? 0) + n);
      groups.push({ key: `(${rest.length} other values)`, counts, total: sum(counts) });
    }
    const rows = groups.map((g) => [
      g.key,
      String(g.total),
      ...variants.map((v) => `${g.counts.get(v) ?? 0} (${percent(g.counts.get(v) ?? 0, g.total)})`),
    ]);
    const align: Align[] = ['left', 'right', ...variants.map((): Align => 'right')];
    return renderTable([by, 'contexts', ...variants], rows, align);
  }
}

function sum(counts: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  return n;
}

/** The value at a dotted attribute path (`user.country`), as the rule language reads it. */
function attribute(ctx: Context, path: readonly string[]): unknown {
  let v: unknown = ctx;
  for (const p of path) {
    // Own properties only: `--by constructor` must not read Object.prototype.
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, p)) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function groupLabel(v: unknown): string {
  if (v === undefined) return MISSING;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}
