import type { ResolvedMetric } from './analysis-template.js';
import { fillQuery } from './measure-format.js';
import type { MetricProvider, QueryResult } from './provider.js';

export interface MeasureContext {
  readonly provider: MetricProvider;
  /** Versions of the arms: `{{version}}` is measured for each. Without a baseline, the canary alone. */
  readonly arms: { readonly canary: string; readonly baseline?: string };
  /** When the analysis run began: `{{window}}` is the time since then. */
  readonly runStartedAt: Date;
  readonly now: Date;
  readonly signal?: AbortSignal;
}

/** Runs `query` for each arm in parallel; one query (reported as the canary's) unless `bothArms`. */
export async function queryArms(
  query: string,
  ctx: MeasureContext,
  window: string,
  metric: ResolvedMetric,
  bothArms: boolean,
): Promise<{ canary: QueryResult; baseline?: QueryResult }> {
  const run = (version: string) =>
    ctx.provider.query(metric.provider, fillQuery(query, version, window), ctx.now, ctx.signal);
  const baseline = bothArms ? ctx.arms.baseline : undefined;
  const [canary, base] = await Promise.all([
    run(ctx.arms.canary),
    baseline === undefined ? Promise.resolve(undefined) : run(baseline),
  ]);
  return base === undefined ? { canary } : { canary, baseline: base };
}
