// The contestants, judging the same simulated traffic:
// - pitboss, pitboss-cmp, pitboss-slo: the REAL analysis code (shipped templates → measure() → recordMeasurement() limits and
//   assessment), run as a background analysis from the canary start, queries answered by traffic.js's
//   SimulatedProvider (see PITBOSS_VARIANTS);
// - argo: the article's Argo Rollouts configuration: success ≥ 99 % over the last minute, every minute,
//   failureLimit 3 (Argo semantics: the analysis fails when failures exceed the limit, i.e. at the 4th);
// - flagger: Flagger's defaults: every minute, request-success-rate ≥ 99 % and request-duration p99 ≤ 500 ms over
//   the last minute; the canary is rolled back when failed checks reach the threshold, 5. Intervals without
//   traffic are skipped ("no values found" halts, it does not fail).
import { CANARY, ENDPOINT, SERVICE, STABLE } from './traffic.js';

const DIST = new URL('../../packages/server/dist/', import.meta.url);
const load = (path) => import(new URL(path, DIST).href);

/** The shipped templates Pitboss judges deposits with (packages/server/templates/analysis). */
export const PITBOSS_TEMPLATES = [
  'deposit-errors-vs-baseline', // proportions, anytime-valid
  'deposit-latency-vs-baseline', // latency quantiles from buckets, anytime-valid
  'psp-success-collapse', // hard stop: < 50 % at a PSP, baseline-aware
  'deposit-success-by-psp', // SLO threshold ≥ 99 % per PSP since the run began, confident, baseline-aware
  'deposit-latency-p95', // SLO threshold p95 ≤ 400 ms since the run began, confident, baseline-aware
];

/**
 * Three Pitboss configurations, judged on the same measurements: `pitboss` uses all five templates above (the
 * comparisons, the hard stop and the article's SLO thresholds), `pitboss-cmp` only the two comparisons and the
 * hard stop, `pitboss-slo` only the SLO thresholds (confident: judged on the events behind each value) and the
 * hard stop — what each kind of gate does on its own.
 */
export const PITBOSS_VARIANTS = {
  pitboss: PITBOSS_TEMPLATES,
  'pitboss-cmp': ['deposit-errors-vs-baseline', 'deposit-latency-vs-baseline', 'psp-success-collapse'],
  'pitboss-slo': ['deposit-success-by-psp', 'deposit-latency-p95', 'psp-success-collapse'],
};

/**
 * @param {{ tolerance?: number, intervalMs?: number }} [tuning] what-if overrides (`--cmp-tolerance` for the
 *   proportions comparison, `--cmp-interval` for both comparisons); by default the shipped templates as they are.
 */
export async function loadPitboss(tuning = {}) {
  const [run, measureModule, shipped, placeholders] = await Promise.all([
    load('analysis/analysis-run.js'),
    load('analysis/measure.js'),
    load('analysis/shipped-templates.js'),
    load('analysis/placeholders.js'),
  ]);
  const all = shipped.loadShippedTemplates();
  const metrics = PITBOSS_TEMPLATES.flatMap((name) => {
    const t = all.find((x) => x.name === name);
    if (t === undefined) throw new Error(`shipped template ${name} not found`);
    const args = new Map(t.args.filter((a) => a.value !== undefined).map((a) => [a.name, a.value]));
    args.set('service', SERVICE);
    args.set('endpoint', ENDPOINT);
    const fill = (text) => (text === undefined ? undefined : placeholders.substituteArgs(text, args).text);
    return t.metrics.map((m) => {
      // A background analysis: measured until the rollout ends, so the step-sized `count` is dropped.
      const { count: _count, ...rest } = m;
      if (m.comparison === undefined) return { ...rest, template: name, query: fill(m.query) };
      const proportions = m.comparison.test === 'proportions';
      const tolerance = (proportions ? tuning.tolerance : undefined) ?? m.comparison.tolerance;
      const c = { ...m.comparison, tolerance };
      const comparison =
        c.test === 'proportions'
          ? { ...c, failures: fill(c.failures), total: fill(c.total) }
          : { ...c, buckets: fill(c.buckets) };
      return { ...rest, intervalMs: tuning.intervalMs ?? m.intervalMs, template: name, comparison };
    });
  });
  const variants = Object.fromEntries(
    Object.entries(PITBOSS_VARIANTS).map(([name, templates]) => [
      name,
      metrics.filter((m) => templates.includes(m.template)),
    ]),
  );
  return { ...run, measure: measureModule.measure, metrics, variants };
}

