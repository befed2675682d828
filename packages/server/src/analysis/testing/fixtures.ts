import type { ProviderSpec, ResolvedMetric } from '../analysis-template.js';
import type { MetricProvider, QueryResult, Series } from '../provider.js';

/**
 * Hand-built analysis inputs for tests: a resolved metric with everyday defaults (a builtin success ratio of the
 * version under test, ≥ 0.99, every 10 s) and a provider answering from a table. Built by hand, so the tests of
 * measuring and of analysis runs do not depend on the template readers.
 */
export function resolvedMetric(over: Partial<ResolvedMetric> = {}): ResolvedMetric {
  return {
    name: 'deposit-success',
    template: 't',
    provider: { kind: 'builtin' },
    query: 'success_ratio{version="{{version}}"}[{{window}}]',
    successCondition: 'result >= 0.99',
    intervalMs: 10_000,
    initialDelayMs: 0,
    consecutiveErrorLimit: 4,
    inconclusiveLimit: 0,
    dryRun: false,
    hardStop: false,
    ...over,
  };
}

/** Answers from a table of query text → series or result (anything else is no data); records what it was asked. */
export class TableProvider implements MetricProvider {
  readonly kind = 'builtin' as const;
  readonly asked: string[] = [];
  constructor(private readonly answers: Record<string, QueryResult | readonly Series[]>) {}

  async query(_spec: ProviderSpec, query: string): Promise<QueryResult> {
    this.asked.push(query);
    const a = this.answers[query];
    if (a === undefined) return { ok: true, series: [] };
    return Array.isArray(a) ? { ok: true, series: a } : (a as QueryResult);
  }
}
