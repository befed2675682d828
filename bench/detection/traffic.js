// Simulated deposit traffic for the detection benchmark: 100 deposits/s, split between the stable (baseline)
// and the canary by weight, in 5-second slots (the built-in gateway's slot size), with seeded randomness. Each
// arm keeps prefix sums of requests, failures and latency-bucket counts, so any range query is two lookups.
// `SimulatedProvider` answers the builtin provider's query grammar from them.

export const SLOT_MS = 5_000;
export const RATE_PER_S = 100;
/** Five minutes of stable-only history before the canary starts, so `[5m]` windows on the baseline are full. */
export const PREROLL_SLOTS = 60;
export const SERVICE = 'wallet';
export const ENDPOINT = '/deposit';
export const STABLE = 'v1';
export const CANARY = 'v2';
/** One payment provider: every deposit carries `psp="main"` (per-PSP templates group by it). */
export const PSP = 'main';

/** Standard normal CDF (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z) {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/**
 * Per-bucket probabilities of a lognormal latency with the given p95 (ms) and shape σ, over `bounds` then +Inf.
 * Returned sparse ({index, p}) without the negligible buckets, so drawing a slot costs ~20 binomials.
 */
export function latencyBuckets(bounds, p95, sigma) {
  const mu = Math.log(p95) - 1.6448536 * sigma;
  const cdf = (x) => normalCdf((Math.log(x) - mu) / sigma);
  const out = [];
  let prev = 0;
  for (let i = 0; i <= bounds.length; i++) {
    const c = i < bounds.length ? cdf(bounds[i]) : 1;
    const p = c - prev;
    prev = c;
    if (p > 1e-9) out.push({ index: i, p });
  }
  return out;
}

/** One arm's cumulative counts; index s holds the totals of slots [0, s). */
class Arm {
  constructor(slots, buckets) {
    this.buckets = buckets;
    this.requests = new Float64Array(slots + 1);
    this.failures = new Float64Array(slots + 1);
    this.latency = new Float64Array((slots + 1) * buckets);
  }
}

/**
 * The traffic of one run, generated slot by slot on demand (a run that ends early generates less) — every
 * contestant reads the same arrays, so they judge the same deposits.
 */
export class Traffic {
  /**
   * @param {import('../../packages/server/dist/analysis/statistics/random.js').Random} random
   * @param {{ weight: number, slots: number, bounds: readonly number[], arm: (arm: 'canary'|'stable', tS: number) => { fail: number, latency: {index:number,p:number}[] } }} spec
   *   `arm` gives the failure probability and latency distribution of an arm at `tS` seconds after the canary start.
   */
  constructor(random, spec) {
    this.random = random;
    this.spec = spec;
    this.buckets = spec.bounds.length + 1;
    this.total = PREROLL_SLOTS + spec.slots;
    this.canary = new Arm(this.total, this.buckets);
    this.stable = new Arm(this.total, this.buckets);
    this.generated = 0;
    /** Epoch ms of the canary start (T0): slot PREROLL_SLOTS begins here. */
    this.startMs = Date.UTC(2026, 0, 1);
    this.baseMs = this.startMs - PREROLL_SLOTS * SLOT_MS;
  }

  /** Generates slots until every slot ending at or before `ms` exists. */
  advanceTo(ms) {
    const need = Math.min(this.total, Math.floor((ms - this.baseMs) / SLOT_MS));
    while (this.generated < need) this.generateSlot(this.generated++);
  }

  generateSlot(s) {
    const r = this.random;
    const n = r.poisson((RATE_PER_S * SLOT_MS) / 1000);
    const weight = s < PREROLL_SLOTS ? 0 : this.spec.weight;
    const nc = r.binomial(n, weight);
    const tS = ((s - PREROLL_SLOTS) * SLOT_MS) / 1000;
    this.fill(this.canary, s, nc, this.spec.arm('canary', tS));
    this.fill(this.stable, s, n - nc, this.spec.arm('stable', tS));
  }

  fill(arm, s, n, { fail, latency }) {
    const r = this.random;
    arm.requests[s + 1] = arm.requests[s] + n;
    arm.failures[s + 1] = arm.failures[s] + r.binomial(n, fail);
    const B = this.buckets;
    const from = s * B;
    const to = (s + 1) * B;
    for (let b = 0; b < B; b++) arm.latency[to + b] = arm.latency[from + b];
    // Multinomial by successive binomials over the non-negligible buckets.
    let left = n;
    let mass = 1;
    for (let i = 0; i < latency.length && left > 0; i++) {
      const { index, p } = latency[i];
      const k = i === latency.length - 1 ? left : r.binomial(left, Math.min(1, p / mass));
      arm.latency[to + index] += k;
      left -= k;
      mass -= p;
    }
  }

  /** First slot overlapping (fromMs, …] (whole slots, as the gateway does). */
  first(fromMs) {
    return Math.max(0, Math.floor((fromMs - this.baseMs) / SLOT_MS));
  }

  /** One past the last slot overlapping (…, toMs] that exists. */
  end(fromMs, toMs) {
    return Math.max(this.first(fromMs), Math.min(this.generated, Math.ceil((toMs - this.baseMs) / SLOT_MS)));
  }

  /** Requests of `arm` over (fromMs, toMs]. */
  requests(arm, fromMs, toMs) {
    const a = arm === 'canary' ? this.canary : this.stable;
    const first = this.first(fromMs);
    const end = this.end(fromMs, toMs);
    return a.requests[end] - a.requests[first];
  }

  /** Failed requests of `arm` over (fromMs, toMs]. */
  failures(arm, fromMs, toMs) {
    const a = arm === 'canary' ? this.canary : this.stable;
    const first = this.first(fromMs);
    const end = this.end(fromMs, toMs);
    return a.failures[end] - a.failures[first];
  }