/**
 * Pitboss on one run's traffic: each due metric is measured once and recorded into the analysis run of every
 * variant that has it; a variant rolls back when its run fails, and pauses (stops) when it is inconclusive.
 */
export class PitbossContestant {
  constructor(pitboss, provider, startMs, names) {
    this.p = pitboss;
    this.provider = provider;
    this.runStartedAt = new Date(startMs);
    this.variants = names.map((name) => ({
      name,
      metrics: pitboss.variants[name],
      run: pitboss.startRun('background', pitboss.variants[name], this.runStartedAt),
      outcome: undefined, // 'rollback' | 'paused'
      culprit: undefined,
      incidentHolds: 0,
    }));
    this.nextMs = startMs;
    /** Measurements in error: the simulated provider never fails, so any is a bug (a query it cannot parse). */
    this.errors = 0;
    this.firstError = undefined;
  }

  get active() {
    return this.variants.filter((v) => v.outcome === undefined);
  }

  dueAt(nowMs) {
    return nowMs >= this.nextMs;
  }

  async tick(nowMs) {
    const now = new Date(nowMs);
    const ctx = {
      provider: this.provider,
      arms: { canary: CANARY, baseline: STABLE },
      runStartedAt: this.runStartedAt,
      now,
    };
    const active = this.active;
    const measured = new Map();
    for (const v of active) {
      for (const metric of this.p.dueMetrics(v.run, v.metrics, now)) {
        let m = measured.get(metric.name);
        if (m === undefined) {
          m = await this.p.measure(metric, ctx);
          measured.set(metric.name, m);
          if (m.phase === 'error' && this.errors++ === 0) this.firstError = m.message;
        }
        v.run = this.p.recordMeasurement(v.run, metric, m, now);
      }
      if (v.run.sharedIncident) v.incidentHolds++;
      if (v.run.status === 'Failed') {
        v.outcome = 'rollback';
        v.culprit = v.run.metrics.find((m) => m.status === 'Failed' && !m.dryRun)?.name;
      } else if (v.run.status === 'Inconclusive') v.outcome = 'paused';
    }
    const next = this.active.map((v) => this.p.nextDueAt(v.run)?.getTime() ?? Number.POSITIVE_INFINITY);
    this.nextMs = Math.min(...next, Number.POSITIVE_INFINITY);
    return this.active.length === 0 ? 'done' : undefined;
  }
}

/** Argo Rollouts as the article configures it. */
export class ArgoContestant {
  constructor(traffic, startMs) {
    this.traffic = traffic;
    this.nextMs = startMs + 60_000;
    this.failed = 0;
    this.outcome = undefined;
  }

  dueAt(nowMs) {
    return nowMs >= this.nextMs;
  }

  tick(nowMs) {
    this.nextMs = nowMs + 60_000;
    const requests = this.traffic.requests('canary', nowMs - 60_000, nowMs);
    if (requests === 0) return undefined;
    const failures = this.traffic.failures('canary', nowMs - 60_000, nowMs);
    if ((requests - failures) / requests < 0.99) this.failed++;
    if (this.failed > 3) this.outcome = 'rollback';
    return this.outcome;
  }
}

/** Flagger's defaults. `histogramQuantile` is the builtin provider's (Prometheus' interpolation). */
export class FlaggerContestant {
  constructor(traffic, startMs, histogramQuantile, bounds) {
    this.traffic = traffic;
    this.quantile = histogramQuantile;
    this.bounds = bounds;
    this.nextMs = startMs + 60_000;
    this.failedChecks = 0;
    this.outcome = undefined;
  }

  dueAt(nowMs) {
    return nowMs >= this.nextMs;
  }

  tick(nowMs) {
    this.nextMs = nowMs + 60_000;
    const requests = this.traffic.requests('canary', nowMs - 60_000, nowMs);
    if (requests === 0) return undefined;
    const successRate =
      (100 * (requests - this.traffic.failures('canary', nowMs - 60_000, nowMs))) / requests;
    const p99 = this.quantile(0.99, this.traffic.latency('canary', nowMs - 60_000, nowMs), this.bounds);
    if (successRate < 99 || p99 > 500) this.failedChecks++;
    if (this.failedChecks >= 5) this.outcome = 'rollback';
    return this.outcome;
  }
}
