import { formatPath } from '@pitboss/engine';
import { type FieldRules, KEY, type Path, type SpecReader } from '../rollouts/spec-reader.js';
import type { ComparisonSpec, MetricSpec } from './analysis-template.js';
import { checkCondition } from './condition.js';
import { placeholders } from './placeholders.js';
import { type MetricContext, placeheld, readProvider } from './read-provider.js';

export const DEFAULT_INTERVAL_MS = 10_000;
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
export const DEFAULT_ALPHA = 0.01;

const METRIC_FIELDS: FieldRules = {
  name: 'read',
  interval: 'read',
  initialDelay: 'read',
  count: 'read',
  failureLimit: 'read',
  inconclusiveLimit: 'read',
  consecutiveErrorLimit: 'read',
  successCondition: 'read',
  failureCondition: 'read',
  provider: 'read',
  // Pitboss extensions
  query: 'read',
  comparison: 'read',
  consecutiveFailureLimit: 'read',
  window: 'read',
  dryRun: 'read',
  hardStop: 'read',
  dimension: 'read',
  consecutiveSuccessLimit: {
    reject:
      'not supported: give the metric a count (it succeeds when the count is reached with a success and no limit broken)',
  },
};

const COMPARISON_FIELDS: FieldRules = {
  test: 'read',
  failures: 'read',
  total: 'read',
  buckets: 'read',
  quantile: 'read',
  tolerance: 'read',
  alpha: 'read',
};

/** Reads one metric of an analysis template; undefined when it has errors (all of them reported). */
export function readMetric(
  value: unknown,
  path: Path,
  r: SpecReader,
  ctx: MetricContext,
): MetricSpec | undefined {
  const before = r.diagnostics.filter((d) => d.severity === 'error').length;
  const m = r.object(value, path, METRIC_FIELDS);
  if (m === undefined) return undefined;
  const at = (field: string, ...rest: (string | number)[]) => [...path, field, ...rest];
  const text = (v: unknown, p: Path) => (v === undefined ? undefined : placeheld(r.string(v, p), p, r, ctx));

  let name: string | undefined;
  if (r.required(m.name, at('name'), 'the metric name')) {
    name = r.string(m.name, at('name'));
    if (name !== undefined && !KEY.test(name))
      r.error(
        at('name'),
        'CONFIG_INVALID_KEY',
        `metric name '${name}' must be letters, digits, '_', '-' or '.'`,
      );
  }
  const count = r.integer(m.count, at('count'), 1);
  let intervalMs = r.duration(m.interval, at('interval'), 1000);
  // Argo measures once when neither interval nor count is given; a Pitboss metric measures until the step ends.
  const once = ctx.form === 'argo' && m.interval === undefined && m.count === undefined;
  intervalMs ??= DEFAULT_INTERVAL_MS;
  const initialDelayMs = r.duration(m.initialDelay, at('initialDelay')) ?? 0;
  const consecutiveFailureLimit = r.integer(m.consecutiveFailureLimit, at('consecutiveFailureLimit'), 1);
  const window = readWindow(m.window, at('window'), r);
  const explicitFailureLimit = r.integer(m.failureLimit, at('failureLimit'), 0);
  const failureLimit =
    explicitFailureLimit ?? (consecutiveFailureLimit === undefined && m.window === undefined ? 0 : undefined);
  const inconclusiveLimit = r.integer(m.inconclusiveLimit, at('inconclusiveLimit'), 0) ?? 0;
  const consecutiveErrorLimit =
    r.integer(m.consecutiveErrorLimit, at('consecutiveErrorLimit'), 0) ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT;
  const dryRun = r.boolean(m.dryRun, at('dryRun')) ?? false;
  const hardStop = r.boolean(m.hardStop, at('hardStop')) ?? false;
  const dimension = r.string(m.dimension, at('dimension'));
  if (dimension !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(dimension))
    r.error(at('dimension'), 'CONFIG_TYPE', `dimension must be a label name such as psp, not '${dimension}'`);

  const provider = r.required(m.provider, at('provider'), 'builtin, prometheus or web')
    ? readProvider(m.provider, at('provider'), r, ctx)
    : undefined;
  let query = provider?.query;
  if (m.query !== undefined) {
    if (provider?.spec.kind === 'web')
      r.error(at('query'), 'CONFIG_TYPE', 'a web metric takes its URL in provider.web.url, not in query');
    else if (query !== undefined)
      r.error(
        at('query'),
        'CONFIG_DUPLICATE_KEY',
        `query is given twice: here and in provider.${provider?.spec.kind}.query`,
      );
    else query = text(m.query, at('query'));
  }

  let comparison: ComparisonSpec | undefined;
  let successCondition: string | undefined;
  let failureCondition: string | undefined;
  if (m.comparison !== undefined) {
    comparison = readComparison(m.comparison, at('comparison'), r, ctx);
    const kind = provider?.spec.kind;
    if (kind === 'web')
      r.error(
        at('provider', 'web'),
        'CONFIG_TYPE',
        'a comparison measures with builtin or prometheus, not web',
      );
    else if (provider?.query !== undefined)
      r.error(
        at('provider', kind!, 'query'),
        'CONFIG_TYPE',
        'a comparison metric takes its queries in comparison',
      );
    for (const f of ['query', 'successCondition', 'failureCondition', 'dimension'] as const)
      if (m[f] !== undefined)
        r.error(
          at(f),
          'CONFIG_TYPE',
          `a comparison metric takes no ${f}: its queries and verdict are in comparison`,
        );
  } else {
    successCondition = condition(m.successCondition, at('successCondition'), r, ctx);
    failureCondition = condition(m.failureCondition, at('failureCondition'), r, ctx);
    // A rejected provider (a Kubernetes job) has no conditions by design: one error is enough.
    if (provider !== undefined && m.successCondition === undefined && m.failureCondition === undefined)
      r.error(
        path,
        'CONFIG_REQUIRED',
        `${formatPath(path)} needs a successCondition or a failureCondition (or a comparison)`,
      );
    if (provider !== undefined && query === undefined && provider.spec.kind !== 'web')
      r.error(
        at('provider', provider.spec.kind, 'query'),
        'CONFIG_REQUIRED',
        `${formatPath(path)} needs a query`,
      );
  }

  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > before || name === undefined || provider === undefined) return undefined;
  return {
    name,
    provider: provider.spec,
    ...(query !== undefined ? { query } : {}),
    ...(successCondition !== undefined ? { successCondition } : {}),
    ...(failureCondition !== undefined ? { failureCondition } : {}),
    ...(comparison !== undefined ? { comparison } : {}),
    intervalMs,
    ...(count !== undefined ? { count } : once ? { count: 1 } : {}),
    initialDelayMs,
    ...(failureLimit !== undefined ? { failureLimit } : {}),
    ...(consecutiveFailureLimit !== undefined ? { consecutiveFailureLimit } : {}),
    consecutiveErrorLimit,
    inconclusiveLimit,
    ...(window !== undefined ? { window } : {}),
    dryRun,
    hardStop,
    ...(dimension !== undefined ? { dimension } : {}),
  };
}