  /** Per-bucket (not cumulative) latency counts of `arm` over (fromMs, toMs], one per bound then +Inf. */
  latency(arm, fromMs, toMs) {
    const a = arm === 'canary' ? this.canary : this.stable;
    const first = this.first(fromMs);
    const end = this.end(fromMs, toMs);
    const B = this.buckets;
    const out = new Array(B);
    for (let b = 0; b < B; b++) out[b] = a.latency[end * B + b] - a.latency[first * B + b];
    return out;
  }
}

const QUANTILES = { latency_p50: 0.5, latency_p95: 0.95, latency_p99: 0.99 };

/**
 * A metric provider answering builtin-grammar queries (parsed by the real `parseBuiltinQuery`) from a Traffic,
 * with the builtin provider's semantics (analysis/providers/builtin.ts): no series when the range has no
 * requests, Prometheus-style interpolated quantiles, cumulative `latency_bucket` series per `le`, and the
 * evidence behind ratios and quantiles (`samples`, `histogram`, `quantile`) that confident thresholds use. It replaces
 * only the gateway's stats store, which would need a billion `recordRequest` calls for the healthy runs.
 */
export class SimulatedProvider {
  kind = 'builtin';

  /**
   * @param {Traffic} traffic
   * @param {{ parseBuiltinQuery: Function, histogramQuantile: Function, bounds: readonly number[], parsed: Map<string, object> }} tools
   *   `parsed` is a cache shared by the runs of a worker (the same query texts recur in every run).
   */
  constructor(traffic, tools) {
    this.traffic = traffic;
    this.tools = tools;
  }

  async query(spec, text, at) {
    if (spec.kind !== 'builtin') return { ok: false, error: `simulated: given a ${spec.kind} provider spec` };
    let q = this.tools.parsed.get(text);
    if (q === undefined) {
      const r = this.tools.parseBuiltinQuery(text);
      if (!r.ok) return r;
      q = r.query;
      if (this.tools.parsed.size > 5_000) this.tools.parsed.clear();
      this.tools.parsed.set(text, q);
    }
    return { ok: true, series: this.evaluate(q, at.getTime()) };
  }

  evaluate(q, to) {
    const { match } = q;
    const arm = match.version === CANARY ? 'canary' : match.version === STABLE ? 'stable' : undefined;
    if (
      arm === undefined ||
      (match.service ?? SERVICE) !== SERVICE ||
      (match.endpoint ?? ENDPOINT) !== ENDPOINT
    )
      return [];
    if ((match.psp ?? PSP) !== PSP) return [];
    const t = this.traffic;
    const from = to - q.rangeMs;
    const requests = t.requests(arm, from, to);
    if (requests === 0) return [];
    const labels = labelsFor(arm, q.by);
    switch (q.metric) {
      case 'requests':
        return [{ labels, value: requests }];
      case 'failures':
        return [{ labels, value: t.failures(arm, from, to) }];
      case 'successes':
        return [{ labels, value: requests - t.failures(arm, from, to) }];
      case 'success_ratio':
        // The requests behind the ratio, as the builtin provider gives them: thresholds judge with confidence.
        return [{ labels, value: (requests - t.failures(arm, from, to)) / requests, samples: requests }];
      case 'latency_bucket': {
        const le = bucketLabels(arm, q.by, this.tools.bounds);
        const latency = t.latency(arm, from, to);
        let cumulative = 0;
        return latency.map((n, i) => {
          cumulative += n;
          return { labels: le[i], value: cumulative };
        });
      }
      default: {
        const quantile = QUANTILES[q.metric];
        if (quantile === undefined) return [];
        const latency = t.latency(arm, from, to);
        const value = this.tools.histogramQuantile(quantile, latency, this.tools.bounds);
        // The histogram behind the quantile (cumulative, ms, +Inf last), as the builtin provider gives it.
        let cumulative = 0;
        const counts = latency.map((n) => (cumulative += n));
        const histogram = { bounds: histogramBounds(this.tools.bounds), counts };
        return [{ labels, value, samples: cumulative, histogram, quantile }];
      }
    }
  }
}

const boundsCache = new Map();

/** The bucket bounds then +Inf, built once per bounds array. */
function histogramBounds(bounds) {
  let out = boundsCache.get(bounds);
  if (out === undefined) {
    out = Object.freeze([...bounds, Number.POSITIVE_INFINITY]);
    boundsCache.set(bounds, out);
  }
  return out;
}

const ALL_LABELS = {
  canary: { service: SERVICE, version: CANARY, endpoint: ENDPOINT, psp: PSP, method: 'POST' },
  stable: { service: SERVICE, version: STABLE, endpoint: ENDPOINT, psp: PSP, method: 'POST' },
};
const labelCache = new Map();

/** The `by` labels of the arm's one series, built once per (arm, by). */
function labelsFor(arm, by) {
  const key = `${arm}|${by.join(',')}`;
  let labels = labelCache.get(key);
  if (labels === undefined) {
    labels = Object.freeze(Object.fromEntries(by.map((l) => [l, ALL_LABELS[arm][l] ?? ''])));
    labelCache.set(key, labels);
  }
  return labels;
}

function bucketLabels(arm, by, bounds) {
  const key = `le|${arm}|${by.join(',')}`;
  let list = labelCache.get(key);
  if (list === undefined) {
    const base = labelsFor(arm, by);
    list = [...bounds.map(String), '+Inf'].map((le) => Object.freeze({ ...base, le }));
    labelCache.set(key, list);
  }
  return list;
}
