/** One cumulative histogram bucket, as Prometheus `_bucket{le="…"}` series: events with a value ≤ `le`. */
export interface Bucket {
  /** Upper bound (inclusive); `Infinity` for `+Inf`. */
  readonly le: number;
  readonly count: number;
}

/** A cumulative histogram sorted by bound, counts made non-decreasing, with its total. */
export interface Histogram {
  readonly buckets: readonly Bucket[];
  readonly total: number;
}

/**
 * Sorts buckets, merges equal bounds (summing them: series of several instances), and repairs counts that go
 * down (a scrape race) by carrying the running maximum. The total is the `+Inf` count, or the last one.
 */
export function toHistogram(buckets: readonly Bucket[]): Histogram {
  if (isClean(buckets))
    return { buckets, total: buckets.length === 0 ? 0 : buckets[buckets.length - 1]!.count };
  const merged = new Map<number, number>();
  for (const b of buckets) {
    if (Number.isNaN(b.le) || !Number.isFinite(b.count)) continue;
    merged.set(b.le, (merged.get(b.le) ?? 0) + Math.max(0, b.count));
  }
  const sorted = [...merged].sort((a, b) => a[0] - b[0]);
  let running = 0;
  const out = sorted.map(([le, count]) => {
    running = Math.max(running, count);
    return { le, count: running };
  });
  return { buckets: out, total: running };
}

/** Already sorted by bound with no repeats and non-decreasing counts: the usual answer, used as it is. */
function isClean(buckets: readonly Bucket[]): boolean {
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (Number.isNaN(b.le) || !Number.isFinite(b.count) || b.count < 0) return false;
    if (i > 0 && (b.le <= buckets[i - 1]!.le || b.count < buckets[i - 1]!.count)) return false;
  }
  return true;
}

/**
 * The value below which `rank` events fall, interpolating linearly inside the bucket as Prometheus'
 * `histogram_quantile` does (the first bucket starts at 0). A rank in the `+Inf` bucket gives the highest
 * finite bound when `open` is 'finite' (an estimate), or Infinity when 'infinite' (an upper bound).
 */
export function valueAtRank(h: Histogram, rank: number, open: 'finite' | 'infinite' = 'finite'): number {
  const { buckets } = h;
  if (buckets.length === 0) return Number.NaN;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank && b.count > prevCount) {
      if (b.le === Number.POSITIVE_INFINITY) return open === 'finite' ? prevLe : Number.POSITIVE_INFINITY;
      const lowerEdge = Math.min(prevLe, b.le);
      return lowerEdge + ((b.le - lowerEdge) * (rank - prevCount)) / (b.count - prevCount);
    }
    if (b.count >= rank) return Math.min(prevLe, b.le);
    prevLe = b.le;
    prevCount = b.count;
  }
  return open === 'finite' ? prevLe : Number.POSITIVE_INFINITY;
}

/** The estimated `q`-quantile (Prometheus `histogram_quantile`); NaN without events. */
export function quantile(h: Histogram, q: number): number {
  return h.total > 0 ? valueAtRank(h, q * h.total) : Number.NaN;
}