/** A condition as written; `{{args.…}}` in it is checked once substituted (at resolution). */
function condition(value: unknown, path: Path, r: SpecReader, ctx: MetricContext): string | undefined {
  const source = r.string(value, path);
  if (source === undefined) return undefined;
  const ps = placeholders(source);
  for (const p of ps)
    if (p.arg === undefined)
      r.error(
        path,
        'CONFIG_TYPE',
        `${formatPath(path)}: ${p.text} has no meaning in a condition (only {{args.NAME}})`,
      );
  if (ps.length === 0) return checkCondition(source, path, r);
  if (ps.some((p) => p.arg === undefined)) return undefined;
  return placeheld(source, path, r, ctx);
}

function readWindow(value: unknown, path: Path, r: SpecReader): MetricSpec['window'] {
  if (value === undefined) return undefined;
  const w = r.object(value, path, { failures: 'read', within: 'read' });
  if (w === undefined) return undefined;
  const failures = r.required(w.failures, [...path, 'failures'], 'how many failures')
    ? r.integer(w.failures, [...path, 'failures'], 1)
    : undefined;
  const withinMs = r.required(w.within, [...path, 'within'], 'the period, e.g. 15m')
    ? r.duration(w.within, [...path, 'within'], 1000)
    : undefined;
  return failures !== undefined && withinMs !== undefined ? { failures, withinMs } : undefined;
}

function readComparison(
  value: unknown,
  path: Path,
  r: SpecReader,
  ctx: MetricContext,
): ComparisonSpec | undefined {
  const c = r.object(value, path, COMPARISON_FIELDS);
  if (c === undefined) return undefined;
  const at = (f: string) => [...path, f];
  const query = (f: string) =>
    r.required(c[f], at(f), `the ${f} query`)
      ? versioned(placeheld(r.string(c[f], at(f)), at(f), r, ctx), at(f), r)
      : undefined;
  const tolerance = r.required(
    c.tolerance,
    at('tolerance'),
    'the largest acceptable relative increase, e.g. 0.5',
  )
    ? r.number(c.tolerance, at('tolerance'), 0, Number.MAX_VALUE)
    : undefined;
  const alpha = c.alpha === undefined ? DEFAULT_ALPHA : r.number(c.alpha, at('alpha'), Number.MIN_VALUE, 0.5);
  const refuse = (f: string, test: string) => {
    if (c[f] !== undefined) r.error(at(f), 'CONFIG_TYPE', `a ${test} comparison takes no ${f}`);
  };
  if (c.test === 'proportions') {
    const failures = query('failures');
    const total = query('total');
    refuse('buckets', 'proportions');
    refuse('quantile', 'proportions');
    if (failures === undefined || total === undefined || tolerance === undefined || alpha === undefined)
      return undefined;
    return { test: 'proportions', failures, total, tolerance, alpha };
  }
  if (c.test === 'latency') {
    const buckets = query('buckets');
    let quantile: number | undefined = 0.95;
    if (c.quantile !== undefined) {
      const q = c.quantile;
      quantile = typeof q === 'number' && q > 0 && q < 1 ? q : undefined;
      if (quantile === undefined)
        r.error(
          at('quantile'),
          'CONFIG_TYPE',
          `quantile must be between 0 and 1 (exclusive), e.g. 0.95, not ${JSON.stringify(q)}`,
        );
    }
    refuse('failures', 'latency');
    refuse('total', 'latency');
    if (buckets === undefined || quantile === undefined || tolerance === undefined || alpha === undefined)
      return undefined;
    return { test: 'latency', buckets, quantile, tolerance, alpha };
  }
  if (r.required(c.test, at('test'), 'proportions or latency'))
    r.error(at('test'), 'CONFIG_TYPE', `test must be proportions or latency, not ${JSON.stringify(c.test)}`);
  return undefined;
}

/** Comparison queries run once per arm: without `{{version}}` both arms would measure the same thing. */
function versioned(query: string | undefined, path: Path, r: SpecReader): string | undefined {
  if (query === undefined) return undefined;
  if (placeholders(query).some((p) => p.name === 'version')) return query;
  r.error(path, 'CONFIG_REQUIRED', `${formatPath(path)} must select the arm with {{version}}`);
  return undefined;
}
